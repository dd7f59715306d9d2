import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from procurement.assessments import services as assessment_services
from procurement.assessments.demo import profile_answers
from procurement.assessments.models import Attestation
from procurement.portal import services
from procurement.portal.models import Invitation, InvitationReminder
from procurement.vendors.models import Vendor, VendorContact

pytestmark = pytest.mark.django_db

ATTESTATION = {"name": "Vera Vendor", "title": "Head of Trust", "confirmed": True}


def test_invite_mails_a_signed_link_that_resolves_to_the_invitation(invitation, contact):
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [contact.email]
    assert message.reply_to == ["ana@acme.example"]
    link = services.invitation_link(invitation, base_url="http://testserver")
    assert link in message.body
    token = link.rsplit("/portal/", 1)[1].rstrip("/")
    assert services.invitation_from_token(token) == invitation
    # The key alone (what the database holds) is not a working token.
    assert services.invitation_from_token(invitation.key) is None


def test_invite_expires_after_the_configured_default(invitation, settings):
    assert invitation.expires_at - invitation.created_at == pytest.approx(
        dt.timedelta(days=settings.PORTAL_LINK_DAYS), abs=dt.timedelta(seconds=5)
    )


@pytest.mark.parametrize("days", [0, -1, 91])
def test_invite_refuses_link_lifetimes_outside_1_to_90_days(assessment, contact, personas, days):
    with pytest.raises(ValidationError, match="between 1 and 90"):
        services.invite(assessment=assessment, contacts=[contact], by=personas["analyst"], base_url="", days=days)
    assert not Invitation.objects.exists()


def test_tampered_tokens_resolve_to_nothing(invitation):
    token = services.invitation_token(invitation)
    key, signature = token.split(":")
    assert services.invitation_from_token(f"{key}x:{signature}") is None
    other = "B" if signature[-1] == "A" else "A"  # a different last character, always
    assert services.invitation_from_token(f"{key}:{signature[:-1]}{other}") is None
    assert services.invitation_from_token("") is None
    assert services.invitation_from_token("::") is None


def test_inviting_a_contact_again_renews_the_same_link(
    invitation, assessment, contact, personas, django_capture_on_commit_callbacks
):
    token = services.invitation_token(invitation)
    with django_capture_on_commit_callbacks(execute=True):
        (again,) = services.invite(
            assessment=assessment, contacts=[contact], by=personas["analyst"], base_url="", days=30
        )
    assert again.pk == invitation.pk and services.invitation_token(again) == token
    assert again.sent_count == 2
    assert again.expires_at > invitation.expires_at
    assert len(mail.outbox) == 2


def test_a_second_live_invitation_for_one_contact_is_refused_by_the_database(invitation):
    with pytest.raises(IntegrityError):
        Invitation.objects.create(
            assessment=invitation.assessment,
            contact=invitation.contact,
            key="other",
            expires_at=timezone.now() + dt.timedelta(days=1),
        )


def test_contacts_of_another_vendor_cannot_be_invited(assessment, org, personas):
    stranger = VendorContact.objects.create(
        vendor=Vendor.objects.create(organisation=org, name="Other vendor"), name="Sam", email="sam@x.example"
    )
    with pytest.raises(ValidationError, match="not a contact of Frontier Lab"):
        services.invite(assessment=assessment, contacts=[stranger], by=personas["analyst"], base_url="")
    assert not Invitation.objects.exists() and mail.outbox == []


def test_revoking_and_inviting_again_issues_a_new_key(invitation, assessment, contact, personas):
    services.invitation_revoke(invitation=invitation, by=personas["analyst"])
    (fresh,) = services.invite(assessment=assessment, contacts=[contact], by=personas["analyst"], base_url="")
    assert fresh.pk != invitation.pk and fresh.key != invitation.key
    invitation.refresh_from_db()
    assert invitation.state == Invitation.State.REVOKED
    kinds = list(assessment.timeline.values_list("kind", flat=True))
    assert kinds.count("vendor invited") == 2 and "vendor link revoked" in kinds


def test_vendor_submit_needs_every_visible_vendor_question(invitation, assessment):
    with pytest.raises(services.VendorIncomplete) as exc:
        services.vendor_submit(invitation=invitation, **ATTESTATION)
    missing_codes = {code for _, code in exc.value.missing}
    assert "SUP-01" in missing_codes
    assert not any(code.startswith("INT-") for code in missing_codes)  # buyer intake is the team's job


def _vendor_answers():
    return {k: v for k, v in profile_answers("lab-api-leased-capacity").items() if not k.startswith("INT-")}


def test_vendor_submit_locks_every_live_link_and_reopen_unlocks_them(invitation, assessment, service, personas):
    second = VendorContact.objects.create(vendor=service.vendor, name="Max", email="max@frontier.example")
    (other,) = services.invite(assessment=assessment, contacts=[second], by=personas["analyst"], base_url="")
    assessment_services.answers_save(
        assessment=assessment, values=_vendor_answers(), by=None, by_label="Vera", base_revisions=None
    )
    services.vendor_submit(invitation=invitation, **ATTESTATION)
    other.refresh_from_db()
    assert other.submitted_at is not None and not services.vendor_can_edit(other)
    assert assessment.timeline.filter(kind="vendor submitted", by_label__contains="Vera Vendor").exists()

    with pytest.raises(ValidationError, match="Say what"):
        services.vendor_reopen(assessment=assessment, by=personas["analyst"], note="  ")
    services.vendor_reopen(assessment=assessment, by=personas["analyst"], note="Add the SOC 2 bridge letter.")
    other.refresh_from_db()
    assert other.submitted_at is None and other.reopen_note == "Add the SOC 2 bridge letter."
    assert services.vendor_can_edit(other)


def test_vendor_submit_records_the_attestation_and_queues_the_draft_report_to_render_at_once(
    invitation, assessment, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend"}}
    with django_capture_on_commit_callbacks(execute=True):  # the vendor's autosaves: a render after a quiet period
        assessment_services.answers_save(
            assessment=assessment, values=_vendor_answers(), by=None, by_label="Vera", base_revisions=None
        )
    waiting = DBTaskResult.objects.filter(task_path="procurement.reports.tasks.prerender_report", status="READY")
    assert waiting.get().run_after > timezone.now()
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        services.vendor_submit(invitation=invitation, name="  Vera Vendor ", title="Head of Trust", confirmed=True)
    assert waiting.get().run_after <= timezone.now()  # the same render, now due: the report will be wanted
    (attestation,) = Attestation.objects.filter(assessment=assessment)
    assert (attestation.name, attestation.title) == ("Vera Vendor", "Head of Trust")
    assert attestation.statement == Attestation.STATEMENT
    assert attestation.contact_label == "Vera Vendor <vera@frontier.example> (vendor contact)"
    assert before <= attestation.at <= timezone.now()
    event = assessment.timeline.get(kind="vendor submitted")
    assert "Attested by Vera Vendor, Head of Trust" in event.note


@pytest.mark.parametrize(
    ("attestation", "field", "message"),
    [
        ({"name": "", "title": "CTO", "confirmed": True}, "name", "Enter your full name."),
        ({"name": "Vera", "title": "   ", "confirmed": True}, "title", "Enter your job title."),
        ({"name": "Vera", "title": "CTO", "confirmed": False}, "confirmed", "Tick the box to confirm"),
        ({"name": "Vera\x00", "title": "CTO", "confirmed": True}, "name", "control character"),
        ({"name": "Vera\nVendor", "title": "CTO", "confirmed": True}, "name", "one line"),
        ({"name": "V" * 201, "title": "CTO", "confirmed": True}, "name", "under 200 characters"),
    ],
)
def test_vendor_submit_without_a_complete_attestation_is_refused_and_changes_nothing(
    invitation, assessment, attestation, field, message
):
    assessment_services.answers_save(
        assessment=assessment, values=_vendor_answers(), by=None, by_label="Vera", base_revisions=None
    )
    with pytest.raises(ValidationError) as exc:
        services.vendor_submit(invitation=invitation, **attestation)
    assert message in " ".join(exc.value.message_dict[field])
    invitation.refresh_from_db()
    assert invitation.submitted_at is None
    assert not Attestation.objects.exists()
    assert not assessment.timeline.filter(kind="vendor submitted").exists()


def test_an_incomplete_questionnaire_is_refused_before_the_attestation_is_stored(invitation, assessment):
    with pytest.raises(services.VendorIncomplete):
        services.vendor_submit(invitation=invitation, **ATTESTATION)
    assert not Attestation.objects.exists()


def test_attestation_add_refuses_a_decided_assessment(decided):
    with pytest.raises(ValidationError, match="frozen"):
        assessment_services.attestation_add(assessment=decided, name="Vera", title="CTO", confirmed=True)
    assert not Attestation.objects.exists()


def test_vendor_answers_are_audited_under_the_contact_name(invitation, assessment):
    assessment_services.answers_save(
        assessment=assessment,
        values={"SUP-01": assessment_services.AnswerInput(value="yes")},
        by=None,
        by_label=invitation.respondent_label,
        base_revisions=None,
    )
    change = assessment.answer_changes.get(question_code="SUP-01")
    assert change.by is None and change.by_label == "Vera Vendor <vera@frontier.example> (vendor contact)"
    assert assessment.timeline.filter(kind="status", to_status="in_progress", by_label__startswith="Vera").exists()


def test_the_team_cannot_invite_on_a_submitted_assessment(complete_assessment, contact, personas):
    assessment_services.assessment_submit(assessment=complete_assessment, by=personas["analyst"])
    with pytest.raises(ValidationError, match="submitted"):
        services.invite(assessment=complete_assessment, contacts=[contact], by=personas["analyst"], base_url="")


# --- Reminders ------------------------------------------------------------------------


def test_reminders_go_out_once_per_deadline(invitation, assessment, django_capture_on_commit_callbacks):
    today = timezone.localdate()
    assessment.due_date = today + dt.timedelta(days=2)
    assessment.save()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        first = services.reminders_send(today=today, base_url="http://x")
    assert [r.kind for r in first] == [InvitationReminder.Kind.DUE]
    assert len(mail.outbox) == 1 and "due on" in mail.outbox[0].body
    assert "http://x/portal/" in mail.outbox[0].body
    assert services.reminders_send(today=today, base_url="http://x") == []
    assert len(mail.outbox) == 1
    assert assessment.timeline.filter(kind="vendor reminded").count() == 1

    # A new due date is a new deadline, so one more reminder.
    assessment.due_date = today + dt.timedelta(days=1)
    assessment.save()
    assert len(services.reminders_send(today=today, base_url="http://x")) == 1


def test_reminders_warn_before_the_link_expires(invitation, django_capture_on_commit_callbacks):
    invitation.expires_at = timezone.now() + dt.timedelta(days=1)
    invitation.save()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        (reminder,) = services.reminders_send(today=timezone.localdate(), base_url="http://x")
    assert reminder.kind == InvitationReminder.Kind.EXPIRY
    assert "expires on" in mail.outbox[0].body


def test_no_reminders_for_submitted_revoked_far_or_past_deadlines(invitation, assessment, personas):
    today = timezone.localdate()
    assessment.due_date = today + dt.timedelta(days=10)
    assessment.save()
    assert services.reminders_due(today=today) == []
    assessment.due_date = today - dt.timedelta(days=1)  # already past: the team chases, not the robot
    assessment.save()
    assert services.reminders_due(today=today) == []
    assessment.due_date = today + dt.timedelta(days=1)
    assessment.save()
    assert len(services.reminders_due(today=today)) == 1
    services.invitation_revoke(invitation=invitation, by=personas["analyst"])
    assert services.reminders_due(today=today) == []
