"""Account pages: confirming one's password before a sensitive action, and the organisation's
decision rules (who may decide what), which its admins set."""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth import authenticate, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from procurement.core import mfa, passwords, sso
from procurement.core.access import is_org_admin, membership_for, organisation_for, require_role
from procurement.core.forms import AccountPasswordChangeForm
from procurement.core.models import Membership
from procurement.core.reauth import authenticated_mark, confirm_first
from procurement.core.services import organisation_decision_rules_set


class PasswordConfirmForm(forms.Form):
    password = forms.CharField(label="Your password", strip=False, widget=forms.PasswordInput)


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return "/"


@login_required
def confirm_password(request: HttpRequest) -> HttpResponse:
    """Prove it is still you; the next page's sensitive action is then allowed for a while."""
    form = PasswordConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        # Through authenticate(), so failed attempts count towards the lockout like logins do.
        user = authenticate(request, username=request.user.get_username(), password=form.cleaned_data["password"])
        if user is not None and user.pk == request.user.pk:
            authenticated_mark(request)
            return redirect(_safe_next(request))
        form.add_error("password", "That is not your password.")
    ctx = {
        "form": form,
        "next": _safe_next(request),
        # Someone who signs in through single sign-on has no password here: their provider confirms it.
        "sso_reauth": sso.enabled() and not request.user.has_usable_password(),
        "sso_name": sso.provider_name(),
    }
    return render(request, "accounts/confirm_password.html", ctx)


@login_required
def decision_rules(request: HttpRequest) -> HttpResponse:
    """Organisation admins set each member's decision authority and separation of duties."""
    membership = membership_for(request.user)
    if membership is None:
        raise Http404
    require_role(request.user, Membership.Role.ADMIN)
    # Who may decide what is itself a sensitive change: it needs a recent sign-in.
    if response := confirm_first(request, next_url=request.path):
        return response
    organisation = membership.organisation
    members = list(organisation.memberships.select_related("user").order_by("user__last_name", "user__username"))
    levels = dict(Membership.Authority.choices)
    if request.method == "POST":
        authorities = {}
        for m in members:
            raw = request.POST.get(f"authority-{m.pk}", str(m.authority))
            if not raw.isdigit() or int(raw) not in levels:
                messages.error(request, "Choose one of the listed authority levels; nothing was changed.")
                return redirect("accounts:decision_rules")
            authorities[m.pk] = int(raw)
        changes = organisation_decision_rules_set(
            organisation=organisation,
            separation_of_duties=request.POST.get("separation_of_duties") == "on",
            authorities=authorities,
            by=request.user,
        )
        messages.success(request, ("Saved: " + "; ".join(changes) + ".") if changes else "Nothing changed.")
        return redirect("accounts:decision_rules")
    ctx = {
        "organisation": organisation,
        "members": members,
        "levels": Membership.Authority.choices,
        "is_admin": is_org_admin(request.user),
        "history": organisation.audit_events.all()[:10],
    }
    return render(request, "accounts/decision_rules.html", ctx)


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=40,
        help_text="The 6-digit code your authenticator app shows now, or one of your recovery codes. "
        "You may paste it; spaces are ignored.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autocapitalize": "off", "spellcheck": "false"}),
    )


@login_required
def two_step(request: HttpRequest) -> HttpResponse:
    """One's own two-step sign-in: set it up (scan, confirm with a code, keep the recovery codes),
    make new recovery codes, or turn it off where the organisation allows."""
    if not request.user.has_usable_password():
        # Signed in through single sign-on only: the identity provider's own second factor applies.
        return render(request, "accounts/two_step.html", {"sso_only": True})
    if mfa.enrolled(request.user) and not request.user.is_verified():
        # Signed in with the password only: nothing here (new recovery codes, turning it off)
        # until the code is typed, or the password alone would unlock the second step.
        return redirect(f"{reverse('accounts:two_step_verify')}?{urlencode({'next': request.path})}")
    form = CodeForm(request.POST if request.POST.get("action") == "confirm" else None)
    form.fields["code"].help_text = "The 6-digit code the app shows now. You may paste it; spaces are ignored."
    codes = None
    action = request.POST.get("action") if request.method == "POST" else None
    if action in ("renew", "off") and (response := confirm_first(request, next_url=request.path)):
        return response
    if action == "start":
        mfa.two_step_setup_start(user=request.user)
        return redirect("accounts:two_step")
    if action == "confirm" and form.is_valid():
        codes = mfa.two_step_setup_confirm(request=request, code=form.cleaned_data["code"])
        if codes is None:
            form.add_error(
                "code", "That code does not match; check the app shows this site's key, then try its next code."
            )
    elif action == "renew":
        codes = mfa.two_step_recovery_codes_renew(user=request.user)
    elif action == "off":
        try:
            mfa.two_step_turn_off(request=request)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "Two-step sign-in is off for your account.")
        return redirect("accounts:two_step")
    enrolled = mfa.enrolled(request.user)
    pending = None if enrolled else mfa.pending_device(request.user)
    organisation = organisation_for(request.user)
    ctx = {
        "enrolled": enrolled,
        "pending": pending,
        "qr": mfa.qr_svg(pending) if pending else "",
        "secret": mfa.secret_text(pending) if pending else "",
        "form": form,
        "codes": codes,
        "codes_left": mfa.recovery_codes_left(request.user) if enrolled else 0,
        "required": bool(organisation and organisation.require_two_step),
        "organisation": organisation,
        "next": _safe_next(request) if request.GET.get("next") else "",
    }
    return render(request, "accounts/two_step.html", ctx, status=400 if form.errors else 200)


@login_required
def two_step_verify(request: HttpRequest) -> HttpResponse:
    """The second step after the password."""
    if request.user.is_verified() or not mfa.enrolled(request.user):
        return redirect(_safe_next(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome = mfa.two_step_verify(request=request, code=form.cleaned_data["code"])
        if outcome == mfa.OK:
            return redirect(_safe_next(request))
        if outcome == mfa.WAIT:
            form.add_error("code", "Too many wrong codes: wait a little, then type the code the app shows next.")
        else:
            form.add_error("code", "That code does not match. Wait for the next code, or use a recovery code.")
    ctx = {"form": form, "next": _safe_next(request)}
    return render(request, "accounts/two_step_verify.html", ctx, status=400 if form.errors else 200)


@sensitive_post_parameters()
@never_cache
@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    """Change one's own password: the old one, then the new one twice (Django's validators).
    Someone who signs in through single sign-on has no password here: the page says so."""
    if not request.user.has_usable_password():
        ctx = {"sso": sso.enabled(), "sso_name": sso.provider_name()}
        return render(request, "accounts/password.html", ctx, status=200 if request.method == "GET" else 400)
    form = AccountPasswordChangeForm(request.user, request.POST or None, request=request)
    if request.method == "POST" and form.is_valid():
        revoked = passwords.user_password_change(user=request.user, new_password=form.cleaned_data["new_password1"])
        update_session_auth_hash(request, request.user)
        note = " Your API tokens and calendar feed addresses were revoked: make new ones where needed."
        messages.success(
            request,
            "Password changed. You stay signed in here; other sessions are signed out." + (note if revoked else ""),
        )
        return redirect("accounts:password")
    return render(request, "accounts/password.html", {"form": form}, status=400 if form.errors else 200)
