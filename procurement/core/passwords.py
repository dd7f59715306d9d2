"""A person changes their own password.

The new password ends every other session (Django's session hash changes; the view keeps the
current one) and revokes the person's API tokens: a token made by someone who had the old
password must not outlive it. The change is written to the person's audit trail.
"""

from __future__ import annotations

from django.db import transaction

from procurement.core.services import audit_own
from procurement.core.tokens import api_tokens_revoke_all


@transaction.atomic
def user_password_change(*, user, new_password: str) -> int:
    """Set ``user``'s password (already validated by the form); returns how many API tokens
    were revoked."""
    user.set_password(new_password)
    user.save(update_fields=["password"])
    revoked = api_tokens_revoke_all(user=user)
    note = "changed their password"
    if revoked:
        note += f"; {revoked} API token{'s' if revoked != 1 else ''} revoked"
    audit_own(user, note)
    return revoked
