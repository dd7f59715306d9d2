"""The evidence register: what a vendor document is and the dates it carries, SOC 2 reviews,
subservice organisations against the recorded supply chain, and the model lifecycle of a
service (the version in use, its announced deprecation and retirement).

Writes here touch vendor rows only. Rescoring open assessments and flagging decided ones for
reassessment when a date changes is the portfolio's business
(procurement/portfolio/evidence_services.py); linking a document to answers is the
assessments app's (procurement/assessments/evidence.py).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from procurement.core.services import audit_add, person_label
from procurement.vendors.history import diff_words
from procurement.vendors.models import (
    SOC2_CHECKLIST,
    AIService,
    Document,
    DocumentKind,
    ModelLifecycle,
    Provider,
    SOC2Review,
    add_months,
)
from procurement.vendors.supply import org_chains

# Dates before this are typing mistakes, not evidence.
DATE_FLOOR = dt.date(2000, 1, 1)
# Expiry dates (and announced retirements) this far ahead are typing mistakes too.
FUTURE_YEARS = 10

PERIOD_ORDER = "The period ends before it starts: the end must be on or after {start:%d %b %Y}."
EXPIRY_ORDER = "The expiry date is before the document's date ({issued:%d %b %Y})."
TOO_EARLY = "{what} is before 1 January 2000; check the year."
TOO_LATE = "{what} is more than {years} years away; check the year."
IN_FUTURE = "{what} is in the future; a report or letter is dated on or before the day it reaches you."
RETIRE_ORDER = "The retirement date is before the deprecation date ({deprecated:%d %b %Y})."

# The fields each kind of document uses, beyond its kind (the form shows only these).
KIND_FIELDS = {
    DocumentKind.SOC2_TYPE2: (
        *("issued_on", "period_start", "period_end", "expires_on", "auditor", "opinion"),
        *("exceptions", "carve_outs", "subservice_providers", "subservice_other", "cuecs", "inference_in_scope"),
    ),
    DocumentKind.SOC2_TYPE1: (
        *("issued_on", "period_end", "expires_on", "auditor", "opinion"),
        *("exceptions", "carve_outs", "subservice_providers", "subservice_other", "cuecs", "inference_in_scope"),
    ),
    DocumentKind.ISO27001: ("issued_on", "expires_on", "auditor", "scope"),
    DocumentKind.ISO42001: ("issued_on", "expires_on", "auditor", "scope"),
    DocumentKind.PENTEST: ("issued_on", "expires_on", "auditor", "scope"),
    DocumentKind.MODEL_CARD: ("issued_on", "model_version", "expires_on"),
    DocumentKind.DPA: ("issued_on", "expires_on"),
    DocumentKind.OTHER: ("issued_on", "expires_on", "scope"),
}
DETAIL_FIELDS = tuple(dict.fromkeys(f for fields in KIND_FIELDS.values() for f in fields))


def _out_of_range(day: dt.date, what: str, *, today: dt.date) -> str | None:
    """Why ``day`` is not a date a document or an announcement can carry, or None."""
    if day < DATE_FLOOR:
        return TOO_EARLY.format(what=what)
    if day > add_months(today, 12 * FUTURE_YEARS):
        return TOO_LATE.format(what=what, years=FUTURE_YEARS)
    return None


def dates_problems(values: dict, *, today: dt.date) -> dict[str, str]:
    """Each date field's problem, in words: out of range, an end before its start, an expiry
    before the issue date. ``values`` holds the cleaned dates (absent or None: not given)."""
    problems: dict[str, str] = {}
    labels = {
        "issued_on": "The document's date",
        "period_start": "The period start",
        "period_end": "The period end",
        "expires_on": "The expiry date",
    }
    for name, what in labels.items():
        day = values.get(name)
        if day is None:
            continue
        if problem := _out_of_range(day, what, today=today):
            problems[name] = problem
        elif name in ("issued_on", "period_start", "period_end") and day > today:
            problems[name] = IN_FUTURE.format(what=what)
    start, end = values.get("period_start"), values.get("period_end")
    if start and end and end < start and "period_end" not in problems:
        problems["period_end"] = PERIOD_ORDER.format(start=start)
    issued, expires = values.get("issued_on"), values.get("expires_on")
    if issued and expires and expires < issued and "expires_on" not in problems:
        problems["expires_on"] = EXPIRY_ORDER.format(issued=issued)
    return problems


@transaction.atomic
def document_details_save(*, document: Document, values: dict, subservice: list[Provider] | None, by) -> Document:
    """Record what a document is and its dates. Fields the kind does not use are cleared, so a
    document retyped from SOC 2 to DPA keeps no stale period. Refuses bad dates with the reason."""
    problems = dates_problems(values, today=timezone.localdate())
    if problems:
        raise ValidationError(problems)
    kind = values.get("kind") or ""
    if kind not in ("", *DocumentKind.values):
        raise ValidationError({"kind": "Choose what the document is from the list."})
    used = set(KIND_FIELDS.get(kind, ()))
    before = Document.objects.select_for_update().get(pk=document.pk)
    before_subservice = sorted(str(p) for p in before.subservice_providers.all())
    document.kind = kind
    for name in DETAIL_FIELDS:
        if name == "subservice_providers":
            continue
        field = Document._meta.get_field(name)
        empty = None if field.null else ""
        setattr(document, name, values.get(name, empty) if name in used else empty)
    document.details_by_label = person_label(by)
    document.details_at = timezone.now()
    document.full_clean(exclude=["file", "uploaded_by"])
    document.save()
    if "subservice_providers" in used:
        organisation_id = document.vendor.organisation_id
        document.subservice_providers.set([p for p in subservice or [] if p.organisation_id == organisation_id])
    else:
        document.subservice_providers.clear()
    _details_audit(document, before, before_subservice, by)
    return document


# Bookkeeping fields the audit line leaves out: who and when are the audit line's own.
DETAILS_UNAUDITED = {
    "vendor", "file", "original_name", "content_type", "size", "sha256", "uploaded_by", "uploaded_at",
    "details_by_label", "details_at", "expiry", "superseded",
}  # fmt: skip


def _details_audit(document: Document, before: Document, before_subservice: list[str], by) -> None:
    """One line on the organisation's audit log with each changed detail's old and new value: the
    dates feed the score of open assessments and their reassessment, so a change is never silent."""
    changes = [
        f"{f['field'].lower()} {f['old']} → {f['new']}" for f in diff_words(before, document, skip=DETAILS_UNAUDITED)
    ]
    after_subservice = sorted(str(p) for p in document.subservice_providers.all())
    if after_subservice != before_subservice:
        changes.append(
            f"subservice organisations {', '.join(before_subservice) or '—'} → {', '.join(after_subservice) or '—'}"
        )
    if changes:
        note = f"{document.vendor.name}: “{document.original_name}” details changed: {'; '.join(changes)}"
        audit_add(organisation=document.vendor.organisation, by=by, note=note[:2000])


def soc2_review_add(
    *,
    document: Document,
    reviewer,
    answers: dict[str, str],
    notes: dict[str, str],
    conclusion: str,
    conclusion_notes: str = "",
) -> SOC2Review:
    """Record one reviewer's SOC 2 checklist: every item answered yes, no or not applicable."""
    if not document.is_soc2:
        raise ValidationError("Only a SOC 2 report has a SOC 2 review; say what the document is first.")
    missing = [question for key, question in SOC2_CHECKLIST if answers.get(key) not in SOC2Review.Answer.values]
    if missing:
        raise ValidationError(f"Answer every check: {len(missing)} left, starting with “{missing[0]}”")
    if conclusion not in SOC2Review.Conclusion.values:
        raise ValidationError("Choose a conclusion.")
    checklist = [{"key": key, "answer": answers[key], "note": notes.get(key, "")} for key, _ in SOC2_CHECKLIST]
    audit_add(
        organisation=document.vendor.organisation,
        by=reviewer,
        note=f"{document.vendor.name}: SOC 2 review of “{document.original_name}” recorded ({conclusion})"[:2000],
    )
    return SOC2Review.objects.create(
        document=document,
        reviewer=reviewer,
        reviewer_label=person_label(reviewer),
        checklist=checklist,
        conclusion=conclusion,
        notes=conclusion_notes,
    )


# The roles whose providers a SOC 2 report names as subservice organisations: the upstream
# compute and hosting, not the model lab whose model the vendor serves.
SUBSERVICE_ROLES = ("inference_compute", "training_compute", "storage", "network")


def vendor_chain_providers(vendor) -> dict[int, Provider]:
    """Every provider in the recorded supply chains of the vendor's services, deeper tiers
    included, with ``subservice`` set on those that supply compute, storage or network."""
    chains = org_chains(vendor.organisation)
    providers: dict[int, Provider] = {}
    for service_id in vendor.services.values_list("pk", flat=True):
        for link in chains.links_for(service_id):
            provider = providers.setdefault(link.provider_id, link.provider)
            provider.subservice = getattr(provider, "subservice", False) or link.role in SUBSERVICE_ROLES
    return providers


def subservice_mismatches(document: Document, chain: dict[int, Provider]) -> dict[str, list[str]]:
    """Subservice organisations the report names that the recorded chain lacks, and the chain's
    compute, storage or network providers the report does not name:
    {"not_in_chain": [...], "not_in_report": [...]}."""
    named = {p.pk: p for p in document.subservice_providers.all()}
    others = [line.strip() for line in document.subservice_other.splitlines() if line.strip()]
    return {
        "not_in_chain": sorted([p.name for pk, p in named.items() if pk not in chain] + others),
        "not_in_report": sorted(p.name for pk, p in chain.items() if pk not in named and p.subservice),
    }


# --- Model lifecycle ----------------------------------------------------------------------


def lifecycle_problems(values: dict, *, today: dt.date) -> dict[str, str]:
    problems: dict[str, str] = {}
    for name, what in (("deprecated_on", "The deprecation date"), ("retires_on", "The retirement date")):
        day = values.get(name)
        if day is not None and (problem := _out_of_range(day, what, today=today)):
            problems[name] = problem
    deprecated, retires = values.get("deprecated_on"), values.get("retires_on")
    if deprecated and retires and retires < deprecated and "retires_on" not in problems:
        problems["retires_on"] = RETIRE_ORDER.format(deprecated=deprecated)
    return problems


def lifecycle_for(service: AIService) -> ModelLifecycle | None:
    return ModelLifecycle.objects.filter(service=service).first()


@transaction.atomic
def model_lifecycle_save(*, service: AIService, values: dict, by_label: str) -> tuple[ModelLifecycle, dict]:
    """Record the model version in use and the vendor's announced dates. Returns the row and
    what changed ({field: (old, new)}), so the caller can flag the service when it matters."""
    problems = lifecycle_problems(values, today=timezone.localdate())
    if problems:
        raise ValidationError(problems)
    row = ModelLifecycle.objects.select_for_update().filter(service=service).first() or ModelLifecycle(service=service)
    changed = {}
    for name in ("model_version", "deprecated_on", "retires_on", "replacement", "source"):
        if name not in values:
            continue
        new = values[name] if values[name] is not None or name in ("deprecated_on", "retires_on") else ""
        old = getattr(row, name)
        if old != new:
            changed[name] = (old, new)
            setattr(row, name, new)
    if changed or row.pk is None:
        row.updated_by_label = by_label
        row.full_clean(exclude=["service"])
        row.save()
    return row, changed


def lifecycle_facts(service_id: int, as_of: dt.date) -> dict[str, float]:
    """The scoring facts of a service's model lifecycle: the days to an announced retirement."""
    retires = ModelLifecycle.objects.filter(service_id=service_id, retires_on__isnull=False).values_list(
        "retires_on", flat=True
    )
    day = next(iter(retires), None)
    return {} if day is None else {"model_retirement_days": float((day - as_of).days)}
