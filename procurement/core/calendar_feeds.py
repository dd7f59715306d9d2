"""Personal calendar addresses: the secret URL of a person's iCalendar feed.

The secret is ``cal_`` followed by 40 random URL-safe characters. Only its SHA-256 hash is
stored (as for API tokens, procurement/core/tokens.py), so the address is shown once, when
made; a person who lost it makes a new one, which revokes the old. The feed itself is drawn
by procurement/portfolio (it reads the obligations calendar); the path carries the secret,
so log redaction (procurement/core/redaction.py) blanks it.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.db import transaction
from django.utils import timezone

from procurement.core.models import CalendarFeed
from procurement.core.services import audit_own
from procurement.core.tokens import secret_hash, sso_vouched_for

PREFIX = "cal_"
# Write "last used" at most this often: calendar apps poll every few minutes.
LAST_USED_EVERY = dt.timedelta(hours=1)


def calendar_feed_live(user) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).first()


@transaction.atomic
def calendar_feed_create(*, user, scope: str) -> tuple[CalendarFeed, str]:
    """A new address for ``user`` (revoking the one they had); returns it and its secret
    (shown once, never stored)."""
    if scope not in CalendarFeed.Scope.values:
        raise ValueError(f"unknown calendar feed scope {scope!r}")
    replaced = CalendarFeed.objects.select_for_update().filter(user=user, revoked_at__isnull=True)
    had = replaced.update(revoked_at=timezone.now())
    secret = PREFIX + secrets.token_urlsafe(30)
    feed = CalendarFeed.objects.create(user=user, secret_hash=secret_hash(secret), scope=scope)
    what = CalendarFeed.Scope(scope).label.lower()
    audit_own(user, f"made a new calendar feed address ({what})" + (", revoking the old one" if had else ""))
    return feed, secret


@transaction.atomic
def calendar_feed_revoke(*, user) -> bool:
    """Revoke ``user``'s live address; False when they had none."""
    revoked = CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    if revoked:
        audit_own(user, "revoked their calendar feed address")
    return bool(revoked)


def calendar_feeds_revoke_all(*, user) -> int:
    """Revoke every live address of ``user`` (their deactivation); how many."""
    return CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())


def calendar_feed_for_secret(secret: str) -> CalendarFeed | None:
    """The live feed whose secret this is, for an active user; None for anything else (a
    revoked, unknown or malformed secret, a deactivated person, or one not signed in through
    single sign-on recently: ``sso_vouched_for``)."""
    if not secret.startswith(PREFIX) or len(secret) > 100:
        return None
    feed = (
        CalendarFeed.objects.select_related("user")
        .filter(secret_hash=secret_hash(secret), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if feed is not None and not sso_vouched_for(feed.user):
        return None
    if feed is not None:
        now = timezone.now()
        if feed.last_used_at is None or now - feed.last_used_at > LAST_USED_EVERY:
            CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=now)
    return feed
