"""Members managed by org admins: invitations through the outbox to a real SMTP server, the join
page, role changes, deactivation, and the limits an org admin cannot cross."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from procurement.core import members
from procurement.core.models import AuditEvent, MemberInvitation, Membership
from procurement.core.reauth import SESSION_KEY
from tests.conftest import PASSWORD
from tests.fakesmtp import FakeSMTP

pytestmark = pytest.mark.django_db

NEW_ACCOUNT = {
    "first_name": "Nia",
    "last_name": "Newcomer",
    "username": "nia",
    "password1": "a-long-pass-phrase-2026",
    "password2": "a-long-pass-phrase-2026",
}


def _token_from(body: str) -> str:
    return body.split("/accounts/join/", 1)[1].split("/", 1)[0]


def test_an_invited_colleague_gets_a_mail_joins_with_the_role_and_the_link_then_stops_working(
    client, personas, org, settings, django_capture_on_commit_callbacks
):
    with FakeSMTP() as smtp:
        settings.MAILERS = smtp.mailers()
        client.force_login(personas["admin"])
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("accounts:members"), {"email": "nia@acme.example", "role": "reviewer"})
        assert response.status_code == 302
    (mail,) = smtp.delivered
    assert mail.recipients == ["nia@acme.example"]
    assert "join Acme Buyer as reviewer" in mail.body
    token = _token_from(mail.body)

    client.logout()
    page = client.get(reverse("accounts:join", args=[token])).content.decode()
    assert "nia@acme.example" in page and "as reviewer" in page
    response = client.post(reverse("accounts:join", args=[token]), NEW_ACCOUNT)
    assert response.status_code == 302 and response["Location"] == reverse("core:home")

    nia = get_user_model().objects.get(username="nia")
    assert nia.email == "nia@acme.example" and nia.get_full_name() == "Nia Newcomer"
    membership = nia.memberships.get()
    assert (membership.organisation, membership.role) == (org, Membership.Role.REVIEWER)
    assert not nia.is_staff and not nia.is_superuser
    assert client.get(reverse("core:home")).status_code == 200  # signed in

    client.logout()
    again = client.get(reverse("accounts:join", args=[token]))
    assert again.status_code == 410 and "already created" in again.content.decode()
    notes = list(AuditEvent.objects.filter(organisation=org).values_list("note", flat=True))
    assert any("invited nia@acme.example as reviewer" in n for n in notes)
    assert any("Nia Newcomer (nia@acme.example) joined as reviewer" in n for n in notes)


def test_reinviting_the_same_address_replaces_the_link_and_the_old_one_stops_working(client, personas, org):
    first = members.member_invite(
        organisation=org, email="x@acme.example", role="viewer", by=personas["admin"], base_url=""
    )
    second = members.member_invite(
        organisation=org, email="x@acme.example", role="analyst", by=personas["admin"], base_url=""
    )
    old = client.get(reverse("accounts:join", args=[members.member_invitation_token(first)]))
    assert old.status_code == 410 and "withdrew it, or sent a newer link" in old.content.decode()
    new = client.get(reverse("accounts:join", args=[members.member_invitation_token(second)]))
    assert new.status_code == 200 and "as analyst" in new.content.decode()
    assert MemberInvitation.objects.filter(organisation=org, accepted_at=None, revoked_at=None).count() == 1


def test_an_expired_withdrawn_or_tampered_link_creates_nothing(client, personas, org):
    invitation = members.member_invite(
        organisation=org, email="late@acme.example", role="viewer", by=personas["admin"], base_url=""
    )
    token = members.member_invitation_token(invitation)
    assert client.get(reverse("accounts:join", args=[token[:-2] + "xx"])).status_code == 404
    MemberInvitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    response = client.post(reverse("accounts:join", args=[token]), NEW_ACCOUNT)
    assert response.status_code == 410 and "The link worked until" in response.content.decode()
    assert not get_user_model().objects.filter(username="nia").exists()


def test_a_taken_username_is_a_message_on_the_field_and_the_link_still_works(client, personas, org):
    invitation = members.member_invite(
        organisation=org, email="n@acme.example", role="viewer", by=personas["admin"], base_url=""
    )
    token = members.member_invitation_token(invitation)
    response = client.post(reverse("accounts:join", args=[token]), {**NEW_ACCOUNT, "username": "analyst"})
    assert response.status_code == 400 and "already exists" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.is_usable


def test_someone_signed_in_is_asked_to_log_out_before_joining(login, personas, org):
    invitation = members.member_invite(
        organisation=org, email="n@acme.example", role="viewer", by=personas["admin"], base_url=""
    )
    response = login(personas["analyst"]).get(
        reverse("accounts:join", args=[members.member_invitation_token(invitation)])
    )
    assert response.status_code == 409 and "Log out first" in response.content.decode()


def test_inviting_an_active_member_is_refused_with_a_message(login, personas, org):
    personas["viewer"].email = "vic@acme.example"
    personas["viewer"].save()
    response = login(personas["admin"]).post(
        reverse("accounts:members"), {"email": "VIC@acme.example", "role": "admin"}
    )
    assert response.status_code == 400 and "is already a member" in response.content.decode()
    assert not MemberInvitation.objects.exists()


def test_an_admin_changes_a_role_and_the_change_is_recorded(login, personas, org):
    viewer = personas["viewer"].memberships.get()
    client = login(personas["admin"])
    response = client.post(reverse("accounts:member_change", args=[viewer.pk]), {"role": "analyst"}, follow=True)
    assert "Saved." in response.content.decode()
    viewer.refresh_from_db()
    assert viewer.role == "analyst"
    assert AuditEvent.objects.filter(organisation=org, note__contains="role viewer → analyst").exists()
    page = client.get(reverse("accounts:members")).content.decode()
    assert "role viewer → analyst" in page


def test_an_admin_cannot_grant_site_staff_rights_or_an_unknown_role(login, personas):
    viewer = personas["viewer"].memberships.get()
    for role in ("superuser", "staff", ""):
        response = login(personas["admin"]).post(
            reverse("accounts:member_change", args=[viewer.pk]), {"role": role}, follow=True
        )
        assert "Choose one of the listed roles. Nothing was changed." in response.content.decode()
    viewer.refresh_from_db()
    viewer.user.refresh_from_db()
    assert viewer.role == "viewer" and not viewer.user.is_superuser and not viewer.user.is_staff


def test_an_admin_cannot_change_their_own_role_or_remove_the_last_admin(login, personas, org):
    admin = personas["admin"].memberships.get()
    client = login(personas["admin"])
    response = client.post(reverse("accounts:member_change", args=[admin.pk]), {"role": "viewer"}, follow=True)
    assert "cannot change your own role" in response.content.decode()
    with pytest.raises(Exception, match="at least one active admin"):
        members.member_role_set(organisation=org, membership_id=admin.pk, role="viewer", by=personas["reviewer"])
    with pytest.raises(Exception, match="at least one active admin"):
        members.member_active_set(organisation=org, membership_id=admin.pk, active=False, by=personas["reviewer"])
    admin.refresh_from_db()
    assert admin.role == "admin" and admin.user.is_active


def test_another_organisations_member_is_404_to_an_admin(login, personas):
    theirs = personas["outsider"].memberships.get()
    response = login(personas["admin"]).post(reverse("accounts:member_change", args=[theirs.pk]), {"active": "0"})
    assert response.status_code == 404
    theirs.user.refresh_from_db()
    assert theirs.user.is_active


def test_a_deactivated_member_is_signed_out_at_once_and_cannot_sign_in(client, django_user_model, personas, org):
    from django.test import Client

    analyst_browser = Client()
    analyst_browser.force_login(personas["analyst"])
    assert analyst_browser.get(reverse("core:home")).status_code == 200

    analyst = personas["analyst"].memberships.get()
    client.force_login(personas["admin"])
    response = client.post(reverse("accounts:member_change", args=[analyst.pk]), {"active": "0"}, follow=True)
    assert "Saved." in response.content.decode()

    assert analyst_browser.get(reverse("core:home")).status_code == 302  # the old session no longer works
    fresh = Client()
    login = fresh.post(reverse("login"), {"username": "analyst", "password": PASSWORD})
    assert login.status_code == 200 and "_auth_user_id" not in fresh.session
    page = client.get(reverse("accounts:members")).content.decode()
    assert "Deactivated" in page and "Reactivate" in page

    client.post(reverse("accounts:member_change", args=[analyst.pk]), {"active": "1"})
    assert fresh.post(reverse("login"), {"username": "analyst", "password": PASSWORD}).status_code == 302
    notes = list(AuditEvent.objects.filter(organisation=org).values_list("note", flat=True))
    assert any(n.endswith(": deactivated") for n in notes) and any(n.endswith(": reactivated") for n in notes)


def test_a_withdrawn_invitation_link_stops_working_and_the_mail_is_not_sent(
    client, personas, org, settings, django_capture_on_commit_callbacks
):
    invitation = members.member_invite(
        organisation=org, email="w@acme.example", role="viewer", by=personas["admin"], base_url=""
    )
    client.force_login(personas["admin"])
    response = client.post(reverse("accounts:member_withdraw", args=[invitation.pk]), follow=True)
    assert "was withdrawn" in response.content.decode()
    with FakeSMTP() as smtp:
        settings.MAILERS = smtp.mailers()
        from procurement.core.outbox import outbox_drain

        outbox_drain()
    assert smtp.delivered == []
    client.logout()
    assert client.get(reverse("accounts:join", args=[members.member_invitation_token(invitation)])).status_code == 410


def test_members_page_needs_a_recent_sign_in(client, personas):
    client.force_login(personas["admin"])
    session = client.session
    session[SESSION_KEY] = (timezone.now() - dt.timedelta(hours=1)).isoformat()
    session.save()
    response = client.get(reverse("accounts:members"))
    assert response.status_code == 302 and reverse("accounts:confirm_password") in response["Location"]
