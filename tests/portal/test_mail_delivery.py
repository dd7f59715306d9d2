"""Invitations and reminders go through the outbox to a real SMTP server on loopback: a mail
server that refuses one address, is slow, or is down never loses or blocks anything."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from procurement.core import outbox
from procurement.core.models import OutboxMessage
from procurement.portal import services
from procurement.portal.models import Invitation
from procurement.vendors.models import VendorContact
from tests.fakesmtp import FakeSMTP

pytestmark = pytest.mark.django_db


@pytest.fixture
def contacts(service):
    return [
        VendorContact.objects.create(vendor=service.vendor, name="Ann Good", email="ann@vendor.example"),
        VendorContact.objects.create(vendor=service.vendor, name="Bob Bounce", email="bob@vendor.example"),
    ]


def test_a_refused_second_contact_keeps_both_invitations_and_the_first_link_works(
    client, assessment, personas, contacts, settings, django_capture_on_commit_callbacks
):
    """Fault 3b: the first contact got a mail whose invitation was then rolled back."""
    with FakeSMTP(refuse={"bob@vendor.example"}) as smtp:
        settings.MAILERS = smtp.mailers()
        client.force_login(personas["analyst"])
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("vendorlinks:invite", args=[assessment.pk]), {"contacts": [c.pk for c in contacts], "days": 7}
            )
    assert response.status_code == 302
    assert Invitation.objects.count() == 2
    (mail,) = smtp.delivered
    assert mail.recipients == ["ann@vendor.example"]
    token = mail.body.split("/portal/", 1)[1].split("/", 1)[0]
    assert services.invitation_from_token(token).contact.email == "ann@vendor.example"
    bounced = OutboxMessage.objects.get(recipient="bob@vendor.example")
    assert bounced.status == "pending" and bounced.attempts == 1
    assert bounced.last_error == "the mail server refused the address (550 5.1.1 No such user here)"
    page = client.get(assessment.get_absolute_url()).content.decode()
    assert "Not delivered yet: attempt 1 failed" in page and "Copy link" in page


def test_a_message_that_keeps_failing_is_marked_failed_and_staff_can_try_again(
    client, assessment, personas, contacts, settings, django_capture_on_commit_callbacks
):
    with FakeSMTP(refuse={"bob@vendor.example"}) as smtp:
        settings.MAILERS = smtp.mailers()
        (invitation,) = services.invite(
            assessment=assessment, contacts=[contacts[1]], by=personas["analyst"], base_url=""
        )
        for _ in range(outbox.MAX_ATTEMPTS):
            OutboxMessage.objects.update(next_attempt_at=timezone.now())  # each retry falls due
            outbox.outbox_drain()
        message = OutboxMessage.objects.get()
        assert message.status == "failed" and message.attempts == outbox.MAX_ATTEMPTS
        client.force_login(personas["analyst"])
        page = client.get(assessment.get_absolute_url()).content.decode()
        assert "The mail could not be sent" in page and "550" in page and "try again" in page
        smtp.refuse.clear()  # the address was fixed at the vendor's end
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("vendorlinks:resend", args=[assessment.pk, invitation.pk]))
    message.refresh_from_db()
    assert message.status == "sent" and smtp.delivered[-1].recipients == ["bob@vendor.example"]


def test_one_refused_address_does_not_stop_the_reminders_to_the_others(
    assessment, personas, contacts, service, settings, django_capture_on_commit_callbacks
):
    """Fault 3d and F5: one poison message aborted every reminder run, for every organisation."""
    third = VendorContact.objects.create(vendor=service.vendor, name="Cy Cloud", email="cy@vendor.example")
    assessment.due_date = timezone.localdate() + dt.timedelta(days=2)
    assessment.save()
    services.invite(assessment=assessment, contacts=[*contacts, third], by=personas["analyst"], base_url="")
    OutboxMessage.objects.all().delete()  # only the reminders matter here
    with FakeSMTP(refuse={"bob@vendor.example"}) as smtp:
        settings.MAILERS = smtp.mailers()
        with django_capture_on_commit_callbacks(execute=True):
            call_command("send_reminders", "--site-url", "https://dd.example.com", verbosity=0)
    assert sorted(r for m in smtp.delivered for r in m.recipients) == ["ann@vendor.example", "cy@vendor.example"]
    assert OutboxMessage.objects.get(recipient="bob@vendor.example").status == "pending"


def test_a_cr_in_a_service_name_gives_a_one_line_subject(
    assessment, personas, contacts, service, settings, django_capture_on_commit_callbacks
):
    """F5: a CR in the middle of a name made the mail raise, so the invitation gave a 500."""
    service.name = "Managed\rmodel"
    service.save()
    with FakeSMTP() as smtp:
        settings.MAILERS = smtp.mailers()
        with django_capture_on_commit_callbacks(execute=True):
            services.invite(assessment=assessment, contacts=[contacts[0]], by=personas["analyst"], base_url="")
    (mail,) = smtp.delivered
    assert mail.message["Subject"].endswith("questionnaire about Managed model")


@pytest.mark.django_db(transaction=True)  # the real worker runs after the request's commit
def test_a_slow_mail_server_holds_no_request_and_no_lock(client, assessment, personas, contacts, settings):
    """Fault 3e: the invite request waited 20 s on SMTP while holding SQLite's write lock."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend"}}
    with FakeSMTP(silent=True) as smtp:
        settings.MAILERS = smtp.mailers(timeout=1)
        client.force_login(personas["analyst"])
        response = client.post(
            reverse("vendorlinks:invite", args=[assessment.pk]), {"contacts": [contacts[0].pk], "days": 7}
        )
        assert response.status_code == 302 and smtp.connections == 0  # the request never talked to SMTP
        assert Invitation.objects.count() == 1
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
        assert smtp.connections == 1
    message = OutboxMessage.objects.get()
    assert message.status == "pending" and message.attempts == 1
    assert message.last_error.startswith("the mail server did not answer in time")


def test_reinviting_after_expiry_issues_a_new_link_and_the_old_one_stays_dead(
    client, assessment, personas, contacts, django_capture_on_commit_callbacks
):
    """F6: inviting again revived the expired token."""
    (old,) = services.invite(assessment=assessment, contacts=[contacts[0]], by=personas["analyst"], base_url="")
    old_link = services.invitation_link(old, base_url="")
    Invitation.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - dt.timedelta(days=20), expires_at=timezone.now() - dt.timedelta(days=1)
    )
    assert client.get(old_link).status_code == 410
    (new,) = services.invite(assessment=assessment, contacts=[contacts[0]], by=personas["analyst"], base_url="")
    new_link = services.invitation_link(new, base_url="")
    assert new.pk != old.pk and new_link != old_link
    assert client.get(old_link).status_code == 410
    assert client.get(new_link).status_code == 302
    old.refresh_from_db()
    assert old.revoked_at is not None and old.is_replaced and old.state == "expired"
    assert "This link has expired" in client.get(old_link).content.decode()


def test_reinviting_after_expiry_keeps_a_submitted_questionnaire_submitted(assessment, personas, contacts):
    """Found in review: the new link came with submitted_at empty, reopening the answers without Reopen."""
    (old,) = services.invite(assessment=assessment, contacts=[contacts[0]], by=personas["analyst"], base_url="")
    submitted = timezone.now() - dt.timedelta(days=2)
    Invitation.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - dt.timedelta(days=20),
        expires_at=timezone.now() - dt.timedelta(days=1),
        submitted_at=submitted,
    )
    (new,) = services.invite(assessment=assessment, contacts=[contacts[0]], by=personas["analyst"], base_url="")
    assert new.pk != old.pk and new.submitted_at == submitted and not services.vendor_can_edit(new)


def test_a_mail_for_a_link_revoked_before_it_went_out_is_not_sent(
    assessment, personas, contacts, settings, django_capture_on_commit_callbacks
):
    with FakeSMTP(refuse={"ann@vendor.example"}) as smtp:
        settings.MAILERS = smtp.mailers()
        with django_capture_on_commit_callbacks(execute=True):
            (invitation,) = services.invite(
                assessment=assessment, contacts=[contacts[0]], by=personas["analyst"], base_url=""
            )
        services.invitation_revoke(invitation=invitation, by=personas["analyst"])
        smtp.refuse.clear()
        OutboxMessage.objects.update(next_attempt_at=timezone.now())
        outbox.outbox_drain()
    message = OutboxMessage.objects.get()
    assert message.status == "cancelled" and "revoked or has expired" in message.last_error
    assert smtp.delivered == []
