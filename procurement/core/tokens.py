"""Personal access tokens for the REST API.

A token's secret is ``pat_`` followed by 40 random URL-safe characters. Only its SHA-256 hash
is stored, so a database leak gives no usable token; the secret is returned once, by
``api_token_create``, for the page to show. ``prefix`` (the first 12 characters) names the
token in lists. Tokens expire (at most ``MAX_DAYS``), can be revoked by their owner, and are
all revoked when an admin deactivates their owner (``api_tokens_revoke_all``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from procurement.core.models import ApiRateCount, ApiToken, ExternalIdentity
from procurement.core.services import audit_own

PREFIX = "pat_"
PREFIX_SHOWN = 12
MAX_DAYS = 365
DEFAULT_DAYS = 90
# Write requests (POST, PUT, PATCH, DELETE) per token per minute.
WRITES_PER_MINUTE = 60
# Write "last used" at most this often, so reads do not each cost a write.
LAST_USED_EVERY = dt.timedelta(minutes=1)


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _audit(user, note: str) -> None:
    audit_own(user, note)


@transaction.atomic
def api_token_create(*, user, name: str, scope: str, days: int) -> tuple[ApiToken, str]:
    """Make a token for ``user``; returns it and its secret (shown once, never stored)."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "Give the token a name, e.g. the script that uses it."})
    if scope not in ApiToken.Scope.values:
        raise ValidationError({"scope": "Choose read only, or read and write."})
    if not 1 <= days <= MAX_DAYS:
        raise ValidationError({"days": f"A token may be valid for 1 to {MAX_DAYS} days."})
    secret = PREFIX + secrets.token_urlsafe(30)
    now = timezone.now()
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=secret[:PREFIX_SHOWN],
        secret_hash=secret_hash(secret),
        scope=scope,
        created_at=now,
        expires_at=now + dt.timedelta(days=days),
    )
    _audit(
        user,
        f"made the API token “{name}” ({token.get_scope_display().lower()}, "
        f"valid until {timezone.localtime(token.expires_at):%d %b %Y})",
    )
    return token, secret


@transaction.atomic
def api_token_revoke(*, user, token_id: int) -> bool:
    """Revoke one of ``user``'s own tokens. Another person's id is as unknown as a wrong one."""
    token = ApiToken.objects.select_for_update().filter(user=user, pk=token_id).first()
    if token is None:
        raise ApiToken.DoesNotExist
    if token.revoked_at is not None:
        return False
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    _audit(user, f"revoked the API token “{token.name}” ({token.prefix}…)")
    return True


def api_tokens_revoke_all(*, user) -> int:
    """Revoke every live token of ``user`` (their account was deactivated)."""
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())


def sso_vouched_for(user, *, now: dt.datetime | None = None) -> bool:
    """Whether a standing credential of ``user`` (an API token, a calendar feed address) may still
    be used: always, unless single sign-on is on and the person is known through it, in which case
    their last sign-in there must be at most OIDC_CREDENTIALS_SIGN_IN_DAYS old. The provider
    re-checks someone only when they sign in, and a script using a token never does."""
    if not settings.OIDC_ISSUER:
        return True
    stamps = list(ExternalIdentity.objects.filter(user=user).values_list("last_login_at", flat=True))
    if not stamps:
        return True  # not a single sign-on user
    last = max((stamp for stamp in stamps if stamp is not None), default=None)
    now = now or timezone.now()
    return last is not None and last >= now - dt.timedelta(days=settings.OIDC_CREDENTIALS_SIGN_IN_DAYS)


def api_token_for_secret(secret: str) -> ApiToken | None:
    """The usable token with this secret, or None (unknown, forged, expired, revoked, its user
    deactivated, or not signed in through single sign-on recently: ``sso_vouched_for``). Notes
    when it was last used."""
    if not secret.startswith(PREFIX) or len(secret) > 200:
        return None
    token = ApiToken.objects.select_related("user").filter(secret_hash=secret_hash(secret)).first()
    if token is None or not token.is_usable or not token.user.is_active or not sso_vouched_for(token.user):
        return None
    now = timezone.now()
    if token.last_used_at is None or token.last_used_at < now - LAST_USED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def api_write_allowed(token: ApiToken, *, now: dt.datetime | None = None) -> bool:
    """Count one write request for ``token`` this minute; False once it is over the limit."""
    now = now or timezone.now()
    minute = now.replace(second=0, microsecond=0)
    with transaction.atomic():
        updated = ApiRateCount.objects.filter(token=token, minute=minute).update(count=F("count") + 1)
        if not updated:
            try:
                with transaction.atomic():
                    ApiRateCount.objects.create(token=token, minute=minute, count=1)
            except IntegrityError:  # another request made this minute's row first
                ApiRateCount.objects.filter(token=token, minute=minute).update(count=F("count") + 1)
            ApiRateCount.objects.filter(token=token, minute__lt=minute - dt.timedelta(minutes=5)).delete()
        count = ApiRateCount.objects.filter(token=token, minute=minute).values_list("count", flat=True).first()
    return (count or 0) <= WRITES_PER_MINUTE
