"""Personal API tokens: made on one's own page, shown once, stored hashed, revoked by their
owner or at once when an admin deactivates the owner."""

import hashlib
import re

import pytest
from django.urls import reverse

from procurement.core import members
from procurement.core.models import ApiToken, AuditEvent
from procurement.core.tokens import MAX_DAYS, api_token_create, api_token_for_secret

pytestmark = pytest.mark.django_db


def _make(client, **data):
    return client.post(reverse("accounts:tokens"), {"name": "sync script", "scope": "write", "days": 30, **data})


def test_a_new_token_is_shown_once_and_only_its_hash_is_kept(client, personas):
    client.force_login(personas["analyst"])
    page = _make(client)
    assert page.status_code == 200
    secret = re.search(r'id="new-token">(pat_[^<]+)<', page.content.decode()).group(1)
    token = ApiToken.objects.get(user=personas["analyst"])
    assert token.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in {str(v) for v in ApiToken.objects.values().get().values()}
    assert token.prefix == secret[:12] and token.scope == "write"
    again = client.get(reverse("accounts:tokens")).content.decode()
    assert secret not in again and token.prefix in again
    assert AuditEvent.objects.filter(note__contains="made the API token “sync script”").exists()


def test_expiry_is_required_and_at_most_a_year(client, personas):
    client.force_login(personas["viewer"])
    assert _make(client, days=MAX_DAYS + 1).status_code == 400
    assert _make(client, days="").status_code == 400
    assert not ApiToken.objects.exists()
    with pytest.raises(Exception, match="1 to 365"):
        api_token_create(user=personas["viewer"], name="x", scope="read", days=0)


def test_revoking_stops_the_token_and_is_audited(client, personas):
    token, secret = api_token_create(user=personas["viewer"], name="ci", scope="read", days=10)
    assert api_token_for_secret(secret) == token
    client.force_login(personas["viewer"])
    assert client.post(reverse("accounts:token_revoke", args=[token.pk])).status_code == 302
    assert api_token_for_secret(secret) is None
    assert client.get("/api/v1/vendors", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401
    assert AuditEvent.objects.filter(note__contains="revoked the API token “ci”").exists()
    assert "revoked" in client.get(reverse("accounts:tokens")).content.decode()


def test_nobody_revokes_another_persons_token(client, personas):
    token, secret = api_token_create(user=personas["viewer"], name="ci", scope="read", days=10)
    client.force_login(personas["admin"])
    assert client.post(reverse("accounts:token_revoke", args=[token.pk])).status_code == 404
    assert api_token_for_secret(secret) is not None


def test_deactivating_a_member_revokes_their_tokens_at_once(client, personas, org):
    token, secret = api_token_create(user=personas["analyst"], name="ci", scope="write", days=10)
    membership = personas["analyst"].memberships.get()
    members.member_active_set(organisation=org, membership_id=membership.pk, active=False, by=personas["admin"])
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEvent.objects.filter(note="analyst: 1 API token(s) revoked with the deactivation").exists()
    assert client.get("/api/v1/vendors", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401
    # Coming back does not bring the old tokens back.
    members.member_active_set(organisation=org, membership_id=membership.pk, active=True, by=personas["admin"])
    assert api_token_for_secret(secret) is None


def test_a_deactivated_users_token_is_refused_even_if_not_revoked(personas):
    _, secret = api_token_create(user=personas["reviewer"], name="ci", scope="read", days=10)
    personas["reviewer"].is_active = False
    personas["reviewer"].save()
    assert api_token_for_secret(secret) is None
