"""A person changes their own password.

The new password ends every other session (Django's session hash changes; the view keeps the
current one) and revokes the person's API tokens and calendar feed addresses: a credential made
by someone who had the old password must not outlive it. The change is written to the person's audit trail.
"""

from __future__ import annotations

from django.db import transaction

from procurement.core.calendar_feeds import calendar_feeds_revoke_all
from procurement.core.services import audit_own
from procurement.core.tokens import api_tokens_revoke_all


@transaction.atomic
def user_password_change(*, user, new_password: str) -> int:
    """Set ``user``'s password (already validated by the form); returns how many API tokens and
    calendar feed addresses were revoked."""
    user.set_password(new_password)
    user.save(update_fields=["password"])
    tokens = api_tokens_revoke_all(user=user)
    feeds = calendar_feeds_revoke_all(user=user)
    revoked = tokens + feeds
    note = "changed their password"
    if tokens:
        note += f"; {tokens} API token{'s' if tokens != 1 else ''} revoked"
    if feeds:
        note += f"; {feeds} calendar feed address{'es' if feeds != 1 else ''} revoked"
    audit_own(user, note)
    return revoked
