"""What the identity provider's claims mean here, without a provider: the service that takes
verified claims (procurement/core/sso.py). The whole flow against a real provider is in
tests/core/test_sso.py."""

import io
import threading

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from procurement.core import members, sso
from procurement.core.models import ExternalIdentity, MemberInvitation, Membership

ISSUER = "https://login.example.com"


@pytest.fixture
def sso_settings(settings, org):
    settings.OIDC_ISSUER = ISSUER
    settings.OIDC_CLIENT_ID = "procurement"
    settings.OIDC_CLIENT_SECRET = "x"
    settings.OIDC_ORGANISATIONS = ["acme"]
    settings.OIDC_ORG_CLAIM = ""
    settings.OIDC_ROLE_CLAIM = "role"
    settings.OIDC_GROUPS_CLAIM = "groups"
    settings.OIDC_GROUP_ROLES = {"dd-admins": "admin", "dd-viewers": "viewer"}
    settings.OIDC_PROVISIONING = "claims"
    return settings


@pytest.mark.parametrize(
    ("claims", "role"),
    [
        ({"role": "analyst"}, "analyst"),
        ({"role": "superuser", "groups": ["dd-viewers"]}, "viewer"),  # an unknown role falls back to groups
        ({"groups": "dd-admins"}, "admin"),  # one group as a string
        ({"groups": ["dd-viewers", "dd-admins"]}, "admin"),
        ({"groups": [["dd-admins"], {"x": 1}, 7, None]}, None),  # odd shapes are no group
        ({"groups": None, "role": 3}, None),
        ({}, None),
    ],
)
def test_the_role_comes_from_the_role_claim_or_the_highest_mapped_group(sso_settings, claims, role):
    assert sso.role_from_claims(claims) == role


@pytest.mark.django_db
def test_a_name_with_control_characters_is_stored_as_one_clean_line(sso_settings):
    user = sso.sso_sign_in(
        issuer=ISSUER,
        claims={"sub": "u-1", "role": "viewer", "name": "Ada\x00 \n Lovelace\x1b", "email": "ada@x.example\r\n"},
    )
    assert (user.first_name, user.last_name, user.email) == ("Ada", "Lovelace", "ada@x.example")
    assert Membership.objects.get(user=user).role == "viewer"


@pytest.mark.django_db
@pytest.mark.parametrize("subject", ["", "s" * 256])
def test_a_subject_that_is_empty_or_too_long_is_refused_and_nothing_is_made(sso_settings, subject):
    with pytest.raises(sso.SignInRefused):
        sso.sso_sign_in(issuer=ISSUER, claims={"sub": subject, "role": "viewer"})
    assert not ExternalIdentity.objects.exists()


# --- two first sign-ins at once --------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_first_sign_ins_of_one_subject_at_the_same_instant_give_one_account(sso_settings):
    barrier = threading.Barrier(2)
    users, failures = [], []

    def first_sign_in() -> None:
        try:
            barrier.wait()
            users.append(
                sso.sso_sign_in(issuer=ISSUER, claims={"sub": "twin", "role": "viewer", "email": "t@x.example"})
            )
        except BaseException as exc:  # surfaced below
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=first_sign_in) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert failures == []
    assert len(users) == 2 and users[0] == users[1]
    assert ExternalIdentity.objects.filter(subject="twin").count() == 1
    assert get_user_model().objects.filter(email="t@x.example").count() == 1


# --- the provider's error answer -------------------------------------------------------


@pytest.mark.django_db
def test_an_error_answer_signs_nobody_out_and_counts_only_for_a_sign_in_this_browser_started(
    sso_settings, client, personas
):
    client.force_login(personas["analyst"], backend=sso.BACKEND)
    # A link on another site to the callback with an error: ignored, still signed in.
    forged = client.get(reverse("sso_callback") + "?error=login_required&state=made-up")
    assert forged.status_code == 302 and forged["Location"] == reverse("login")
    assert client.get(reverse("core:home")).status_code == 200
    # A re-sign-in this browser started and the person cancelled at the provider: the state is
    # used up, the session stays.
    session = client.session
    session["oidc_states"] = {"started-here": {"nonce": "n", "code_verifier": "v", "added_on": 0}}
    session.save()
    cancelled = client.get(reverse("sso_callback") + "?error=access_denied&state=started-here", follow=True)
    assert "Sign-in was cancelled." in cancelled.content.decode()
    assert cancelled.wsgi_request.user == personas["analyst"]
    assert client.session["oidc_states"] == {}


# --- passwords and invitations where passwords are for site staff only ------------------


@pytest.mark.django_db
def test_where_passwords_are_for_staff_only_the_members_page_says_to_add_people_at_the_provider(
    sso_settings, client, personas, org
):
    sso_settings.OIDC_LOCAL_PASSWORDS = "staff"
    sso_settings.OIDC_PROVIDER_NAME = "Acme ID"
    client.force_login(personas["admin"], backend=sso.BACKEND)  # passwords are for site staff only here
    page = client.get(reverse("accounts:members")).content.decode()
    assert "Ask your IT team to add your colleague at Acme ID" in page and "Send invitation" not in page
    sent = client.post(reverse("accounts:members"), {"email": "new@acme.example", "role": "viewer"}, follow=True)
    assert "add them at the identity provider instead" in sent.content.decode()
    assert not MemberInvitation.objects.exists()
    with pytest.raises(ValidationError):
        members.member_invite(
            organisation=org, email="new@acme.example", role="viewer", by=personas["admin"], base_url="http://x/"
        )


@pytest.mark.django_db
def test_an_invitation_sent_before_the_switch_to_single_sign_on_makes_no_password_account(
    sso_settings, client, personas, org
):
    sso_settings.OIDC_LOCAL_PASSWORDS = "all"
    invitation = members.member_invite(
        organisation=org, email="new@acme.example", role="viewer", by=personas["admin"], base_url="http://x/"
    )
    sso_settings.OIDC_LOCAL_PASSWORDS = "staff"
    url = reverse("accounts:join", args=[members.member_invitation_token(invitation)])
    data = {
        "username": "newbie",
        "first_name": "N",
        "last_name": "B",
        "password1": "x7-Long-pass",
        "password2": "x7-Long-pass",
    }
    response = client.post(url, data)
    assert response.status_code == 410 and "Invitations are no longer used here" in response.content.decode()
    assert not get_user_model().objects.filter(username="newbie").exists()


@pytest.mark.django_db
def test_a_single_sign_on_user_has_no_password_page_to_change(sso_settings, client):
    sso_settings.OIDC_PROVIDER_NAME = "Acme ID"
    user = sso.sso_sign_in(issuer=ISSUER, claims={"sub": "u-9", "role": "viewer"})
    client.force_login(user, backend=sso.BACKEND)
    page = client.get(reverse("accounts:password")).content.decode()
    assert "You sign in with Acme ID, so you have no password on this site" in page
    assert 'name="new_password1"' not in page
    assert 'href="/accounts/password/"' not in client.get(reverse("accounts:tokens")).content.decode()
    refused = client.post(
        reverse("accounts:password"), {"new_password1": "x7-Long-pass", "new_password2": "x7-Long-pass"}
    )
    assert refused.status_code == 400
    user.refresh_from_db()
    assert not user.has_usable_password()


# --- linking an existing account -----------------------------------------------------------


@pytest.mark.django_db
def test_site_staff_link_an_existing_account_to_a_subject_and_the_next_sign_in_lands_in_it(sso_settings, personas, org):
    analyst = personas["analyst"]
    out = io.StringIO()
    call_command("link_sso_identity", "analyst", "sub-ana", stdout=out)
    assert "linked to the single sign-on subject 'sub-ana'" in out.getvalue()
    assert sso.sso_sign_in(issuer=ISSUER, claims={"sub": "sub-ana", "role": "analyst"}) == analyst
    assert any("linked to the single sign-on subject" in n for n in org.audit_events.values_list("note", flat=True))
    # Never by email: another subject with the analyst's email gets an account of its own.
    other = sso.sso_sign_in(issuer=ISSUER, claims={"sub": "sub-x", "role": "viewer", "email": analyst.email})
    assert other != analyst
    # That subject already has an account: moving it needs --move, which deactivates the new one.
    with pytest.raises(CommandError, match="--move"):
        call_command("link_sso_identity", "reviewer", "sub-x", stdout=io.StringIO())
    call_command("link_sso_identity", "reviewer", "sub-x", "--move", stdout=io.StringIO())
    other.refresh_from_db()
    assert not other.is_active and not Membership.objects.filter(user=other).exists()
    assert sso.sso_sign_in(issuer=ISSUER, claims={"sub": "sub-x", "role": "reviewer"}) == personas["reviewer"]
    with pytest.raises(CommandError, match="no account"):
        call_command("link_sso_identity", "no-such-user", "sub-y", stdout=io.StringIO())


@pytest.mark.django_db
def test_a_refused_request_stays_refused_when_the_deployment_switches_to_claims(sso_settings, org):
    # The red team's finding: refused under approval, then signed in as admin once claims were on.
    sso_settings.OIDC_PROVISIONING = "approval"
    with pytest.raises(sso.SignInRefused):
        sso.sso_sign_in(issuer=ISSUER, claims={"sub": "bob", "role": "admin"})
    ExternalIdentity.objects.filter(subject="bob").update(status=ExternalIdentity.Status.REFUSED)
    sso_settings.OIDC_PROVISIONING = "claims"
    with pytest.raises(sso.SignInRefused, match="refused your request"):
        sso.sso_sign_in(issuer=ISSUER, claims={"sub": "bob", "role": "admin"})
    assert not Membership.objects.filter(user__external_identities__subject="bob").exists()


@pytest.mark.django_db
def test_tokens_and_feeds_of_a_single_sign_on_user_stop_when_they_have_not_signed_in_there_lately(sso_settings, client):
    # Removal at the provider is seen at the next sign-in; a script's token never signs in.
    import datetime as dt

    from django.utils import timezone

    from procurement.core.calendar_feeds import calendar_feed_create, calendar_feed_for_secret
    from procurement.core.tokens import api_token_create, api_token_for_secret

    user = sso.sso_sign_in(issuer=ISSUER, claims={"sub": "carol", "role": "analyst"})
    secret = api_token_create(user=user, name="sync", scope="write", days=365)[1]
    feed_secret = calendar_feed_create(user=user, scope="all")[1]
    assert api_token_for_secret(secret) is not None and calendar_feed_for_secret(feed_secret) is not None
    stale = timezone.now() - dt.timedelta(days=sso_settings.OIDC_CREDENTIALS_SIGN_IN_DAYS + 1)
    ExternalIdentity.objects.filter(user=user).update(last_login_at=stale)
    assert api_token_for_secret(secret) is None and calendar_feed_for_secret(feed_secret) is None
    assert client.get("/api/v1/vendors", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401
    sso.sso_sign_in(issuer=ISSUER, claims={"sub": "carol", "role": "analyst"})  # signs in again
    assert api_token_for_secret(secret) is not None
