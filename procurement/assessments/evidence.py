"""Supporting documents on answers: upload one (checked and stored once per vendor by
procurement.vendors.documents) or attach one the vendor supplied before, within quotas.

An ``Evidence`` row links one vendor document to one answer (or to a finding it closes).
The same bytes on the same answer are linked once; the same bytes anywhere else for the
same vendor reuse the stored document.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Sum

from procurement.assessments.models import Assessment, Evidence
from procurement.assessments.selectors import answer_documents, bank_structure
from procurement.core.compiled import CompiledRead
from procurement.vendors.documents import DocumentRejected, clean_name, document_store, upload_check
from procurement.vendors.models import Document

__all__ = [
    "EvidenceRejected",
    "clean_name",
    "documents_attachable",
    "evidence_attach_existing",
    "evidence_store",
]


class EvidenceRejected(Exception):
    def __init__(self, field: str, message: str):
        self.field, self.message = field, message
        super().__init__(message)


def _quota_problem(used: dict, *, size: int, files: int, total: int, whose: str) -> str | None:
    if (used["files"] or 0) + 1 > files:
        return f"{whose} already holds {files} files, the most allowed; ask the assessment's owner for help."
    if (used["bytes"] or 0) + size > total:
        return (
            f"{whose} already holds {(used['bytes'] or 0) // (1024 * 1024)} MiB of files; "
            f"this one would pass the {total // (1024 * 1024)} MiB limit."
        )
    return None


def _check_quotas(assessment: Assessment, *, size: int, by, by_label: str, field: str) -> None:
    """Per assessment, and per vendor link (an attachment without a user, under the contact's label).
    Each attachment counts with its document's size, whether its bytes were new or not."""
    stored = Evidence.objects.filter(assessment=assessment)
    used = stored.aggregate(files=Count("pk"), bytes=Sum("document__size"))
    problem = _quota_problem(
        used,
        size=size,
        files=settings.EVIDENCE_MAX_FILES_PER_ASSESSMENT,
        total=settings.EVIDENCE_MAX_BYTES_PER_ASSESSMENT,
        whose="This assessment",
    )
    if problem is None and by is None and by_label:
        used = stored.filter(uploaded_by=None, uploaded_by_label=by_label).aggregate(
            files=Count("pk"), bytes=Sum("document__size")
        )
        problem = _quota_problem(
            used,
            size=size,
            files=settings.EVIDENCE_MAX_FILES_PER_LINK,
            total=settings.EVIDENCE_MAX_BYTES_PER_LINK,
            whose="Your link",
        )
    if problem:
        raise EvidenceRejected(field, problem)


def _who(by, by_label: str) -> str:
    return by_label or (by.get_full_name() or by.get_username() if by else "")


def _link(
    *, assessment: Assessment, question_code: str, finding, by, by_label: str, field: str, size: int, document_for
) -> Evidence:
    """Link a document to the answer (or finding) once, after the quota checks, under the assessment's row lock.
    ``document_for`` returns the document to link (storing it when new) and is called only within quota."""
    with transaction.atomic():
        # The row lock makes the duplicate and quota checks hold against concurrent uploads.
        Assessment.objects.select_for_update().filter(pk=assessment.pk).first()
        document = document_for(existing_only=True)
        if document is not None:
            linked = Evidence.objects.filter(
                assessment=assessment, question_code=question_code, finding=finding, document=document
            ).first()
            if linked is not None:
                return linked
        by_label = _who(by, by_label)
        _check_quotas(assessment, size=size, by=by, by_label=by_label, field=field)
        document = document or document_for(existing_only=False)
        return Evidence.objects.create(
            assessment=assessment,
            question_code=question_code,
            finding=finding,
            document=document,
            uploaded_by=by,
            uploaded_by_label=by_label,
        )


def evidence_store(
    *, assessment: Assessment, question_code: str, upload, by, field: str, by_label: str = "", finding=None
) -> Evidence:
    """Check one upload and attach it to one answer, once: the same content on the same answer
    returns the existing link; the same content elsewhere for this vendor links the stored document
    (by sha256) instead of storing a second copy. Size, type and quotas are checked first.

    With ``finding`` the file is closure evidence for that condition or finding (no question)."""
    try:
        checked = upload_check(upload)
    except DocumentRejected as exc:
        raise EvidenceRejected(field, exc.message) from exc
    vendor = assessment.service.vendor

    def document_for(*, existing_only: bool):
        if existing_only:
            return Document.objects.filter(vendor=vendor, sha256=checked.sha256).first()
        return document_store(vendor=vendor, checked=checked, by=by, by_label=_who(by, by_label))[0]

    return _link(
        assessment=assessment,
        question_code=question_code,
        finding=finding,
        by=by,
        by_label=by_label,
        field=field,
        size=checked.size,
        document_for=document_for,
    )


def documents_attachable(assessment: Assessment, *, codes=None):
    """The documents of this assessment's vendor that an answer of it may link to: for the team,
    every document of the vendor (from any of its assessments); with ``codes`` (the vendor
    portal), only those already attached to these questions of this assessment, so a link
    holder never sees a file from another assessment."""
    documents = Document.objects.filter(vendor_id=assessment.service.vendor_id)
    if codes is not None:  # through the links: one row per link, so DISTINCT
        documents = documents.filter(
            attachments__assessment=assessment, attachments__question_code__in=codes
        ).distinct()
    return documents.order_by("original_name", "pk")


# A section page's two reads, compiled once (``CompiledRead``): the vendor's documents in the
# order documents_attachable gives them, and every answer link of the assessment (at most
# EVIDENCE_MAX_FILES_PER_ASSESSMENT; the page keeps its section's), in Evidence's order.
_VENDOR_DOCUMENTS = CompiledRead(
    lambda vendor: Document.objects.filter(vendor_id=vendor).order_by("original_name", "pk"), int
)
_ANSWER_LINKS = CompiledRead(lambda assessment: Evidence.objects.filter(assessment=assessment, finding=None), int)


def section_documents(
    assessment: Assessment, shown, *, can_attach: bool, codes=None
) -> tuple[dict[str, list[Evidence]], list[Document]]:
    """A section page's documents: the shown questions' supporting documents (as
    ``selectors.answer_documents``: links by question code, oldest first, each with its
    document) and, when the page can attach, what it may attach (``documents_attachable``).

    When attaching, the links are read without their documents and given them from the
    attachable ones (a linked document is one of the vendor's, and on the portal one linked to
    its questions): the join was half the cost of that read, and the page reads both on every
    view. A linked document not among them is read in one more query."""
    if not can_attach:
        return answer_documents(assessment, shown), []
    if codes is None:
        documents = _VENDOR_DOCUMENTS(assessment.service.vendor_id)
    else:
        documents = list(documents_attachable(assessment, codes=codes))
    by_pk = {d.pk: d for d in documents}
    links = [link for link in _ANSWER_LINKS(assessment.pk) if link.question_code in shown]
    if missing := {link.document_id for link in links} - by_pk.keys():
        by_pk.update(Document.objects.in_bulk(missing))
    attached: dict[str, list[Evidence]] = {}
    for link in links:
        link.assessment = assessment  # as assessment.evidence gives them
        link.document = by_pk[link.document_id]
        attached.setdefault(link.question_code, []).append(link)
    return attached, documents


def evidence_attach_existing(
    *, assessment: Assessment, question_code: str, document_pk, by, field: str, by_label: str = "", codes=None
) -> Evidence:
    """Link a document the vendor supplied before (in any assessment of this vendor) to one answer.
    A document of another vendor, or one outside ``codes`` (see documents_attachable), is refused."""
    pk = str(document_pk)
    document = documents_attachable(assessment, codes=codes).filter(pk=pk).first() if pk.isdigit() else None
    if document is None:
        raise EvidenceRejected(field, "That document cannot be attached here; choose one from the list.")
    return _link(
        assessment=assessment,
        question_code=question_code,
        finding=None,
        by=by,
        by_label=by_label,
        field=field,
        size=document.size,
        document_for=lambda *, existing_only: document,
    )


# --- The evidence register's dates against the answers --------------------------------------

CONTRADICTS = (
    "The answer gives {answer:%d %b %Y}, but the linked {kind} “{name}” has its period ending {period:%d %b %Y}."
    " Check which is right; neither is preferred."
)
WRONG_TYPE = "The question asks about a SOC 2 Type II report; the linked “{name}” is a Type I report."
EXPIRED = "The linked {kind} “{name}” expired on {expires:%d %b %Y}; the answer scores as stale."
EXPIRING = "The linked {kind} “{name}” expires on {expires:%d %b %Y}."


def _as_date(value):
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except (TypeError, ValueError):
        return None


def evidence_notes(*, question: dict, answer, links: list[Evidence], today: dt.date) -> list[dict]:
    """What the register's dates say about one answer: contradictions between the answer and a
    linked document (flagged, never silently resolved), and expired or expiring documents.
    Each note is {"level": "contradiction" | "expired" | "expiring", "text": ...}."""
    notes = []
    answered = _as_date(answer.value) if answer is not None and question.get("type") == "date" else None
    for link in links:
        d = link.document
        if not d.kind:
            continue
        kind = d.get_kind_display()
        if d.is_soc2 and answered and d.period_end and d.period_end != answered:
            notes.append(
                {
                    "level": "contradiction",
                    "text": CONTRADICTS.format(answer=answered, kind=kind, name=d.original_name, period=d.period_end),
                }
            )
        if d.kind == "soc2_type1" and "type ii" in question.get("text", "").lower():
            notes.append({"level": "contradiction", "text": WRONG_TYPE.format(name=d.original_name)})
        status = d.expiry_status(today)
        if status in ("expired", "expiring"):
            template = EXPIRED if status == "expired" else EXPIRING
            notes.append(
                {"level": status, "text": template.format(kind=kind, name=d.original_name, expires=d.expiry_date)}
            )
    return notes


def document_supports(document: Document, *, today: dt.date) -> list[dict]:
    """The answers a document supports, newest assessment first, each with the notes
    ``evidence_notes`` gives (a contradiction shows in the register too)."""
    links = (
        Evidence.objects.filter(document=document, finding=None)
        .select_related("assessment__service", "assessment__bank_version", "document")
        .order_by("-assessment__created_at", "question_code")
    )
    rows = []
    for link in links:
        a = link.assessment
        question = bank_structure(a.bank_version).question_index.get(link.question_code, {})
        answer = a.answers.filter(question_code=link.question_code).first()
        rows.append(
            {
                "assessment": a,
                "code": link.question_code,
                "question": question.get("text", ""),
                "notes": [
                    n
                    for n in evidence_notes(question=question, answer=answer, links=[link], today=today)
                    if n["level"] == "contradiction"
                ],
            }
        )
    return rows
