"""The vendor portal: what a vendor respondent sees through an invitation link.

The link's token is exchanged for a session (``enter``), then the browser is
redirected so the token leaves the address bar and can never leak in a Referer.
Every other portal view goes through ``portal_view``, which re-reads the
invitation on each request: revoked or expired means 410 from then on, and an
assessment other than the invitation's is 404.
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.html import format_html
from django.views.decorators.http import require_POST, require_safe

from procurement.assessments import services as assessment_services
from procurement.assessments.editing import SectionUrls, section_page
from procurement.assessments.reassessment import ATTENTION, CONFIRM, marks_by_section, reassessment_marks
from procurement.assessments.selectors import bank_structure, section_progress
from procurement.core.net import client_ip
from procurement.portal import services
from procurement.portal.forms import AttestationForm, MessageForm
from procurement.portal.models import Invitation
from procurement.vendors.documents import document_response

SESSION_KEY = "portal_invitation"
PORTAL_SECTION_URLS = SectionUrls(section="portal:section", question="portal:clarify", evidence="portal:evidence")


def _private(response: HttpResponse, *, referrer: str = "same-origin") -> HttpResponse:
    """Portal pages are never cached or indexed, and never named in a Referer to another site.

    The link's own URL (the token) answers with ``no-referrer``. Other portal pages keep
    ``same-origin``: under ``no-referrer`` browsers send ``Origin: null`` with form posts,
    which Django's CSRF check rightly refuses.
    """
    response["Referrer-Policy"] = referrer
    response["Cache-Control"] = "no-store, private"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _gone(request: HttpRequest, invitation: Invitation, *, referrer: str = "same-origin") -> HttpResponse:
    assessment = invitation.assessment
    ctx = {
        "invitation": invitation,
        "organisation": assessment.organisation,
        "owner": assessment.owner or assessment.created_by,
        "service": assessment.service,
    }
    return _private(render(request, "portal/gone.html", ctx, status=410), referrer=referrer)


def portal_view(view):
    """Resolve the session's invitation for the assessment in the URL, or refuse."""

    @wraps(view)
    def wrapper(request: HttpRequest, pk: int, *args, **kwargs) -> HttpResponse:
        invitation_id = request.session.get(SESSION_KEY)
        invitation = (
            Invitation.objects.select_related(
                "assessment__organisation",
                "assessment__owner",
                "assessment__created_by",
                "assessment__bank_version",
                "assessment__service__vendor",
                "contact",
            )
            .filter(pk=invitation_id)
            .first()
            if isinstance(invitation_id, int)
            else None
        )
        if invitation is None or invitation.assessment_id != pk:
            raise Http404("No such questionnaire.")
        if not invitation.is_usable:
            request.session.pop(SESSION_KEY, None)
            return _gone(request, invitation)
        return _private(view(request, invitation, *args, **kwargs))

    return wrapper


@require_safe
def enter(request: HttpRequest, token: str) -> HttpResponse:
    ip = client_ip(request)
    if services.guesses_exhausted(ip):
        return _private(render(request, "portal/too_many.html", status=429), referrer="no-referrer")
    invitation = services.invitation_from_token(token)
    if invitation is None:
        services.guess_failed(ip)
        return _private(render(request, "portal/invalid.html", status=404), referrer="no-referrer")
    if not invitation.is_usable:
        return _gone(request, invitation, referrer="no-referrer")
    request.session.cycle_key()
    request.session[SESSION_KEY] = invitation.pk
    if not request.user.is_authenticated:  # a staff browser reads only (the overview says so)
        services.invitation_used(invitation)
    return _private(redirect("portal:overview", invitation.assessment_id), referrer="no-referrer")


STAFF_READ_ONLY = (
    "You are signed in as {user} in this browser, so this vendor link opens read-only: nothing typed here "
    "could be told apart from the vendor's own answers. Answer on the assessment's own pages instead."
)


def _can_edit(request: HttpRequest, invitation: Invitation) -> bool:
    """The vendor may write; a browser that also holds a staff login only reads (F14)."""
    return services.vendor_can_edit(invitation) and not request.user.is_authenticated


def _staff_refusal(request: HttpRequest) -> str | None:
    if request.user.is_authenticated:
        return STAFF_READ_ONLY.format(user=request.user.get_username())
    return None


def _thread_counts(assessment) -> dict[str, int]:
    rows = assessment.clarifications.values("question_code").annotate(n=Count("pk"))
    return {row["question_code"]: row["n"] for row in rows}


def _overview_page(
    request: HttpRequest, invitation: Invitation, *, attestation_form: AttestationForm | None = None, status: int = 200
) -> HttpResponse:
    assessment = invitation.assessment
    progress = section_progress(assessment, audience="vendor")
    codes = {q["code"] for s in services.vendor_sections(assessment) for q in s["questions"]}
    contact = invitation.contact
    # A reassessment: what needs the vendor's attention, and the carried answers to confirm.
    marks = {c: m for c, m in reassessment_marks(assessment).items() if c in codes}
    section_marks = marks_by_section(assessment, marks)
    for row in progress:
        row["marks"] = section_marks.get(row["code"])
    ctx = {
        "reassessment": bool(assessment.previous_id),
        "attention": sum(1 for m in marks.values() if m.state == ATTENTION),
        "to_confirm": sum(1 for m in marks.values() if m.state == CONFIRM),
        "invitation": invitation,
        "assessment": assessment,
        "progress": progress,
        "done": sum(r["done"] for r in progress),
        "total": sum(r["total"] for r in progress),
        "can_edit": _can_edit(request, invitation),
        "staff_note": _staff_refusal(request),
        "threads": sorted(_thread_counts(assessment).items()),
        "evidence": [e for e in assessment.evidence.select_related("document") if e.question_code in codes],
        "owner": assessment.owner or assessment.created_by,
        # The contact's own name and role to start from: whoever answers may be someone else.
        "attestation_form": attestation_form or AttestationForm(initial={"name": contact.name, "title": contact.role}),
        "attestation": assessment.attestations.first() if invitation.submitted_at else None,
    }
    return render(request, "portal/overview.html", ctx, status=status)


@portal_view
def overview(request: HttpRequest, invitation: Invitation) -> HttpResponse:
    return _overview_page(request, invitation)


@portal_view
def section_edit(request: HttpRequest, invitation: Invitation, section: str) -> HttpResponse:
    assessment = invitation.assessment
    sections = services.vendor_sections(assessment)
    section_doc = next((s for s in sections if s["code"] == section), None)
    if section_doc is None:
        raise Http404("No such section.")
    can_edit = _can_edit(request, invitation)
    if request.method == "POST" and not can_edit:
        refusal = _staff_refusal(request)
        if request.headers.get("HX-Request") == "true":
            line = "Not saved: " + (refusal or "these answers are read-only now.")
            return HttpResponse(format_html('<span class="text-danger">{}</span>', line))
        messages.error(request, refusal or "These answers can no longer be changed.")
        return redirect("portal:overview", assessment.pk)
    return section_page(
        request,
        assessment=assessment,
        sections=sections,
        section=section_doc,
        questions=section_doc["questions"],
        can_edit=can_edit,
        by=None,
        by_label=invitation.respondent_label,
        template="portal/section.html",
        urls=PORTAL_SECTION_URLS,
        audience="vendor",
        threads=lambda: _thread_counts(assessment),
        extra={"invitation": invitation, "portal": True},
    )


@portal_view
def clarify(request: HttpRequest, invitation: Invitation, code: str) -> HttpResponse:
    assessment = invitation.assessment
    spec = bank_structure(assessment.bank_version).question_index.get(code)
    if spec is None or spec["audience"] != "vendor":
        raise Http404("No such question.")
    form = MessageForm(request.POST or None)
    if request.method == "POST" and (refusal := _staff_refusal(request)):
        messages.error(request, refusal)
        return redirect("portal:clarify", assessment.pk, code)
    if request.method == "POST" and form.is_valid():
        try:
            assessment_services.clarification_add(
                assessment=assessment,
                question_code=code,
                body=form.cleaned_data["body"],
                vendor_label=invitation.respondent_label,
            )
        except ValidationError as exc:
            form.add_error("body", exc)
        else:
            messages.success(request, "Sent. The team's reply will appear here.")
            return redirect("portal:clarify", assessment.pk, code)
    ctx = {
        "invitation": invitation,
        "assessment": assessment,
        "q": spec,
        "section_code": bank_structure(assessment.bank_version).section_of[code],
        "thread": assessment.clarifications.filter(question_code=code),
        "form": form,
        "can_write": not assessment.is_final and not request.user.is_authenticated,
    }
    return render(request, "portal/clarify.html", ctx, status=400 if form.errors else 200)


ATTESTATION_MISSING = "Not submitted yet: complete the statement below. Nothing you typed has been lost."


@require_POST
@portal_view
def submit(request: HttpRequest, invitation: Invitation) -> HttpResponse:
    if refusal := _staff_refusal(request):
        messages.error(request, refusal)
        return redirect("portal:overview", invitation.assessment_id)
    form = AttestationForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors.as_data())
        services.vendor_submit(invitation=invitation, **form.cleaned_data)
    except services.VendorIncomplete as exc:
        index = bank_structure(invitation.assessment.bank_version).question_index
        ctx = {
            "invitation": invitation,
            "assessment": invitation.assessment,
            "missing": [(s, code, index[code]["text"]) for s, code in exc.missing],
        }
        return render(request, "portal/missing.html", ctx, status=400)
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            messages.error(request, " ".join(exc.messages))
            return redirect("portal:overview", invitation.assessment_id)
        if form.is_valid():  # the service refused what the form accepted: show its reasons on the fields
            for field, errors in exc.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        messages.error(request, ATTESTATION_MISSING)
        return _overview_page(request, invitation, attestation_form=form, status=400)
    messages.success(request, "Submitted. Thank you: the team has been told, and your answers are now read-only.")
    return redirect("portal:overview", invitation.assessment_id)


@require_safe
@portal_view
def evidence_download(request: HttpRequest, invitation: Invitation, evidence_pk: int) -> HttpResponse:
    assessment = invitation.assessment
    codes = {q["code"] for s in services.vendor_sections(assessment) for q in s["questions"]}
    item = get_object_or_404(assessment.evidence.select_related("document"), pk=evidence_pk, question_code__in=codes)
    return document_response(item.document)


@require_POST
def leave(request: HttpRequest) -> HttpResponse:
    """Forget the portal session in this browser (the link itself keeps working until it expires)."""
    request.session.pop(SESSION_KEY, None)
    return _private(render(request, "portal/left.html"))
