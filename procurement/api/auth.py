"""Who calls the API: a personal access token (``Authorization: Bearer pat_…``), and what it may do.

A forged, unknown, expired or revoked token, or one whose owner was deactivated, gets 401.
A read token on a write gets 403. Write requests count against ``WRITES_PER_MINUTE`` per
token (429 past it). The token acts as its user: the same roles and organisation scoping
as the pages.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja.errors import HttpError
from ninja.security import HttpBearer

from procurement.core.access import organisation_for
from procurement.core.models import ApiToken, Organisation
from procurement.core.tokens import WRITES_PER_MINUTE, api_token_for_secret, api_write_allowed


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        found = api_token_for_secret(token)
        if found is not None:
            request.user = found.user
        return found


def writer(request: HttpRequest) -> None:
    """Refuse a write with a read token (403) or past the token's rate limit (429)."""
    token: ApiToken = request.auth
    if token.scope != ApiToken.Scope.WRITE:
        raise HttpError(403, "This token is read-only; make a read-and-write token to change anything.")
    if not api_write_allowed(token):
        raise HttpError(429, f"Too many changes: a token may make {WRITES_PER_MINUTE} a minute. Try again shortly.")


def organisation(request: HttpRequest) -> Organisation:
    """The caller's organisation; someone without one (site staff) sees nothing, as in the pages."""
    from django.http import Http404

    org = organisation_for(request.user)
    if org is None:
        raise Http404
    return org
