"""Documents and evidence: the vendor's evidence register (what each document is, its dates and
expiry), supporting files on answers, and answers sent as a file. The same checks and services
as the evidence register, the section page's uploads and the assessment's "Import answers".

Uploads are ``multipart/form-data`` (a ``file`` part); every file is checked by its content
(procurement.vendors.documents: type, size, ZIP limits) and stored once per vendor.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from ninja import File, Form, Query, Router, Schema, Status, UploadedFile

from procurement.api import schemas as out
from procurement.api.auth import writer
from procurement.api.common import (
    PAGE_SIZE,
    choice_filter,
    form_invalid,
    page_of,
    query_dict,
    reading,
    vendor_for,
    writing,
)
from procurement.assessments import services
from procurement.assessments.answer_files import MAX_BYTES as MAX_ANSWER_FILE
from procurement.assessments.answer_files import AnswerFileError, detect_format, parse_answers
from procurement.assessments.evidence import (
    EvidenceRejected,
    clean_name,
    evidence_attach_existing,
    evidence_store,
)
from procurement.assessments.models import Assessment, Evidence
from procurement.assessments.presentation import has_basis
from procurement.assessments.selectors import assessment_for_user, bank_structure
from procurement.core.access import EDITORS, require_role
from procurement.portfolio import evidence_services
from procurement.portfolio.evidence_views import SOC2_REVIEWERS
from procurement.vendors.documents import document_response
from procurement.vendors.evidence import soc2_review_add
from procurement.vendors.evidence_forms import DocumentDetailsForm, SOC2ReviewForm
from procurement.vendors.models import SOC2_CHECKLIST, Document, DocumentKind, Provider, SOC2Review
from procurement.vendors.selectors import register_rows

router = Router(tags=["documents and evidence"])

EXPIRY = ("valid", "expiring", "expired", "none")
# Optional multipart parts (a file, or the id of a stored document).
NO_FILE = File(None)
NO_DOCUMENT = Form(None)

# --- The evidence register ------------------------------------------------------------------


def _document_out(d: Document, *, expires=None, status: str = "", superseded: bool = False) -> dict:
    return {
        "id": d.pk,
        "vendor": d.vendor_id,
        "name": d.original_name,
        "content_type": d.content_type,
        "size": d.size,
        "sha256": d.sha256,
        "uploaded_at": d.uploaded_at,
        "uploaded_by": d.uploaded_by_label,
        "kind": d.kind,
        "kind_label": d.get_kind_display() if d.kind else "Not yet described",
        "issued_on": d.issued_on,
        "period_start": d.period_start,
        "period_end": d.period_end,
        "expires_on": d.expires_on,
        "expires": expires,
        "expiry_status": status,
        "superseded": superseded,
        "auditor": d.auditor,
        "opinion": d.opinion,
        "subservice_providers": sorted(p.pk for p in d.subservice_providers.all()),
        "subservice_other": d.subservice_other,
        "download": reverse("api:document_file", args=[d.vendor_id, d.pk]),
    }


def _register(vendor) -> list[dict]:
    """The register's rows in its order (by kind, then name), each with its expiry status."""
    rows = []
    for group in register_rows(vendor, today=timezone.localdate()):
        for row in group["documents"]:
            rows.append(row)
    return rows


def _row_out(row: dict) -> dict:
    return _document_out(row["document"], expires=row["expires"], status=row["status"], superseded=row["superseded"])


@router.get(
    "/vendors/{vendor_id}/documents",
    url_name="documents",
    response=reading({200: out.DocumentPage}, bad_query=True),
    summary="The vendor's evidence register",
    description="Every document the vendor supplied (on any answer, contract or offboarding), by kind, with its "
    "dates and expiry status: valid, expiring (within 60 days), expired, or empty without an expiry date.",
)
def document_list(
    request,
    vendor_id: int,
    kind: str = Query("", description="One of: " + ", ".join(DocumentKind.values)),
    expiry: str = Query("", description="One of: " + ", ".join(EXPIRY)),
    page: int = 1,
    page_size: int = PAGE_SIZE,
):
    vendor = vendor_for(request, vendor_id)
    choice_filter("kind", kind, DocumentKind.values)
    choice_filter("expiry", expiry, EXPIRY)
    rows = [
        r
        for r in _register(vendor)
        if (not kind or r["document"].kind == kind) and (not expiry or (r["status"] or "none") == expiry)
    ]
    return page_of(None, rows, page, page_size, _row_out)


def _document(request, vendor_id: int, document_id: int) -> tuple:
    vendor = vendor_for(request, vendor_id)
    return vendor, get_object_or_404(vendor.documents.all(), pk=document_id)


@router.get(
    "/vendors/{vendor_id}/documents/{document_id}",
    url_name="document",
    response=reading({200: out.DocumentOut}),
    summary="One document of the register",
)
def document_read(request, vendor_id: int, document_id: int):
    vendor, document = _document(request, vendor_id, document_id)
    row = next(r for r in _register(vendor) if r["document"].pk == document.pk)
    return _row_out(row)


@router.get(
    "/vendors/{vendor_id}/documents/{document_id}/file",
    url_name="document_file",
    response=reading({}),
    summary="Download a document",
    openapi_extra={
        "responses": {
            "200": {
                "description": "The file, as an attachment, with the type read from its content",
                "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def document_file(request, vendor_id: int, document_id: int):
    return document_response(_document(request, vendor_id, document_id)[1])


class DocumentIn(Schema):
    kind: str = ""
    issued_on: str | None = None
    period_start: str | None = None
    period_end: str | None = None
    expires_on: str | None = None
    auditor: str = ""
    opinion: str = ""
    exceptions: str = ""
    carve_outs: str = ""
    subservice_providers: list[int] = []
    subservice_other: str = ""
    cuecs: str = ""
    inference_in_scope: bool | None = None
    scope: str = ""
    model_version: str = ""


@router.put(
    "/vendors/{vendor_id}/documents/{document_id}",
    url_name="document_update",
    response=writing({200: out.DocumentOut}),
    summary="Say what a document is and record its dates",
    description="As the register's form: every field is sent (a field left out is cleared); the fields a kind "
    "does not use are ignored. A changed expiry rescores the open assessments whose answers the document "
    "supports; an expiry already past flags decided ones for reassessment.",
)
def document_update(request, vendor_id: int, document_id: int, payload: DocumentIn):
    vendor, document = _document(request, vendor_id, document_id)
    require_role(request.user, *EDITORS)
    writer(request)
    data = payload.dict()
    data["inference_in_scope"] = {True: "yes", False: "no"}.get(data["inference_in_scope"], "")
    providers = Provider.objects.filter(organisation=vendor.organisation)
    form = DocumentDetailsForm(query_dict(data), document=document, providers=providers)
    if not form.is_valid():
        form_invalid(form)
    values = {k: v for k, v in form.cleaned_data.items() if k != "subservice_providers"}
    evidence_services.document_details_update(
        document=document,
        values=values,
        subservice=list(form.cleaned_data["subservice_providers"]),
        by=request.user,
    )
    return document_read(request, vendor_id, document_id)


CHECK_QUESTIONS = dict(SOC2_CHECKLIST)


def _review_out(r: SOC2Review) -> dict:
    return {
        "id": r.pk,
        "document": r.document_id,
        "reviewer": r.reviewer_label,
        "reviewed_at": r.reviewed_at,
        "conclusion": r.conclusion,
        "notes": r.notes,
        "checklist": [{**item, "question": CHECK_QUESTIONS.get(item["key"], item["key"])} for item in r.checklist],
    }


@router.get(
    "/vendors/{vendor_id}/documents/{document_id}/soc2-reviews",
    url_name="soc2_reviews",
    response=reading({200: out.SOC2ReviewPage}),
    summary="The SOC 2 reviews recorded for a document, newest first",
)
def soc2_review_list(request, vendor_id: int, document_id: int, page: int = 1, page_size: int = PAGE_SIZE):
    _, document = _document(request, vendor_id, document_id)
    qs = document.soc2_reviews.order_by("-reviewed_at", "-pk")
    return page_of(qs, qs, page, page_size, _review_out)


class SOC2ReviewIn(Schema):
    checks: dict[str, str] = {}  # checklist key -> yes, no or na
    check_notes: dict[str, str] = {}  # checklist key -> a note
    conclusion: str = ""
    notes: str = ""


@router.post(
    "/vendors/{vendor_id}/documents/{document_id}/soc2-reviews",
    url_name="soc2_review_create",
    response=writing({201: out.SOC2ReviewOut}),
    summary="Record your SOC 2 review of a document",
    description="As the SOC 2 review page: every checklist item answered (`checks`: "
    + ", ".join(k for k, _ in SOC2_CHECKLIST)
    + "; each yes, no or na), a conclusion ("
    + ", ".join(SOC2Review.Conclusion.values)
    + "). Admins, analysts and reviewers; only a document described as a SOC 2 report.",
)
def soc2_review_create(request, vendor_id: int, document_id: int, payload: SOC2ReviewIn):
    _, document = _document(request, vendor_id, document_id)
    require_role(request.user, *SOC2_REVIEWERS)
    writer(request)
    keys = set(CHECK_QUESTIONS)
    unknown = sorted((set(payload.checks) | set(payload.check_notes)) - keys)
    if unknown:
        raise DjangoValidationError({"checks": [f"Unknown checklist item(s): {', '.join(unknown)[:200]}."]})
    data = {"conclusion": payload.conclusion, "notes": payload.notes}
    data |= {f"check_{k}": v for k, v in payload.checks.items()}
    data |= {f"note_{k}": v for k, v in payload.check_notes.items()}
    form = SOC2ReviewForm(query_dict(data))
    if not form.is_valid():
        # "check_type_two" -> "checks.type_two", as the body names it.
        errors = {
            field.replace("check_", "checks.", 1).replace("note_", "check_notes.", 1): [e["message"] for e in items]
            for field, items in form.errors.get_json_data().items()
        }
        raise DjangoValidationError(errors)
    review = soc2_review_add(
        document=document,
        reviewer=request.user,
        answers=form.answers(),
        notes=form.notes_by_key(),
        conclusion=form.cleaned_data["conclusion"],
        conclusion_notes=form.cleaned_data["notes"],
    )
    return Status(201, _review_out(review))


# --- Evidence on answers --------------------------------------------------------------------


def _evidence_out(e: Evidence, *, created: bool = False) -> dict:
    return {
        "id": e.pk,
        "question": e.question_code or None,
        "document": e.document_id,
        "name": e.document.original_name,
        "size": e.document.size,
        "content_type": e.document.content_type,
        "uploaded_by": e.uploaded_by_label,
        "uploaded_at": e.uploaded_at,
        "created": created,
    }


@router.get(
    "/assessments/{assessment_id}/evidence",
    url_name="evidence",
    response=reading({200: out.EvidencePage}),
    summary="The supporting documents on the assessment's answers",
)
def evidence_list(
    request,
    assessment_id: int,
    question: str = Query("", description="Only this question's", max_length=32),
    page: int = 1,
    page_size: int = PAGE_SIZE,
):
    assessment = assessment_for_user(request.user, assessment_id)
    qs = assessment.evidence.filter(finding=None).order_by("question_code", "pk")
    if question:
        qs = qs.filter(question_code=question)
    return page_of(qs, qs.select_related("document"), page, page_size, _evidence_out)


@router.post(
    "/assessments/{assessment_id}/evidence",
    url_name="evidence_upload",
    response=writing({200: out.EvidenceOut, 201: out.EvidenceOut, 409: out.ErrorOut}),
    summary="Attach a supporting document to one answer",
    description="multipart/form-data: `question` (its code) and either `file` (a PDF, PNG, JPEG, text, .docx or "
    ".xlsx, checked by content, within the size limit and the assessment's quotas) or `document` (the id of a "
    "document of this vendor from the register). The same file on the same answer is linked once (200). "
    "An assessment that is submitted, in review or decided is locked (409).",
)
def evidence_upload(
    request,
    assessment_id: int,
    question: Form[str],
    document: int | None = NO_DOCUMENT,
    file: UploadedFile | None = NO_FILE,
):
    assessment = assessment_for_user(request.user, assessment_id)
    require_role(request.user, *EDITORS)
    writer(request)
    index = bank_structure(assessment.bank_version).question_index
    q = index.get(question)
    if q is None or q["audience"] == "reviewer":
        raise DjangoValidationError(
            {"question": [f"{question[:40]!r} is not a question of this assessment you answer."]}
        )
    if (file is None) == (document is None):
        raise DjangoValidationError({"file": ["Send a file, or the id of a document of this vendor (one of them)."]})
    if not assessment.is_editable:
        return Status(
            409, {"detail": f"This assessment is {assessment.get_status_display().lower()}; answers are locked."}
        )
    before = set(assessment.evidence.values_list("pk", flat=True))
    try:
        if file is not None:
            item = evidence_store(
                assessment=assessment, question_code=question, upload=file, by=request.user, field="file"
            )
        else:
            item = evidence_attach_existing(
                assessment=assessment, question_code=question, document_pk=document, by=request.user, field="document"
            )
    except EvidenceRejected as exc:
        raise DjangoValidationError({exc.field: [exc.message]}) from None
    if has_basis(q):  # as on the section page: a document lifts the vendor's statement (claimed until confirmed)
        services.answers_basis_lift(assessment=assessment, codes=[question], by=request.user)
    created = item.pk not in before
    return Status(201 if created else 200, _evidence_out(item, created=created))


@router.post(
    "/assessments/{assessment_id}/answers/file",
    url_name="answers_import",
    response=writing({200: out.AnswersImportedOut}),
    summary="Write answers from a file (JSON, YAML or CSV)",
    description="multipart/form-data with `file`: the answer file format of the assessment page's Import answers "
    "(docs: README, Assessments). All or nothing: any problem is a 400 listing every one (by line and question "
    "code under `errors.file`) and nothing is written.",
)
def answers_import(request, assessment_id: int, file: File[UploadedFile]):
    assessment = assessment_for_user(request.user, assessment_id)
    require_role(request.user, *EDITORS)
    writer(request)
    warnings: list[str] = []
    try:
        values = parse_answers(
            file.read(MAX_ANSWER_FILE + 1),
            fmt=detect_format(file.name or ""),
            source=clean_name(file.name or "answers"),
            questions=bank_structure(assessment.bank_version).question_index,
            warnings=warnings,
        )
    except AnswerFileError as exc:
        raise DjangoValidationError({"file": exc.problems}) from None
    services.answers_save(assessment=assessment, values=values, by=request.user, base_revisions=None, by_label="")
    status = Assessment.objects.values_list("status", flat=True).get(pk=assessment.pk)
    return {"imported": len(values), "warnings": warnings, "status": status}
