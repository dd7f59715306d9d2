"""The portal's events: the vendor submits (the team is told), the vendor asks, the team replies
(the vendor contacts with a live link are mailed their own link)."""

import pytest
from django.urls import reverse

from procurement.assessments import services as assessment_services
from procurement.assessments.demo import profile_answers
from procurement.core import outbox
from procurement.core.models import OutboxMessage
from procurement.portal import services
from procurement.vendors.models import VendorContact
from tests.mailparts import mail_parts, rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(personas):
    for name in ("analyst", "reviewer"):
        personas[name].email = f"{name}@acme.example"
        personas[name].save()
    return personas


def _vendor_answers():
    return {k: v for k, v in profile_answers("lab-api-leased-capacity").items() if not k.startswith("INT-")}


def test_a_vendor_submission_tells_the_owner_and_the_reviewers(invitation, assessment, team, vendor_client):
    assessment_services.answers_save(
        assessment=assessment, values=_vendor_answers(), by=None, by_label="Vera", base_revisions=None
    )
    attested = {"name": "Vera Vendor", "title": "Head of Trust", "confirmed": "on"}
    response = vendor_client.post(reverse("portal:submit", args=[assessment.pk]), attested)
    assert response.status_code == 302
    assert assessment.invitations.get().submitted_at is not None
    told = rows("core.notification")
    assert sorted(r.recipient for r in told) == ["analyst@acme.example", "reviewer@acme.example"]
    assert {r.payload["kind"] for r in told} == {"vendor_submitted"}
    parts = mail_parts(told[0])
    assert parts.subject == f"Frontier Lab submitted its answers: A-{assessment.pk} Frontier Lab — Frontier API"
    for body in (parts.text, parts.html):
        assert f"A-{assessment.pk} Frontier Lab — Frontier API" in body and "Vendor: Frontier Lab" in body
        assert "Vera Vendor" in body and "Check the answers" in body
        assert f"/assessments/{assessment.pk}/" in body


def test_a_vendor_question_tells_the_owner_and_the_reviewers(invitation, assessment, team, vendor_client):
    url = reverse("portal:clarify", args=[assessment.pk, "SUP-01"])
    assert vendor_client.post(url, {"body": "Does a reseller count as a provider?"}).status_code == 302
    told = rows("core.notification")
    assert sorted(r.recipient for r in told) == ["analyst@acme.example", "reviewer@acme.example"]
    parts = mail_parts(told[0])
    assert parts.subject.startswith("Frontier Lab asked about SUP-01: ")
    for body in (parts.text, parts.html):
        assert "Does a reseller count as a provider?" in body and "Reply to the vendor" in body
        assert f"/assessments/{assessment.pk}/questions/SUP-01/history/" in body
    # The vendor's own question is not mailed back to the vendor.
    assert not rows("portal.reply")


def test_the_teams_reply_mails_each_contact_with_a_live_link_their_own_link(
    client, invitation, assessment, team, service, settings
):
    settings.SITE_URL = "https://dd.example.com"
    revoked_contact = VendorContact.objects.create(vendor=service.vendor, name="Rex", email="rex@frontier.example")
    (revoked,) = services.invite(assessment=assessment, contacts=[revoked_contact], by=team["analyst"], base_url="")
    services.invitation_revoke(invitation=revoked, by=team["analyst"])
    client.force_login(team["reviewer"])
    url = reverse("assessments:clarification", args=[assessment.pk, "SUP-01"])
    assert client.post(url, {"body": "Yes, count the reseller."}).status_code == 302
    (reply,) = rows("portal.reply")
    assert reply.recipient == "vera@frontier.example"
    parts = mail_parts(reply)
    assert parts.subject == "Acme Buyer replied about SUP-01: Frontier API"
    link = services.invitation_link(invitation, base_url="https://dd.example.com")
    for body in (parts.text, parts.html):
        assert "Yes, count the reseller." in body and link in body and "Frontier API" in body
        assert f"A-{assessment.pk} Frontier Lab — Frontier API" in body
    # The team is not told about its own reply.
    assert not rows("core.notification")


def test_a_reply_with_no_live_link_mails_nobody(assessment, team):
    assessment_services.clarification_add(
        assessment=assessment, question_code="SUP-01", body="Noted.", by=team["reviewer"]
    )
    assert not OutboxMessage.objects.exists()


def test_a_link_revoked_before_the_reply_mail_went_out_cancels_it(invitation, assessment, team):
    assessment_services.clarification_add(
        assessment=assessment, question_code="SUP-01", body="Noted.", by=team["reviewer"]
    )
    services.invitation_revoke(invitation=invitation, by=team["analyst"])
    outbox.outbox_drain()
    assert rows("portal.reply")[0].status == "cancelled"
