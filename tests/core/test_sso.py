"""Single sign-on against a real OpenID Connect provider: the oidc-provider package, run with
Node.js on loopback (tests/idp/provider.js), started once per test session.

The browser's part is played by Django's test client (this site) and a requests session (the
provider's pages): each redirect is followed over real HTTP, and the provider's sign-in form is
posted as a person would. This site's calls to the provider (discovery, token, keys, user info)
are real HTTP calls too. Marked ``idp``: run once, on SQLite (Makefile, PG_SELECT).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode, urljoin, urlsplit

import pytest
import requests
from django.contrib.auth import get_user, get_user_model
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from procurement.core import sso
from procurement.core.members import member_active_set
from procurement.core.models import ExternalIdentity, Membership, Organisation
from procurement.core.services import membership_set
from procurement.core.tokens import api_token_create, api_token_for_secret
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.idp, pytest.mark.django_db]

IDP_DIR = Path(__file__).resolve().parents[1] / "idp"
CALLBACK = "http://testserver/accounts/sso/callback/"
GROUP_ROLES = {"dd-admins": "admin", "dd-analysts": "analyst", "dd-reviewers": "reviewer", "dd-viewers": "viewer"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Idp:
    issuer: str
    accounts_file: Path

    def accounts(self, **people: dict) -> None:
        """Who the provider knows, and what it says about them (read at every sign-in)."""
        self.accounts_file.write_text(json.dumps(people))


@pytest.fixture(scope="session")
def idp(tmp_path_factory) -> Idp:
    node = shutil.which("node")
    if node is None or not (IDP_DIR / "node_modules" / "oidc-provider").is_dir():
        pytest.fail("The test identity provider is not installed: run scripts/setup.sh dev (npm ci in tests/idp).")
    workdir = tmp_path_factory.mktemp("idp")
    accounts = workdir / "accounts.json"
    accounts.write_text("{}")
    port = _free_port()
    env = {**os.environ, "PORT": str(port), "ACCOUNTS": str(accounts), "REDIRECT_URI": CALLBACK}
    log = (workdir / "provider.log").open("w")
    proc = subprocess.Popen(  # noqa: S603 (node and the provider script are ours)
        [node, "provider.js"],
        cwd=IDP_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
    )
    # It prints "listening <issuer>" once it accepts connections: wait for that line (or its end).
    watchdog = threading.Timer(30, proc.kill)
    watchdog.start()
    line = proc.stdout.readline()
    watchdog.cancel()
    issuer = f"http://127.0.0.1:{port}"
    if not line.startswith("listening"):
        proc.kill()
        pytest.fail(f"The test identity provider did not start: {(workdir / 'provider.log').read_text()[-2000:]}")
    assert requests.get(f"{issuer}/.well-known/openid-configuration", timeout=5).json()["issuer"] == issuer
    yield Idp(issuer=issuer, accounts_file=accounts)
    proc.terminate()
    proc.wait(timeout=10)
    log.close()


@pytest.fixture
def sso_on(settings, idp, org):
    """This site signs people into Acme through the test provider; roles come from groups;
    passwords are for site staff only."""
    settings.OIDC_ISSUER = idp.issuer
    settings.OIDC_CLIENT_ID = "procurement"
    settings.OIDC_CLIENT_SECRET = "procurement-secret"
    settings.OIDC_PROVIDER_NAME = "Acme ID"
    settings.OIDC_SCOPES = "openid email profile groups"
    settings.OIDC_ORGANISATIONS = ["acme"]
    settings.OIDC_ORG_CLAIM = "org"
    settings.OIDC_ROLE_CLAIM = ""
    settings.OIDC_GROUPS_CLAIM = "groups"
    settings.OIDC_GROUP_ROLES = GROUP_ROLES
    settings.OIDC_PROVISIONING = "claims"
    settings.OIDC_LOCAL_PASSWORDS = "staff"
    return idp


def person(groups=(), org="acme", email="alice@acme.example", name="Alice Able") -> dict:
    return {"email": email, "name": name, "groups": list(groups), "org": org}


def _through_provider(url: str, account: str, browser: requests.Session) -> str:
    """Follow the provider's redirects, posting its sign-in form as ``account``, until it sends
    the browser back to this site; returns that callback address."""
    for _ in range(8):
        if url.startswith("http://testserver/"):
            return url
        page = browser.get(url, allow_redirects=False, timeout=5)
        if page.is_redirect:
            url = urljoin(url, page.headers["location"])
            continue
        form = re.search(r'<form[^>]*action="([^"]+)"', page.text)
        assert form, page.text[:500]
        answer = browser.post(
            urljoin(url, form.group(1)),
            data={"prompt": "login", "login": account, "password": "any"},
            allow_redirects=False,
            timeout=5,
        )
        url = urljoin(url, answer.headers["location"])
    raise AssertionError(f"the provider never sent the browser back: {url}")


def _local(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def sign_in(client, account: str, *, browser: requests.Session | None = None):
    """The whole flow: this site's SSO button, the provider, back to this site's callback.
    Returns (the callback's response, the callback address)."""
    start = client.get(reverse("sso_login"))
    assert start.status_code == 302, start
    callback = _through_provider(start["Location"], account, browser or requests.Session())
    return client.get(_local(callback)), callback


def signed_in_user(client):
    """Who this site takes the client's session for (None: nobody), as its middleware would."""
    request = HttpRequest()
    request.session = client.session
    user = get_user(request)
    return user if user.is_authenticated else None


def fetch_id_token(idp: Idp, client_id: str, account: str) -> tuple[str, str]:
    """An ID token the provider issues to ``client_id`` for ``account`` (code flow with PKCE,
    run here as that client would), and the nonce it was asked for."""
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    nonce = secrets.token_urlsafe(16)
    query = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": CALLBACK,
        "scope": "openid",
        "state": "s",
        "nonce": nonce,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    callback = _through_provider(f"{idp.issuer}/auth?{urlencode(query)}", account, requests.Session())
    code = re.search(r"[?&]code=([^&]+)", callback).group(1)
    token = requests.post(
        f"{idp.issuer}/token",
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK, "code_verifier": verifier},
        auth=(client_id, f"{client_id}-secret"),
        timeout=5,
    )
    token.raise_for_status()
    return token.json()["id_token"], nonce


# --- sign-in and provisioning -------------------------------------------------------------


def test_first_sign_in_creates_the_account_keyed_on_issuer_and_subject_with_the_groups_role(client, sso_on):
    sso_on.accounts(alice=person(groups=["dd-analysts"]))
    response, _ = sign_in(client, "alice")
    assert response.status_code == 302 and response["Location"] == reverse("core:home")
    user = signed_in_user(client)
    identity = ExternalIdentity.objects.get(user=user)
    assert (identity.issuer, identity.subject, identity.status) == (sso_on.issuer, "alice", "active")
    assert (user.email, user.get_full_name(), user.has_usable_password()) == ("alice@acme.example", "Alice Able", False)
    membership = Membership.objects.get(user=user)
    assert (membership.organisation.slug, membership.role) == ("acme", "analyst")
    assert client.get(reverse("core:home")).status_code == 200
    # The provider changes her email: the same account (found by subject, never by email).
    client.logout()
    sso_on.accounts(alice=person(groups=["dd-analysts"], email="a.able@acme.example"))
    sign_in(client, "alice")
    assert signed_in_user(client) == user
    user.refresh_from_db()
    assert user.email == "a.able@acme.example"
    # Someone else given her old address gets an account of their own, not hers.
    client.logout()
    sso_on.accounts(mallory=person(groups=["dd-viewers"], email="alice@acme.example", name="Mallory M"))
    sign_in(client, "mallory")
    assert signed_in_user(client) not in (None, user)
    assert get_user_model().objects.filter(external_identities__issuer=sso_on.issuer).count() == 2


def test_the_role_follows_the_groups_at_each_sign_in_and_losing_the_group_removes_it(client, sso_on):
    sso_on.accounts(alice=person(groups=["dd-viewers", "dd-admins", "unrelated"]))
    sign_in(client, "alice")
    user = signed_in_user(client)
    assert Membership.objects.get(user=user).role == "admin"  # the highest mapped group
    _, secret = api_token_create(user=user, name="sync", scope="read", days=30)

    client.logout()
    sso_on.accounts(alice=person(groups=["dd-reviewers"]))
    sign_in(client, "alice")
    assert Membership.objects.get(user=user).role == "reviewer"

    client.logout()
    sso_on.accounts(alice=person(groups=["unrelated"]))
    response, _ = sign_in(client, "alice")
    assert signed_in_user(client) is None
    assert not Membership.objects.filter(user=user).exists()
    assert api_token_for_secret(secret) is None  # her API tokens went with the role
    page = client.get(response["Location"])
    assert "Acme ID gives you no role in Acme Buyer" in page.content.decode()
    notes = list(Organisation.objects.get(slug="acme").audit_events.values_list("note", flat=True))
    assert any("role removed at sign-in" in n for n in notes)
    assert any("role reviewer → " in n or "admin → reviewer" in n for n in notes)


def test_an_organisation_claim_is_trusted_only_from_an_issuer_configured_for_it(client, sso_on, other_org):
    # Other Corp exists here, but this issuer is configured for Acme only.
    sso_on.accounts(eve=person(groups=["dd-admins"], org="other", email="eve@other.example"))
    response, _ = sign_in(client, "eve")
    assert signed_in_user(client) is None
    assert not Membership.objects.filter(organisation=other_org).exists()
    assert "did not name an organisation that uses it" in client.get(response["Location"]).content.decode()


def test_under_approval_a_first_sign_in_waits_for_an_org_admin(client, sso_on, settings, personas):
    settings.OIDC_PROVISIONING = "approval"
    sso_on.accounts(carol=person(groups=["dd-admins"], email="carol@acme.example", name="Carol Cole"))
    response, _ = sign_in(client, "carol")
    assert signed_in_user(client) is None
    assert "waiting for one of its admins to approve it" in client.get(response["Location"]).content.decode()
    identity = ExternalIdentity.objects.get(subject="carol")
    assert identity.status == "pending" and not Membership.objects.filter(user=identity.user).exists()

    admin = client.__class__()
    admin.force_login(personas["admin"], backend=sso.BACKEND)  # passwords are for site staff only here
    page = admin.get(reverse("accounts:members")).content.decode()
    assert "Waiting for your approval" in page and "carol@acme.example" in page
    admin.post(reverse("accounts:sso_request", args=[identity.pk]), {"action": "approve", "role": "reviewer"})

    sign_in(client, "carol")
    assert signed_in_user(client) == identity.user
    # The admin's role stands: under approval the provider's groups do not set it.
    assert Membership.objects.get(user=identity.user).role == "reviewer"

    # A first admin: site staff give the role in the Django admin after their first sign-in.
    client.logout()
    sso_on.accounts(dave=person(email="dave@acme.example", name="Dave Dunn"))
    sign_in(client, "dave")
    dave = ExternalIdentity.objects.get(subject="dave")
    membership_set(user=dave.user, organisation=dave.organisation, role="admin")
    assert dave not in sso.sso_requests_pending(dave.organisation)
    sign_in(client, "dave")
    assert signed_in_user(client) == dave.user
    dave.refresh_from_db()
    assert dave.status == "active"


def test_deactivating_a_member_ends_their_session_and_tokens_and_the_provider_cannot_undo_it(client, sso_on, personas):
    sso_on.accounts(alice=person(groups=["dd-analysts"]))
    sign_in(client, "alice")
    user = signed_in_user(client)
    _, secret = api_token_create(user=user, name="sync", scope="write", days=30)
    membership = Membership.objects.get(user=user)
    member_active_set(
        organisation=membership.organisation, membership_id=membership.pk, active=False, by=personas["admin"]
    )
    assert client.get(reverse("core:home")).status_code == 302  # signed out at once
    assert api_token_for_secret(secret) is None
    response, _ = sign_in(client, "alice")
    assert signed_in_user(client) is None
    assert "has been deactivated" in client.get(response["Location"]).content.decode()


def test_a_sensitive_action_asks_a_single_sign_on_user_to_sign_in_again_at_the_provider(client, sso_on):
    sso_on.accounts(alice=person(groups=["dd-reviewers"]))
    browser = requests.Session()
    sign_in(client, "alice", browser=browser)
    session = client.session
    session["authenticated_at"] = "2020-01-01T00:00:00+00:00"  # signed in long ago
    session.save()
    page = client.get(reverse("accounts:confirm_password") + "?next=/accounts/members/").content.decode()
    assert "Sign in again with" in page and "reauth=1" in page and 'name="password"' not in page
    start = client.get(reverse("sso_login") + "?reauth=1&next=/vendors/")
    assert "prompt=login" in start["Location"]
    # The provider asks for the sign-in again although its own session is still open.
    assert "/interaction/" in browser.get(start["Location"], allow_redirects=False, timeout=5).headers["location"]
    callback = _through_provider(start["Location"], "alice", browser)
    back = client.get(_local(callback))
    assert back["Location"] == "/vendors/"
    assert client.session["authenticated_at"] > "2026"


# --- what is refused ------------------------------------------------------------------


def test_an_id_token_for_another_audience_is_refused(sso_on):
    sso_on.accounts(alice=person(groups=["dd-analysts"]))
    ours, nonce = fetch_id_token(sso_on, "procurement", "alice")
    assert sso.id_token_claims(ours, nonce=nonce)["sub"] == "alice"
    theirs, nonce = fetch_id_token(sso_on, "other-app", "alice")
    with pytest.raises(sso.SignInRefused, match="could not be verified"):
        sso.id_token_claims(theirs, nonce=nonce)


def test_an_expired_id_token_is_refused(sso_on):
    sso_on.accounts(alice=person(groups=["dd-analysts"]))
    token, nonce = fetch_id_token(sso_on, "procurement", "alice")
    claims = sso.id_token_claims(token, nonce=nonce)
    expiry = timezone.datetime.fromtimestamp(claims["exp"], tz=timezone.UTC)
    # This server's clock moved past the token's one-minute lifetime (and the leeway).
    with pytest.raises(sso.SignInRefused, match="had expired"):
        sso.id_token_claims(token, nonce=nonce, now=expiry + sso.LEEWAY)
    with pytest.raises(sso.SignInRefused):
        sso.id_token_claims(token, nonce="another sign-in's nonce")


def test_a_replayed_state_is_refused(client, sso_on):
    sso_on.accounts(alice=person(groups=["dd-analysts"]))
    _, callback = sign_in(client, "alice")
    user = signed_in_user(client)
    assert user is not None
    # The same browser again: the state was used up.
    again = client.get(_local(callback))
    assert again.status_code == 302 and again["Location"] == reverse("login")
    # Another browser with the captured address: it never started this sign-in.
    thief = client.__class__()
    stolen = thief.get(_local(callback))
    assert stolen.status_code == 302 and signed_in_user(thief) is None
    assert "Sign in again" in thief.get(stolen["Location"]).content.decode()
    assert get_user_model().objects.filter(external_identities__isnull=False).count() == 1


def test_a_provider_that_is_down_gives_a_clear_message_and_site_staff_still_sign_in(client, sso_on, settings, personas):
    settings.OIDC_ISSUER = f"http://127.0.0.1:{_free_port()}"  # nothing listens there
    start = client.get(reverse("sso_login"))
    assert start.status_code == 302 and start["Location"] == reverse("login") + "?sso=down"
    page = client.get(start["Location"]).content.decode()
    assert "Acme ID is not answering, so single sign-on is unavailable" in page
    # Passwords are for site staff only here: a member's is refused, staff's break-glass works.
    refused = client.post(reverse("login"), {"username": "analyst", "password": PASSWORD})
    assert refused.status_code == 200 and signed_in_user(client) is None
    staff = client.post(reverse("login"), {"username": "staff", "password": PASSWORD})
    assert staff.status_code == 302 and signed_in_user(client) == personas["staff"]


def test_single_sign_on_is_off_unless_configured(client, personas):
    assert not sso.enabled()
    assert client.get(reverse("sso_login")).status_code == 404
    assert "Sign in with" not in client.get(reverse("login")).content.decode()
    member = client.post(reverse("login"), {"username": "analyst", "password": PASSWORD})
    assert member.status_code == 302  # passwords work for everyone
