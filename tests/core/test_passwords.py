"""A person changes their own password: the old one is checked, other sessions end, API tokens
are revoked, and the change is on the audit trail."""

import pytest
from django.test import Client
from django.urls import reverse

from procurement.core.models import ApiToken, AuditEvent
from procurement.core.tokens import api_token_create, api_token_for_secret
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

NEW = "a-much-longer-passphrase-2027"


def _change(client, old=PASSWORD, new=NEW, again=None):
    data = {"old_password": old, "new_password1": new, "new_password2": again or new}
    return client.post(reverse("accounts:password"), data)


def test_a_new_password_signs_out_other_sessions_revokes_tokens_and_is_audited(client, personas):
    analyst = personas["analyst"]
    elsewhere = Client()
    elsewhere.force_login(analyst)
    assert elsewhere.get(reverse("core:home")).status_code == 200
    _token, secret = api_token_create(user=analyst, name="sync", scope="read", days=30)
    client.force_login(analyst)

    response = _change(client)

    assert response.status_code == 302
    assert "Your API tokens were revoked" in client.get(response.url).content.decode()
    analyst.refresh_from_db()
    assert analyst.check_password(NEW)
    assert client.get(reverse("core:home")).status_code == 200  # this session stays signed in
    assert elsewhere.get(reverse("core:home")).status_code == 302  # the other one is signed out
    assert api_token_for_secret(secret) is None
    assert ApiToken.objects.get(user=analyst).revoked_at is not None
    assert AuditEvent.objects.filter(note__contains="changed their password; 1 API token revoked").exists()


@pytest.mark.parametrize(
    ("old", "new", "again", "message"),
    [
        ("wrong-password", NEW, None, "Your old password was entered incorrectly"),
        (PASSWORD, NEW, NEW + "x", "The two password fields didn"),
        (PASSWORD, "short", None, "This password is too short"),
    ],
)
def test_a_refused_change_says_why_and_keeps_the_old_password_and_tokens(client, personas, old, new, again, message):
    analyst = personas["analyst"]
    _token, secret = api_token_create(user=analyst, name="sync", scope="read", days=30)
    client.force_login(analyst)

    response = _change(client, old=old, new=new, again=again)

    assert response.status_code == 400
    assert message in response.content.decode()
    analyst.refresh_from_db()
    assert analyst.check_password(PASSWORD)
    assert api_token_for_secret(secret) is not None
