"""Recent sign-in: deciding and accepting risk need proof of identity within the last minutes.

The session remembers when its user last proved who they are: at login (a signal) and when
they confirm their password again. Services receive that time and judge it themselves.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

SESSION_KEY = "authenticated_at"


def reauth_minutes() -> int:
    return getattr(settings, "DECISION_REAUTH_MINUTES", 15)


def recently_authenticated(authenticated_at: dt.datetime | None, *, now: dt.datetime | None = None) -> bool:
    """Whether a proof of identity at ``authenticated_at`` is recent enough for a sensitive action."""
    if authenticated_at is None:
        return False
    now = now or timezone.now()
    return dt.timedelta(0) <= now - authenticated_at <= dt.timedelta(minutes=reauth_minutes())


def confirm_first(request, *, next_url: str | None = None):
    """A redirect to the password confirmation when the sign-in is not recent enough, else None.
    After confirming, the person comes back to ``next_url`` (by default, this page)."""
    if recently_authenticated(authenticated_at(request)):
        return None
    target = next_url or request.get_full_path()
    return redirect(f"{reverse('accounts:confirm_password')}?{urlencode({'next': target})}")


def authenticated_mark(request) -> None:
    request.session[SESSION_KEY] = timezone.now().isoformat()


def authenticated_at(request) -> dt.datetime | None:
    """When this session's user last signed in or confirmed their password (None if unknown)."""
    raw = request.session.get(SESSION_KEY)
    try:
        return dt.datetime.fromisoformat(raw) if raw else None
    except (TypeError, ValueError):
        return None


@receiver(user_logged_in, dispatch_uid="core.reauth.mark_login")
def _on_login(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        authenticated_mark(request)
