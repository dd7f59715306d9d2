"""Members of an organisation, managed by its admins; and the page where an invited person joins."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from procurement.core import members, mfa, sso
from procurement.core.access import membership_for, require_role
from procurement.core.forms import MemberInviteForm, MemberJoinForm
from procurement.core.models import MemberInvitation, Membership
from procurement.core.reauth import confirm_first


def admin_organisation(request: HttpRequest):
    """The organisation whose members this admin manages: 404 outside one, 403 for other roles."""
    membership = membership_for(request.user)
    if membership is None:
        raise Http404
    require_role(request.user, Membership.Role.ADMIN)
    return membership.organisation


def _refusal(request: HttpRequest, exc: ValidationError) -> None:
    messages.error(request, " ".join(exc.messages) + " Nothing was changed.")


@login_required
def member_list(request: HttpRequest) -> HttpResponse:
    """Members with their roles, open invitations, the invite form and the change history."""
    organisation = admin_organisation(request)
    # Who belongs to the organisation is a sensitive change: it needs a recent sign-in.
    if response := confirm_first(request, next_url=request.path):
        return response
    invitations_on = sso.passwords_for_everyone()
    form = MemberInviteForm(request.POST or None)
    if request.method == "POST" and not invitations_on:
        messages.error(request, members.SSO_ONLY + " Nothing was sent.")
        return redirect("accounts:members")
    if request.method == "POST" and form.is_valid():
        try:
            invitation = members.member_invite(
                organisation=organisation,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                by=request.user,
                base_url=request.build_absolute_uri("/"),
            )
        except ValidationError as exc:
            form.add_error("email", exc)
        else:
            messages.success(
                request,
                f"Invitation sent to {invitation.email} as {invitation.get_role_display().lower()}; "
                f"the link works until {members.short_day(invitation.expires_at)}.",
            )
            return redirect("accounts:members")
    rows = organisation.memberships.select_related("user").order_by("-user__is_active", "user__last_name", "pk")
    invitations = list(organisation.member_invitations.filter(accepted_at__isnull=True, revoked_at__isnull=True)[:50])
    status = members.member_invitation_mail_status(invitations)
    for invitation in invitations:
        invitation.mail = status.get(invitation.pk)
    ctx = {
        "organisation": organisation,
        "members": rows,
        "roles": Membership.Role.choices,
        "invitations": invitations,
        "sso_requests": list(sso.sso_requests_pending(organisation)[:50]),
        "form": form,
        "invitations_on": invitations_on,
        "sso_name": sso.provider_name(),
        "approval": sso.approval_needed(),
        "history": organisation.audit_events.all()[:15],
    }
    return render(request, "accounts/members.html", ctx, status=400 if form.errors else 200)


@login_required
@require_POST
def member_change(request: HttpRequest, pk: int) -> HttpResponse:
    """Change one member's role, or deactivate / reactivate their account."""
    organisation = admin_organisation(request)
    if not organisation.memberships.filter(pk=pk).exists():
        raise Http404
    if response := confirm_first(request, next_url="/accounts/members/"):
        return response
    try:
        if "role" in request.POST:
            changed = members.member_role_set(
                organisation=organisation, membership_id=pk, role=request.POST["role"], by=request.user
            )
        elif request.POST.get("active") in ("0", "1"):
            changed = members.member_active_set(
                organisation=organisation, membership_id=pk, active=request.POST["active"] == "1", by=request.user
            )
        else:
            messages.error(request, "Nothing to change was sent.")
            return redirect("accounts:members")
    except Membership.DoesNotExist:
        raise Http404 from None
    except ValidationError as exc:
        _refusal(request, exc)
    else:
        messages.success(request, "Saved." if changed else "Nothing changed.")
    return redirect("accounts:members")


@login_required
@require_POST
def member_invitation_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = admin_organisation(request)
    invitation = MemberInvitation.objects.filter(organisation=organisation, pk=pk).first()
    if invitation is None:
        raise Http404
    try:
        members.member_invitation_revoke(invitation=invitation, by=request.user)
    except ValidationError as exc:
        _refusal(request, exc)
    else:
        messages.success(request, f"The invitation to {invitation.email} was withdrawn; its link no longer works.")
    return redirect("accounts:members")


def join(request: HttpRequest, token: str) -> HttpResponse:
    """An invited person creates their account from the mailed link, and is signed in."""
    invitation = members.member_invitation_from_token(token)
    if invitation is None:
        raise Http404("This invitation link is not valid.")
    ctx = {"invitation": invitation, "organisation": invitation.organisation}
    if not invitation.is_usable:
        return render(request, "accounts/join_closed.html", ctx, status=410)
    if not sso.passwords_for_everyone():
        ctx["sso_name"] = sso.provider_name()
        return render(request, "accounts/join_closed.html", ctx, status=410)
    if request.user.is_authenticated:
        return render(request, "accounts/join_signed_in.html", ctx, status=409)
    form = MemberJoinForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = members.member_invitation_accept(
                invitation=invitation,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password1"],
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
            )
        except ValidationError as exc:
            if exc.code == "username":
                form.add_error("username", exc)
            else:
                return render(request, "accounts/join_closed.html", ctx, status=410)
        else:
            login(request, user, backend="procurement.core.sso.PasswordBackend")
            messages.success(request, f"Welcome to {invitation.organisation.name}.")
            return redirect("core:home")
    ctx["form"] = form
    return render(request, "accounts/join.html", ctx, status=400 if form.errors else 200)


@login_required
@require_POST
def two_step_require(request: HttpRequest) -> HttpResponse:
    """An org admin requires (or stops requiring) two-step sign-in for every member."""
    organisation = admin_organisation(request)
    if response := confirm_first(request, next_url="/accounts/members/"):
        return response
    required = request.POST.get("require_two_step") == "on"
    if required and not mfa.enrolled(request.user):
        messages.error(request, "Set up two-step sign-in for yourself first, so you are not locked out.")
        return redirect("accounts:members")
    changed = mfa.organisation_two_step_require(organisation=organisation, required=required, by=request.user)
    if changed and required:
        messages.success(request, "Two-step sign-in is now required: members without it set it up at their next page.")
    else:
        messages.success(request, "Saved." if changed else "Nothing changed.")
    return redirect("accounts:members")
