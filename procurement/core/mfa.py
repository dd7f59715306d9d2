"""Two-step sign-in for local accounts: a time-based code from an authenticator app (TOTP,
RFC 6238) with single-use recovery codes, through django-otp.

* A person who has set it up is asked for a code after their password, before any page.
* An organisation's admins can require it: a member who has not set it up is sent to set it
  up before any page.
* Codes may be typed or pasted, with or without spaces (WCAG 3.3.8: no memorising, no
  retyping); wrong codes are throttled by django-otp (growing delays per device).

Whether the signed-in person owes a second step is worked out once per session (a flag set
at sign-in), so pages pay no extra query.
"""

from __future__ import annotations

import io
import re
from base64 import b32encode
from collections.abc import Callable
from urllib.parse import urlencode

import django_otp
from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import ValidationError
from django.db import transaction
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from procurement.core.access import organisation_for
from procurement.core.models import Organisation
from procurement.core.services import audit_add, audit_own

RECOVERY_CODES = 10
APP_DEVICE = "Authenticator app"
RECOVERY_DEVICE = "Recovery codes"
SESSION_HAS_DEVICE = "two_step_enrolled"
# Pages a person who owes a second step may still open: the step itself, leaving, and assets.
OPEN_PATHS = ("/accounts/two-step/", "/accounts/logout/", "/static/", "/portal/")
# Two-step sign-in is for local accounts: someone signed in through single sign-on proved who
# they are to their identity provider, whose own second factor applies (procurement/core/sso.py).
SSO_BACKEND = "procurement.core.sso.SsoBackend"


def code_clean(raw: str) -> str:
    """What people paste: ``123 456``, ``123-456``, a recovery code with spaces. Keep letters
    and digits only."""
    return re.sub(r"[^0-9A-Za-z]", "", raw or "")


def enrolled(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def two_step_setup_start(*, user) -> TOTPDevice:
    """A fresh, unconfirmed authenticator key for ``user`` (an earlier unconfirmed one is dropped)."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=APP_DEVICE, confirmed=False)


def pending_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()


def qr_svg(device: TOTPDevice) -> str:
    """The key as a QR code an authenticator app scans: SVG markup, made here (no outside service)."""
    import qrcode
    import qrcode.image.svg

    out = io.BytesIO()
    qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8).save(out)
    svg = out.getvalue().decode()
    return svg[svg.index("<svg") :]


def secret_text(device: TOTPDevice) -> str:
    """The key in base32, in groups of four, for typing into an app that cannot scan."""
    key = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def _recovery_codes_new(user) -> list[str]:
    device, _ = StaticDevice.objects.get_or_create(user=user, name=RECOVERY_DEVICE, defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes


@transaction.atomic
def two_step_setup_confirm(*, request: HttpRequest, code: str) -> list[str] | None:
    """Confirm the pending key with a code the app shows. Returns the new recovery codes (to
    show once), or None when the code is wrong. The session counts as verified at once."""
    device = pending_device(request.user)
    if device is None or not device.verify_token(code_clean(code)):
        return None
    TOTPDevice.objects.filter(user=request.user, confirmed=True).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _recovery_codes_new(request.user)
    django_otp.login(request, device)
    request.session[SESSION_HAS_DEVICE] = True
    _audit(request.user, "turned on two-step sign-in")
    return codes


@transaction.atomic
def two_step_recovery_codes_renew(*, user) -> list[str]:
    codes = _recovery_codes_new(user)
    _audit(user, "made new recovery codes (the old ones no longer work)")
    return codes


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__name=RECOVERY_DEVICE).count()


@transaction.atomic
def two_step_turn_off(*, request: HttpRequest) -> None:
    """Remove the person's authenticator and recovery codes; refused where their organisation
    requires two-step sign-in."""
    organisation = _organisation(request.user)
    if organisation is not None and organisation.require_two_step:
        raise ValidationError(f"{organisation.name} requires two-step sign-in; it cannot be turned off.")
    TOTPDevice.objects.filter(user=request.user).delete()
    StaticDevice.objects.filter(user=request.user).delete()
    request.session[SESSION_HAS_DEVICE] = False
    _audit(request.user, "turned off two-step sign-in")


WAIT = "wait"
WRONG = "wrong"
OK = "ok"


def two_step_verify(*, request: HttpRequest, code: str) -> str:
    """The second step after the password: an app code or an unused recovery code. Returns
    ``OK``, ``WRONG``, or ``WAIT`` while django-otp's delay after wrong codes runs (every
    device of the person is then refusing codes, the right one included)."""
    devices = [
        *TOTPDevice.objects.filter(user=request.user, confirmed=True),
        *StaticDevice.objects.filter(user=request.user),
    ]
    if devices and not any(d.verify_is_allowed()[0] for d in devices):
        return WAIT
    device = django_otp.match_token(request.user, code_clean(code))
    if device is None:
        return WRONG
    django_otp.login(request, device)
    return OK


@transaction.atomic
def organisation_two_step_require(*, organisation: Organisation, required: bool, by) -> bool:
    if organisation.require_two_step == required:
        return False
    organisation.require_two_step = required
    organisation.save(update_fields=["require_two_step", "updated_at"])
    note = "two-step sign-in " + ("required for every member" if required else "no longer required")
    audit_add(organisation=organisation, by=by, note=note)
    return True


def _organisation(user) -> Organisation | None:
    return organisation_for(user)


def _audit(user, note: str) -> None:
    audit_own(user, note)


@receiver(user_logged_in, dispatch_uid="core.mfa.note_enrolment")
def _on_login(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_HAS_DEVICE] = enrolled(user)


class TwoStepMiddleware:
    """Sends a signed-in person who owes a second step to it before any other page: the code
    prompt when they have set it up, the set-up page when their organisation requires it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or request.path.startswith(OPEN_PATHS):
            return self.get_response(request)
        if user.is_verified() or request.session.get(BACKEND_SESSION_KEY) == SSO_BACKEND:
            return self.get_response(request)
        has_device = request.session.get(SESSION_HAS_DEVICE)
        if has_device is None:  # a session from before this flag existed
            has_device = request.session[SESSION_HAS_DEVICE] = enrolled(user)
        if has_device:
            return self._to("accounts:two_step_verify", request)
        organisation = _organisation(user)
        if organisation is not None and organisation.require_two_step:
            return self._to("accounts:two_step", request)
        return self.get_response(request)

    @staticmethod
    def _to(name: str, request: HttpRequest) -> HttpResponse:
        target = request.get_full_path() if request.method == "GET" else "/"
        return redirect(f"{reverse(name)}?{urlencode({'next': target})}")
