"""The team's side of the vendor portal: invite contacts, revoke links, reopen a submission."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from procurement.assessments.selectors import assessment_for_user
from procurement.core.access import EDITORS, require_role
from procurement.portal import services
from procurement.portal.forms import InviteForm, NoteForm


def _editable(request: HttpRequest, pk: int):
    assessment = assessment_for_user(request.user, pk)
    require_role(request.user, *EDITORS)
    return assessment


def _invitation(request: HttpRequest, pk: int, invitation_pk: int):
    assessment = _editable(request, pk)
    return assessment, get_object_or_404(assessment.invitations.select_related("contact"), pk=invitation_pk)


# The links just sent, per assessment, for the next page this browser shows: the copyable link
# is shown to the inviter once, at send time, and never on a later page (a link on every page
# load would let any editor who opens the page later answer as the vendor). Ids only: the
# link itself is never stored in the session.
FRESH_LINKS_KEY = "portal_fresh_links"


def fresh_links_remember(request: HttpRequest, assessment, invitations) -> None:
    fresh = request.session.get(FRESH_LINKS_KEY, {})
    fresh[str(assessment.pk)] = [i.pk for i in invitations]
    request.session[FRESH_LINKS_KEY] = fresh


def fresh_links_take(request: HttpRequest, assessment) -> set[int]:
    """The invitations sent from this browser whose link the page may show now; shown once."""
    fresh = request.session.get(FRESH_LINKS_KEY)
    if not fresh or str(assessment.pk) not in fresh:
        return set()
    taken = set(fresh.pop(str(assessment.pk)))
    request.session[FRESH_LINKS_KEY] = fresh
    return taken


def _form_errors(form) -> str:
    return " ".join(e for errors in form.errors.values() for e in errors)


@login_required
@require_POST
def invite(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _editable(request, pk)
    form = InviteForm(request.POST, contacts=assessment.service.vendor.contacts.all())
    if not form.is_valid():
        messages.error(request, "Not invited: " + _form_errors(form))
        return redirect(assessment)
    try:
        sent = services.invite(
            assessment=assessment,
            contacts=list(form.cleaned_data["contacts"]),
            by=request.user,
            days=form.cleaned_data["days"],
            message=form.cleaned_data["message"],
            base_url=request.build_absolute_uri("/"),
        )
    except ValidationError as exc:
        messages.error(request, "Not invited: " + " ".join(exc.messages))
    else:
        names = ", ".join(i.contact.name for i in sent)
        fresh_links_remember(request, assessment, sent)
        messages.success(
            request,
            f"Invitation for {names} saved; the mail is on its way (its state shows below). "
            "The link is shown below this once, if you need to send it yourself.",
        )
    return redirect(assessment)


@login_required
@require_POST
def resend(request: HttpRequest, pk: int, invitation_pk: int) -> HttpResponse:
    """Try a failed invitation or reminder mail again."""
    assessment, invitation = _invitation(request, pk, invitation_pk)
    if services.invitation_mail_retry(invitation=invitation):
        messages.success(request, f"The mail to {invitation.contact.name} will be tried again now.")
    else:
        messages.info(request, f"No failed mail to {invitation.contact.name} to try again.")
    return redirect(assessment)


@login_required
@require_POST
def revoke(request: HttpRequest, pk: int, invitation_pk: int) -> HttpResponse:
    assessment, invitation = _invitation(request, pk, invitation_pk)
    services.invitation_revoke(invitation=invitation, by=request.user)
    messages.success(request, f"The link for {invitation.contact.name} no longer works.")
    return redirect(assessment)


@login_required
@require_POST
def reopen(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _editable(request, pk)
    form = NoteForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("Say what the vendor should change.")
        services.vendor_reopen(assessment=assessment, by=request.user, note=form.cleaned_data["note"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "The vendor can change its answers again; your note is shown in the portal.")
    return redirect(assessment)
