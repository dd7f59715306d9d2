"""Evidence-register and model-lifecycle writes that reach past the vendor records.

A document's dates and a service's announced model retirement feed the score
(procurement.assessments.selectors.scoring_input). When they change, or when a document
expires, each write here saves the vendor rows through procurement.vendors.evidence and then,
in the same transaction, rescores every open assessment concerned and flags a decided one for
reassessment (procurement.assessments.services.reassessment_mark). A decided assessment's frozen
record is never touched.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from procurement.assessments.models import Assessment, Evidence
from procurement.assessments.services import assessment_rescore, open_assessments_rescore, reassessment_mark
from procurement.core.services import person_label
from procurement.vendors import evidence as register
from procurement.vendors.model_notices import NoticeFile, notices_read
from procurement.vendors.models import AIService, Document, Provider, Vendor


def _linked_assessments(document: Document) -> list[Assessment]:
    ids = Evidence.objects.filter(document=document, finding=None).values_list("assessment_id", flat=True)
    return list(Assessment.objects.filter(pk__in=ids).select_related("service", "bank_version").defer("frozen_record"))


def _latest_is_decided(service: AIService) -> bool:
    latest = Assessment.objects.filter(service=service).order_by("-created_at", "-pk").only("status").first()
    return latest is not None and latest.is_final


def _rescore_open(assessments: list[Assessment]) -> list[Assessment]:
    rescored = [a for a in assessments if not a.is_final]
    for a in rescored:
        assessment_rescore(assessment=a)
    return rescored


@transaction.atomic
def document_details_update(*, document: Document, values: dict, subservice: list[Provider] | None, by) -> Document:
    """Record what a document is and its dates, then rescore the open assessments whose answers
    it supports (its expiry feeds their score). An expiry date already past is handled at once."""
    before = document.expiry_date
    register.document_details_save(document=document, values=values, subservice=subservice, by=by)
    if document.expiry_date != before:
        _rescore_open(_linked_assessments(document))
        if document.expiry_date is not None and document.expiry_date < timezone.localdate():
            evidence_expire(document=document, by_label=person_label(by))
    return document


def expiry_reason(document: Document) -> str:
    return (
        f"{document.get_kind_display()} “{document.original_name}” of {document.vendor.name} expired on"
        f" {document.expiry_date:%d %b %Y}."
    )


@transaction.atomic
def evidence_expire(*, document: Document, by_label: str = "evidence register") -> list[AIService]:
    """A document's expiry date has passed: rescore the open assessments whose answers it
    supports (they score as stale now) and flag the services whose latest assessment is decided
    for reassessment. Once per expiry date (``Document.expiry_handled``). Returns the flagged
    services."""
    expires = document.expiry_date
    if expires is None:
        return []
    claimed = Document.objects.filter(pk=document.pk).exclude(expiry_handled=expires).update(expiry_handled=expires)
    if not claimed:
        return []
    document.expiry_handled = expires
    assessments = _linked_assessments(document)
    _rescore_open(assessments)
    flagged = []
    for service in {a.service_id: a.service for a in assessments if a.is_final}.values():
        if _latest_is_decided(service):
            reassessment_mark(
                service=service, reason=expiry_reason(document), by_label=by_label, trigger="evidence_expired"
            )
            flagged.append(service)
    return flagged


def retirement_reason(service: AIService, life) -> str:
    model = life.model_version or service.model_name or "the model"
    replacement = f"; replacement: {life.replacement}" if life.replacement else ""
    return f"The vendor retires {model} (used by {service.name}) on {life.retires_on:%d %b %Y}{replacement}."


@transaction.atomic
def model_lifecycle_update(*, service: AIService, values: dict, by_label: str):
    """Record the model in use and the vendor's announced dates. A new or earlier retirement
    date rescores the service's open assessments (the model-retirement rule reads it) and flags
    the service for reassessment when its latest assessment is decided."""
    life, changed = register.model_lifecycle_save(service=service, values=values, by_label=by_label)
    if "retires_on" in changed:
        open_assessments_rescore(services=[service])
        old, new = changed["retires_on"]
        if new is not None and (old is None or new < old) and _latest_is_decided(service):
            reassessment_mark(service=service, reason=retirement_reason(service, life), by_label="model lifecycle")
    return life, changed


@dataclass
class NoticeImport:
    read: NoticeFile
    changed: list[str] = field(default_factory=list)

    @property
    def problems(self) -> list[str]:
        return self.read.problems


class _Preview(Exception):
    pass


def model_notices_import(*, vendor: Vendor, raw: bytes, filename: str, by, commit: bool) -> NoticeImport:
    """Read a vendor's deprecation notice and, with ``commit`` and no problem, record each
    notice's dates on every service it matches (flagging them as ``model_lifecycle_update``
    does). All or nothing; without ``commit`` nothing is written and ``changed`` says what
    would change."""
    today = timezone.localdate()
    result = NoticeImport(read=notices_read(raw, filename=filename, vendor=vendor, today=today))
    if result.problems:
        return result
    services = {s.pk: s for s in vendor.services.all()}
    source = f"Deprecation notice {filename[:150]}, imported {today:%d %b %Y}"
    try:
        with transaction.atomic():
            for notice in result.read.notices:
                for service_id in notice.services:
                    values = {"retires_on": notice.retires_on, "source": source}
                    if notice.deprecated_on:
                        values["deprecated_on"] = notice.deprecated_on
                    if notice.replacement:
                        values["replacement"] = notice.replacement
                    _, changed = model_lifecycle_update(
                        service=services[service_id], values=values, by_label=person_label(by)
                    )
                    if set(changed) - {"source"}:
                        result.changed.append(
                            f"{services[service_id].name}: retires {notice.retires_on:%d %b %Y}"
                            + (f", replacement {notice.replacement}" if notice.replacement else "")
                            + f" ({notice.where})"
                        )
            if not commit:
                raise _Preview
    except _Preview:
        pass
    return result
