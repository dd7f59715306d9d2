"""Recent sign-in: deciding and accepting risk need proof of identity within the last minutes.

The session remembers when its user last proved who they are: at login (a signal) and when
they confirm their password again. Services receive that time and judge it themselves.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils import timezone

SESSION_KEY = "authenticated_at"


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
