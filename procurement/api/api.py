"""The REST API, /api/v1/: the same services, selectors, forms and organisation scoping as the pages.

Each endpoint does what its page does: it finds objects through the organisation-scoped
selectors (another organisation's id is 404), checks the role with ``require_role`` (403),
validates input with the page's form (400 with each field's messages) and writes through the
page's service. Writes also need a read-and-write token and count against its rate limit
(procurement.api.auth). The schema is served at /api/v1/openapi.json.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.http import Http404, HttpResponse
from ninja import NinjaAPI, Query, Schema, Status
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as NinjaValidationError

from procurement.api import schemas as out
from procurement.api.auth import TokenAuth, organisation, writer
from procurement.api.common import (
    PAGE_SIZE,
    choice_filter,
    form_invalid,
    members,
    page_of,
    query_dict,
    reading,
    vendor_for,
    writing,
)
from procurement.assessments import services
from procurement.assessments.forms import AssessmentCreateForm, SectionForm
from procurement.assessments.models import Assessment
from procurement.assessments.selectors import (
    answers_by_code,
    assessment_for_user,
    assessment_score,
    assessments_listed,
    bank_structure,
    list_rows,
)
from procurement.core.access import EDITORS, require_role
from procurement.questionbank.models import BankVersion
from procurement.questionbank.selectors import banks_visible_to
from procurement.questionbank.values import allows_undisclosed
from procurement.reports import services as reports
from procurement.reports.models import ReportFile
from procurement.scoring import geo
from procurement.vendors import services as vendor_services
from procurement.vendors.forms import AIServiceForm, VendorContactForm, VendorForm
from procurement.vendors.models import AIService, Lifecycle, Vendor, VendorContact

api = NinjaAPI(
    title="AI vendor due diligence API",
    version="1",
    description="Personal access tokens: make one under Your settings → API tokens, send it as "
    "`Authorization: Bearer <token>`. Write requests need a read-and-write token and are limited per token. "
    'Errors are JSON: `{"detail": ..., "errors": {field: [messages]}}`. Lists are pages '
    "(`page`, `page_size` up to 100).",
    auth=TokenAuth(),
    urls_namespace="api",
    # The interactive docs page loads scripts from a CDN and runs inline code, which the
    # site's Content-Security-Policy forbids; the schema itself is served.
    docs_url=None,
)


# --- errors: always JSON ---------------------------------------------------------------

ID_MAX = 2**63 - 1  # the largest id the databases store


def _error(request, message: str, status: int, errors: dict | None = None) -> HttpResponse:
    body: dict[str, Any] = {"detail": message}
    if errors:
        body["errors"] = errors
    return api.create_response(request, body, status=status)


@api.exception_handler(NinjaValidationError)
def _invalid(request, exc: NinjaValidationError):
    errors: dict[str, list[str]] = {}
    for item in exc.errors:
        loc = [str(p) for p in item.get("loc", ()) if p not in ("body", "query", "path", "payload", "form", "file")]
        errors.setdefault(".".join(loc) or "body", []).append(item.get("msg", "Invalid value."))
    return _error(request, "The request has problems; see errors.", 400, errors)


@api.exception_handler(DjangoValidationError)
def _refused(request, exc: DjangoValidationError):
    if hasattr(exc, "error_dict"):
        return _error(request, "The request has problems; see errors.", 400, exc.message_dict)
    return _error(request, " ".join(exc.messages), 400)


@api.exception_handler(OverflowError)  # SQLite: an id past 64 bits
@api.exception_handler(DataError)  # PostgreSQL: integer out of range
def _out_of_range(request, exc: Exception):
    return _error(request, f"A number in the request is out of range: ids are whole numbers up to {ID_MAX}.", 400)


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc: PermissionDenied):
    return _error(request, str(exc) or "Your role does not allow this.", 403)


@api.exception_handler(Http404)
def _not_found(request, exc: Http404):
    return _error(request, "Not found.", 404)


@api.exception_handler(AuthenticationError)
def _unauthorised(request, exc: AuthenticationError):
    response = _error(request, "A valid token is needed: send Authorization: Bearer <token>.", 401)
    response["WWW-Authenticate"] = "Bearer"
    return response


# --- vendors, services and contacts -----------------------------------------------------


class VendorIn(Schema):
    name: str = ""
    website: str = ""
    description: str = ""
    owner: int | None = None


class ServiceIn(Schema):
    name: str = ""
    kind: str = AIService.Kind.API.value
    model_name: str = ""
    model_provider: str = ""
    annual_spend: str | None = None
    currency: str = ""
    business_use: str = ""
    required_regions: list[str] = []


class ContactIn(Schema):
    name: str = ""
    email: str = ""
    role: str = ""


def _vendor_out(v: Vendor) -> dict:
    return {
        "id": v.pk,
        "name": v.name,
        "website": v.website,
        "description": v.description,
        "owner": v.owner_id,
        "status": v.status,
    }


def _service_out(s: AIService) -> dict:
    return {
        "id": s.pk,
        "vendor": s.vendor_id,
        "name": s.name,
        "kind": s.kind,
        "model_name": s.model_name,
        "model_provider": s.model_provider,
        "status": s.status,
        "annual_spend": str(s.annual_spend) if s.annual_spend is not None else None,
        "currency": s.currency,
        "required_regions": geo.split(s.required_regions) if s.required_regions else [],
    }


def _contact_out(c: VendorContact) -> dict:
    return {"id": c.pk, "vendor": c.vendor_id, "name": c.name, "email": c.email, "role": c.role}


STATUSES = "One of: " + ", ".join(Lifecycle.values)


@api.get(
    "/vendors",
    url_name="vendors",
    response=reading({200: out.VendorPage}, bad_query=True),
    summary="Your organisation's vendors",
)
def vendor_list(
    request,
    status: str = Query("", description=STATUSES),
    q: str = Query("", description="Part of the name", max_length=200),
    page: int = 1,
    page_size: int = PAGE_SIZE,
):
    qs = Vendor.objects.filter(organisation=organisation(request)).order_by("name", "pk")
    if choice_filter("status", status, Lifecycle.values):
        qs = qs.filter(status=status)
    if q.strip():
        qs = qs.filter(name__icontains=q.strip())
    return page_of(qs, qs, page, page_size, _vendor_out)


@api.post("/vendors", url_name="vendor_create", response=writing({201: out.VendorOut}), summary="Add a vendor")
def vendor_create(request, payload: VendorIn):
    org = organisation(request)
    require_role(request.user, *EDITORS)
    writer(request)
    form = VendorForm(query_dict(payload.dict()), members=members(org), organisation=org)
    if not form.is_valid():
        form_invalid(form)
    return Status(201, _vendor_out(vendor_services.vendor_save(form=form, organisation=org)))


@api.get("/vendors/{vendor_id}", url_name="vendor", response=reading({200: out.VendorOut}), summary="One vendor")
def vendor_detail(request, vendor_id: int):
    return _vendor_out(vendor_for(request, vendor_id))


@api.get(
    "/vendors/{vendor_id}/services",
    url_name="services",
    response=reading({200: out.ServicePage}, bad_query=True),
    summary="A vendor's AI services",
)
def service_list(
    request, vendor_id: int, status: str = Query("", description=STATUSES), page: int = 1, page_size: int = PAGE_SIZE
):
    qs = vendor_for(request, vendor_id).services.order_by("name", "pk")
    if choice_filter("status", status, Lifecycle.values):
        qs = qs.filter(status=status)
    return page_of(qs, qs, page, page_size, _service_out)


@api.post(
    "/vendors/{vendor_id}/services",
    url_name="service_create",
    response=writing({201: out.ServiceOut}),
    summary="Add a service",
)
def service_create(request, vendor_id: int, payload: ServiceIn):
    vendor = vendor_for(request, vendor_id)
    require_role(request.user, *EDITORS)
    writer(request)
    form = AIServiceForm(query_dict(payload.dict()), vendor=vendor)
    if not form.is_valid():
        form_invalid(form)
    return Status(201, _service_out(vendor_services.service_save(form=form, vendor=vendor)))


@api.get(
    "/vendors/{vendor_id}/contacts",
    url_name="contacts",
    response=reading({200: out.ContactPage}),
    summary="A vendor's contacts",
)
def contact_list(request, vendor_id: int, page: int = 1, page_size: int = PAGE_SIZE):
    qs = vendor_for(request, vendor_id).contacts.order_by("name", "pk")
    return page_of(qs, qs, page, page_size, _contact_out)


@api.post(
    "/vendors/{vendor_id}/contacts",
    url_name="contact_create",
    response=writing({201: out.ContactOut}),
    summary="Add a contact",
)
def contact_create(request, vendor_id: int, payload: ContactIn):
    vendor = vendor_for(request, vendor_id)
    require_role(request.user, *EDITORS)
    writer(request)
    form = VendorContactForm(query_dict(payload.dict()))
    if not form.is_valid():
        form_invalid(form)
    return Status(201, _contact_out(vendor_services.contact_save(form=form, vendor=vendor)))


# --- assessments ------------------------------------------------------------------------


class AssessmentIn(Schema):
    service: int
    bank: int
    owner: int | None = None
    reviewers: list[int] = []
    due_date: str | None = None


def _row_out(a: Assessment) -> dict:
    return {
        "id": a.pk,
        "vendor": a.vendor_name,
        "service": a.service_name,
        "service_id": a.service_id,
        "bank": a.bank_name,
        "bank_version": a.bank_number,
        "status": a.status,
        "residual": a.risk_band or None,
        "recommendation": a.recommendation or None,
        "owner": a.owner_name,
        "due_date": a.due_date,
        "created_at": a.created_at,
        "decided_at": a.decided_at,
    }


def _decision(a: Assessment) -> dict | None:
    part = (a.frozen_record or {}).get("decision")
    if not part:
        return None
    keys = ("outcome", "by", "role", "at", "note", "recommendation", "residual")
    return {k: part.get(k) for k in keys}


def _detail_out(a: Assessment) -> dict:
    live = assessment_score(a)
    return {
        "id": a.pk,
        "vendor": {"id": a.service.vendor_id, "name": a.service.vendor.name},
        "service": {"id": a.service_id, "name": a.service.name},
        "bank": {"id": a.bank_version.bank_id, "name": a.bank_version.bank.name, "version": a.bank_version.number},
        "status": a.status,
        "status_label": a.get_status_display(),
        "owner": a.owner_id,
        "due_date": a.due_date,
        "created_at": a.created_at,
        "live": {
            "recommendation": live.decision,
            "reasons": list(live.decision_reasons),
            "residual": live.residual,
            "overall_risk": live.overall_risk,
            "tier": live.tier,
            "incomplete": live.incomplete,
            "unanswered": len(live.unanswered),
        },
        "decision": _decision(a),
        "decided_at": a.decided_at,
    }


@api.get(
    "/assessments",
    url_name="assessments",
    response=reading({200: out.AssessmentPage}, bad_query=True),
    summary="Assessments, newest first",
)
def assessment_list(
    request,
    status: str = Query("", description="One of: " + ", ".join(Assessment.Status.values)),
    vendor: int | None = Query(None, ge=1, le=ID_MAX, description="A vendor's id"),
    service: int | None = Query(None, ge=1, le=ID_MAX, description="A service's id"),
    page: int = 1,
    page_size: int = PAGE_SIZE,
):
    organisation(request)
    qs = assessments_listed(request.user)
    if choice_filter("status", status, Assessment.Status.values):
        qs = qs.filter(status=status)
    if vendor is not None:
        qs = qs.filter(service__vendor_id=vendor)
    if service is not None:
        qs = qs.filter(service_id=service)
    return page_of(qs, qs.order_by("-created_at", "-id"), page, page_size, _row_out, names=list_rows)


@api.post(
    "/assessments",
    url_name="assessment_create",
    response=writing({201: out.AssessmentOut}),
    summary="Start an assessment",
)
def assessment_create(request, payload: AssessmentIn):
    org = organisation(request)
    require_role(request.user, *EDITORS)
    writer(request)
    form = AssessmentCreateForm(
        query_dict(payload.dict()),
        services=AIService.objects.filter(vendor__organisation=org),
        banks=banks_visible_to(request.user).filter(versions__status=BankVersion.Status.PUBLISHED).distinct(),
        members=members(org),
    )
    if not form.is_valid():
        form_invalid(form)
    assessment = services.assessment_create(by=request.user, **form.cleaned_data)
    return Status(201, _detail_out(assessment_for_user(request.user, assessment.pk)))


@api.get(
    "/assessments/{assessment_id}",
    url_name="assessment",
    response=reading({200: out.AssessmentOut}),
    summary="One assessment with its live recommendation",
)
def assessment_detail(request, assessment_id: int):
    return _detail_out(assessment_for_user(request.user, assessment_id))


# --- answers ----------------------------------------------------------------------------


class AnswerIn(Schema):
    value: Any = None
    na: bool = False
    na_reason: str = ""
    undisclosed: bool = False


class SectionAnswersIn(Schema):
    revision: int
    answers: dict[str, AnswerIn]


@api.get(
    "/assessments/{assessment_id}/answers",
    url_name="answers",
    response=reading({200: out.AnswersOut}),
    summary="Answers, by section",
)
def answers_read(request, assessment_id: int):
    assessment = assessment_for_user(request.user, assessment_id)
    answers = answers_by_code(assessment)
    revisions = services.section_revisions(assessment)
    sections = []
    for section in bank_structure(assessment.bank_version).document["sections"]:
        rows = []
        for q in section["questions"]:
            a = answers.get(q["code"])
            rows.append(
                {
                    "code": q["code"],
                    "text": q["text"],
                    "type": q["type"],
                    "audience": q["audience"],
                    "answered": a is not None,
                    "value": a.value if a else None,
                    "na": bool(a and a.na),
                    "na_reason": a.na_reason if a else "",
                    "undisclosed": bool(a and a.undisclosed),
                }
            )
        sections.append(
            {
                "code": section["code"],
                "title": section["title"],
                "revision": revisions.get(section["code"], 0),
                "questions": rows,
            }
        )
    return {"assessment": assessment.pk, "status": assessment.status, "sections": sections}


LIST_TYPES = ("multi_choice", "provider_table")


def _shape_problem(section: str, q: dict | None, code: str, answer: AnswerIn) -> str:
    """What the section page could never post for this question, in words; "" when none."""
    if q is None:
        return f"{section} has no question {code} that you answer here."
    if q["type"] == "evidence":
        return "Evidence is a file; upload it on the section page."
    value = answer.value
    if value is not None and isinstance(value, list) != (q["type"] in LIST_TYPES):
        return "Send a list for this question." if q["type"] in LIST_TYPES else "Send one value, not a list."
    if isinstance(value, dict):
        return "Send one value, not an object."
    if answer.na and not q["na"]:
        return "This question has no “Not applicable”; answer it."
    if answer.undisclosed and not allows_undisclosed(q):
        return "“Vendor does not disclose” is offered only for the vendor's number and date questions."
    return ""


def _posted(q: dict, answer: AnswerIn) -> dict[str, Any]:
    """One answer as the section page posts it (field names: procurement.assessments.forms)."""
    code, value = q["code"], answer.value
    data: dict[str, Any] = {f"na-{code}": answer.na, f"nar-{code}": answer.na_reason, f"nd-{code}": answer.undisclosed}
    if q["type"] == "provider_table" and isinstance(value, list):
        for i, row in enumerate(value):
            for column, cell in row.items() if isinstance(row, dict) else ():
                data[f"q-{code}.{i}.{column}"] = cell
        if not value:
            data[f"q-{code}.0.name"] = ""
    elif value is not None:
        data[f"q-{code}"] = value if isinstance(value, list) else (str(value) if not isinstance(value, bool) else value)
    return data


@api.put(
    "/assessments/{assessment_id}/sections/{section}/answers",
    url_name="section_answers",
    response=writing({200: out.SectionSavedOut, 409: out.ConflictOut}),
    summary="Write answers in one section",
    description="Send the section's `revision` as read from GET …/answers. If someone saved the section since, "
    "nothing is written and the answer is 409 with the current revision. Only the questions sent change; "
    "all are checked as on the section page and nothing is written if any is refused (400, errors by field).",
)
def section_answers_write(request, assessment_id: int, section: str, payload: SectionAnswersIn):
    assessment = assessment_for_user(request.user, assessment_id)
    require_role(request.user, *EDITORS)
    writer(request)
    section_doc = bank_structure(assessment.bank_version).section(section)
    if section_doc is None:
        raise Http404
    if not assessment.is_editable:
        return Status(
            409, {"detail": f"This assessment is {assessment.get_status_display().lower()}; answers are locked."}
        )
    questions = {q["code"]: q for q in section_doc["questions"] if q["audience"] != "reviewer"}
    problems = {
        code: [msg]
        for code, answer in payload.answers.items()
        if (msg := _shape_problem(section, questions.get(code), code, answer))
    }
    chosen = [questions[c] for c in payload.answers if c not in problems]
    data: dict[str, Any] = {"revision": payload.revision}
    for q in chosen:
        data.update(_posted(q, payload.answers[q["code"]]))
    form = SectionForm(query_dict(data), questions=chosen, answers=answers_by_code(assessment), revision=0)
    if not form.is_valid() or problems:
        # Keyed by question code: "q-INT-05" and "nar-INT-05" are both INT-05's.
        for field, items in form.errors.get_json_data().items():
            name = field.split("-", 1)[1] if "-" in field else field
            problems.setdefault(name, []).extend(e["message"] for e in items)
        raise DjangoValidationError(problems)
    try:
        revisions = services.answers_save(
            assessment=assessment,
            values=form.answer_inputs(),
            by=request.user,
            base_revisions={section: payload.revision},
        )
    except services.StaleSection as exc:
        return Status(
            409,
            {
                "detail": f"Someone else ({exc.by or 'another person'}) saved {section} since revision "
                f"{payload.revision}; read the answers again and send yours on the current revision.",
                "current_revision": exc.current_revision,
            },
        )
    fresh = assessment_for_user(request.user, assessment.pk)
    return Status(
        200,
        {
            "section": section,
            "revision": revisions.get(section, payload.revision),
            "warnings": form.warnings,
            "status": fresh.status,
        },
    )


# --- score and report -------------------------------------------------------------------


@api.get(
    "/assessments/{assessment_id}/score",
    url_name="score",
    response=reading({200: out.ScoreOut}),
    summary="The live score",
)
def score(request, assessment_id: int):
    result = assessment_score(assessment_for_user(request.user, assessment_id)).as_dict()
    return result


def _report_out(a: Assessment, report: ReportFile | None, digest: str) -> dict:
    state = report.status if report else "none"
    return {
        "assessment": a.pk,
        "record_hash": digest,
        "state": state,
        "pages": report.pages if report and state == ReportFile.Status.READY else None,
        "error": report.error if report and state == ReportFile.Status.FAILED else "",
        "pdf": f"/api/v1/assessments/{a.pk}/report/pdf" if state == ReportFile.Status.READY else None,
    }


@api.get(
    "/assessments/{assessment_id}/report",
    url_name="report",
    response=reading({200: out.ReportOut}),
    summary="Whether the PDF report is ready",
)
def report_status(request, assessment_id: int):
    assessment = assessment_for_user(request.user, assessment_id)
    _, digest, report = reports.report_current(assessment)
    return _report_out(assessment, report, digest)


@api.post(
    "/assessments/{assessment_id}/report",
    url_name="report_request",
    response=writing({202: out.ReportOut}),
    summary="Ask for the PDF",
)
def report_request(request, assessment_id: int):
    assessment = assessment_for_user(request.user, assessment_id)
    writer(request)
    report = reports.report_request(assessment=assessment)
    report.refresh_from_db(fields=["status", "pages", "error", "content_hash"])
    return Status(202, _report_out(assessment, report, report.content_hash))


@api.get(
    "/assessments/{assessment_id}/report/pdf",
    url_name="report_pdf",
    response=reading({409: out.ErrorOut}),
    summary="The PDF of the current record",
    openapi_extra={
        "responses": {
            "200": {
                "description": "The PDF (application/pdf, as an attachment)",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def report_pdf(request, assessment_id: int):
    assessment = assessment_for_user(request.user, assessment_id)
    _, digest, report = reports.report_current(assessment)
    if report is None or report.status != ReportFile.Status.READY:
        return _error(request, "No PDF is ready for the assessment as it stands; POST …/report to make one.", 409)
    with report.file.open("rb") as fh:
        data = fh.read()
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="A-{assessment.pk}-risk-report-{digest[:8]}.pdf"'
    return response


# The endpoint groups of the other records: contracts, the supply chain, the portfolio
# (procurement.api.records) and documents and evidence (procurement.api.evidence).
from procurement.api import evidence, records  # noqa: E402

api.add_router("", records.router)
api.add_router("", evidence.router)
