"""`manage.py send_notifications`: today's reminders by the shared schedule, queued once per
step (run twice, one mail), each recipient on their own (a refused address or a name with a
line break stops nobody else), expired risk acceptances marked and their service flagged,
the daily summaries, and what was sent written on the assessment's timeline."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from procurement.assessments.models import Assessment, Finding, RiskAcceptance
from procurement.core import outbox
from procurement.core.models import NotificationPreference, OutboxMessage
from procurement.portfolio.selectors import review_schedule
from tests.fakesmtp import FakeSMTP
from tests.mailparts import mail_parts, rows

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 1)


@pytest.fixture
def team(personas):
    for name in ("analyst", "reviewer", "admin"):
        personas[name].email = f"{name}@acme.example"
        personas[name].first_name = name.capitalize()
        personas[name].save()
    return personas


def run(day: dt.date) -> str:
    out = io.StringIO()
    call_command("send_notifications", "--date", day.isoformat(), stdout=out, stderr=io.StringIO())
    return out.getvalue()


def condition(assessment, owner, *, due: dt.date, text="Contract must include 180 days' notice", **extra):
    return Finding.objects.create(
        assessment=assessment, kind="condition", text=text, owner_user=owner, due_date=due, **extra
    )


def approve(assessment, *, on: dt.date, tier: int = 2) -> Assessment:
    """Decided and approved on a given day (the frozen record carries the tier the schedule reads)."""
    decided_at = timezone.make_aware(dt.datetime.combine(on, dt.time(12)))
    Assessment.objects.filter(pk=assessment.pk).update(
        status="approved", decided_at=decided_at, frozen_record={"score": {"tier": tier}}, frozen_hash="x"
    )
    assessment.refresh_from_db()
    return assessment


def accepted(assessment, approver, *, expires: dt.date) -> RiskAcceptance:
    return RiskAcceptance.objects.create(
        assessment=assessment,
        scope="knockout",
        rule="notice_gap",
        title="Notice gap: 90 days against 180 to migrate",
        status="accepted",
        reason="Exit plan funded",
        accepted_by=approver,
        accepted_by_label="Admin",
        accepted_authority=3,
        accepted_at=timezone.now(),
        expires_on=expires,
    )


# --- Conditions -----------------------------------------------------------------------------


def test_a_condition_coming_due_is_sent_to_its_owner_once_per_step(assessment, team):
    f = condition(assessment, team["reviewer"], due=TODAY + dt.timedelta(days=7))
    out = run(TODAY)
    assert "reminder to Reviewer: condition due in 7 days" in out
    run(TODAY)  # cron twice a day
    run(TODAY + dt.timedelta(days=1))  # the 7-day step is still current: nothing new
    (row,) = rows("core.notification")
    assert row.recipient == "reviewer@acme.example" and row.payload["kind"] == "condition_due"
    assert row.key.endswith(f"finding:{f.pk}:{f.due_date.isoformat()}:before-7:{team['reviewer'].pk}")
    parts = mail_parts(row)
    assert parts.subject == f"Condition due in 7 days: A-{assessment.pk} Frontier Lab — Frontier API"
    for body in (parts.text, parts.html):
        assert "Contract must include 180 days" in body and "Vendor: Frontier Lab" in body
        assert "Update the condition" in body and f"/assessments/{assessment.pk}/" in body
    (event,) = assessment.timeline.filter(kind="reminder")
    assert event.by_label == "reminders" and event.note.startswith("reminder to Reviewer: condition due in 7 days")

    run(TODAY + dt.timedelta(days=6))
    run(TODAY + dt.timedelta(days=7))
    run(TODAY + dt.timedelta(days=14))
    steps = [r.key.split(":")[-2] for r in rows("core.notification")]
    assert steps == ["before-7", "before-1", "due", "overdue-7"]


def test_closed_conditions_and_those_without_an_owner_or_date_are_not_reminded(assessment, team):
    condition(assessment, team["reviewer"], due=TODAY, status="verified", verified_at=timezone.now())
    condition(assessment, None, due=TODAY)
    condition(assessment, team["reviewer"], due=None)
    assert "0 reminder(s)" in run(TODAY) and rows() == []


def test_a_condition_owner_who_prefers_the_summary_gets_one_summary_mail(assessment, team):
    NotificationPreference.objects.create(user=team["reviewer"], kind="condition_due", mode="digest")
    condition(assessment, team["reviewer"], due=TODAY + dt.timedelta(days=1), text="First")
    condition(assessment, team["reviewer"], due=TODAY, text="Second")
    out = run(TODAY)
    assert "(in the daily summary)" in out and "1 daily summary mail(s)" in out
    run(TODAY)
    (summary,) = rows()
    assert summary.kind == "core.digest" and summary.recipient == "reviewer@acme.example"
    text = mail_parts(summary).text
    assert "due tomorrow" in text and "due today" in text and "Frontier Lab" in text


# --- Reviews --------------------------------------------------------------------------------


def test_a_review_coming_due_tells_the_owner_and_the_reviewers(assessment, team, org):
    approve(assessment, on=dt.date(2025, 12, 1))
    (row,) = review_schedule(org, today=TODAY)
    run(row["due"] - dt.timedelta(days=30))
    run(row["due"] - dt.timedelta(days=30))
    told = rows("core.notification")
    assert sorted(r.recipient for r in told) == ["analyst@acme.example", "reviewer@acme.example"]
    assert {r.payload["kind"] for r in told} == {"review_due"}
    parts = mail_parts(told[0])
    assert parts.subject.startswith("Review due in 30 days: ") and "reviewed every" in parts.text
    run(row["due"] + dt.timedelta(days=7))
    assert [r.key.split(":")[-2] for r in rows()][-2:] == ["overdue-7", "overdue-7"]


# --- Risk acceptances -------------------------------------------------------------------------


def test_an_expiring_acceptance_is_announced_then_expired_and_the_decided_service_flagged(assessment, team):
    approve(assessment, on=dt.date(2026, 6, 1))
    acceptance = accepted(assessment, team["admin"], expires=TODAY + dt.timedelta(days=7))
    run(TODAY)
    expiring = rows("core.notification")
    assert sorted(r.recipient for r in expiring) == ["admin@acme.example", "analyst@acme.example"]
    assert mail_parts(expiring[0]).subject.startswith("Risk acceptance expires in 7 days: ")

    run(TODAY + dt.timedelta(days=7))  # in force through its expiry date
    acceptance.refresh_from_db()
    assert acceptance.status == "accepted"
    out = run(TODAY + dt.timedelta(days=8))
    assert "Expired: " in out
    acceptance.refresh_from_db()
    assessment.refresh_from_db()
    assert acceptance.status == "expired"
    assert "Risk acceptance expired on 08 Dec 2026: Notice gap" in assessment.reassess_reason
    kinds = sorted(r.payload["kind"] for r in rows("core.notification")[2:])
    # "expires today" on the day (owner and approver), "expired" the day after, and the flag.
    assert kinds == ["acceptance_expiring"] * 4 + ["reassessment_flagged"]
    assert assessment.timeline.filter(kind="acceptance expired").count() == 1

    run(TODAY + dt.timedelta(days=8))
    run(TODAY + dt.timedelta(days=14))
    assert len(rows()) == 7


def test_an_acceptance_expiring_on_an_open_assessment_flags_nothing_and_refreshes_its_recommendation(assessment, team):
    acceptance = accepted(assessment, team["admin"], expires=TODAY)
    Assessment.objects.filter(pk=assessment.pk).update(recommended_at=None)
    run(TODAY + dt.timedelta(days=1))
    acceptance.refresh_from_db()
    assessment.refresh_from_db()
    assert acceptance.status == "expired" and assessment.reassess_reason == ""
    assert assessment.recommended_at is not None


# --- Every calendar kind with a reminder: run twice, sent once ---------------------------------


@pytest.mark.parametrize("kind", ["condition", "review", "acceptance"])
def test_each_obligation_kind_is_reminded_once_per_step_however_often_cron_runs(kind, assessment, team, org):
    """The calendar's reviews, conditions and risk acceptances are each reminded on the shared
    schedule: the 7-day step goes out once to each person however often the command runs
    that day and the next."""
    if kind == "condition":
        condition(assessment, team["reviewer"], due=TODAY + dt.timedelta(days=7))
        expected = {("condition_due", "reviewer@acme.example")}
    elif kind == "review":
        approve(assessment, on=dt.date(2025, 12, 8), tier=1)
        (row,) = review_schedule(org, today=TODAY)
        assert row["due"] == TODAY + dt.timedelta(days=7)
        expected = {("review_due", "analyst@acme.example"), ("review_due", "reviewer@acme.example")}
    else:
        approve(assessment, on=dt.date(2026, 6, 1))
        accepted(assessment, team["admin"], expires=TODAY + dt.timedelta(days=7))
        expected = {("acceptance_expiring", "analyst@acme.example"), ("acceptance_expiring", "admin@acme.example")}
    for day in (TODAY, TODAY, TODAY + dt.timedelta(days=1), TODAY + dt.timedelta(days=1)):
        run(day)
    sent = rows("core.notification")
    assert {(r.payload["kind"], r.recipient) for r in sent} == expected
    assert len(sent) == len(expected) and {r.key.split(":")[-2] for r in sent} == {"before-7"}


# --- Failures ---------------------------------------------------------------------------------


def test_a_refused_address_does_not_stop_the_others_and_is_retried_visibly(
    client, assessment, team, settings, personas
):
    condition(assessment, team["reviewer"], due=TODAY, text="Refused")
    condition(assessment, team["admin"], due=TODAY, text="Delivered")
    run(TODAY)
    with FakeSMTP(refuse={"reviewer@acme.example"}) as smtp:
        settings.MAILERS = smtp.mailers()
        result = outbox.outbox_drain()
    assert (result.sent, result.retrying) == (1, 1)
    assert [d.recipients for d in smtp.delivered] == [["admin@acme.example"]]
    bounced = OutboxMessage.objects.get(recipient="reviewer@acme.example")
    assert bounced.status == "pending" and bounced.attempts == 1
    assert bounced.last_error == "the mail server refused the address (550 5.1.1 No such user here)"
    # Site staff see it, with the reason.
    client.force_login(personas["staff"])
    page = client.get(reverse("admin:core_outboxmessage_changelist")).content.decode()
    assert "reviewer@acme.example" in page and "No such user here" in page
    # The next run queues nothing twice; once the server takes the address, the retry delivers.
    run(TODAY)
    assert OutboxMessage.objects.count() == 2
    OutboxMessage.objects.filter(pk=bounced.pk).update(next_attempt_at=timezone.now())
    with FakeSMTP() as smtp:
        settings.MAILERS = smtp.mailers()
        assert outbox.outbox_drain().sent == 1
    assert [d.recipients for d in smtp.delivered] == [["reviewer@acme.example"]]
    bounced.refresh_from_db()
    assert bounced.status == "sent" and bounced.last_error == ""


def test_a_name_with_a_line_break_reaches_no_header_and_stops_nobody(assessment, team, settings):
    team["reviewer"].first_name = "Eve\r\nBcc: victim@example.com"
    team["reviewer"].save()
    condition(assessment, team["reviewer"], due=TODAY, text="Eve's")
    condition(assessment, team["admin"], due=TODAY, text="Admin's")
    run(TODAY)
    with FakeSMTP() as smtp:
        settings.MAILERS = smtp.mailers()
        assert outbox.outbox_drain().sent == 2
    assert sorted(r for d in smtp.delivered for r in d.recipients) == ["admin@acme.example", "reviewer@acme.example"]
    assert all(d.message["Bcc"] is None for d in smtp.delivered)
    notes = list(assessment.timeline.filter(kind="reminder").values_list("note", flat=True))
    assert any(n.startswith("reminder to Eve Bcc: victim@example.com: condition due today") for n in notes)
    assert all("\n" not in n and "\r" not in n for n in notes)


def test_a_bad_date_is_refused_in_words():
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("send_notifications", "--date", "1st of May")


# --- Contracts ------------------------------------------------------------------------------


def contract_for(service, **fields):
    from procurement.vendors.models import Contract

    values = {
        "reference": "MSA-7",
        "buyer_party": "Acme Buyer",
        "vendor_party": "Frontier Lab Inc",
        "start_date": dt.date(2026, 1, 1),
        "end_date": dt.date(2027, 1, 1),
    }
    return Contract.objects.create(service=service, **(values | fields))


def test_the_last_day_to_give_notice_is_sent_to_the_contract_owner_once_per_step(service, team):
    contract_for(service, auto_renews=True, renewal_notice_days=60, owner=team["reviewer"])
    notice_by = dt.date(2026, 11, 2)
    out = run(notice_by - dt.timedelta(days=7))
    assert (
        "Frontier Lab — Frontier API: reminder to Reviewer: last day to give notice of non-renewal MSA-7 is in 7" in out
    )
    run(notice_by - dt.timedelta(days=7))  # cron twice a day
    run(notice_by - dt.timedelta(days=6))  # the 7-day step is still current
    (row,) = rows("core.notification")
    assert row.recipient == "reviewer@acme.example" and row.payload["kind"] == "contract_notice"
    parts = mail_parts(row)
    assert parts.subject == ("Contract MSA-7: the last day to give notice is in 7 days: Frontier Lab — Frontier API")
    for body in (parts.text, parts.html):
        assert "Last day to give notice of non-renewal: 02 Nov 2026." in body
        assert "renews on 01 Jan 2027 for 12 months" in body and "#contract" in body
    run(notice_by)
    run(notice_by + dt.timedelta(days=7))
    steps = [r.key.split(":")[-2] for r in rows("core.notification")]
    assert steps == ["before-7", "due", "overdue-7"]


def test_a_contract_that_does_not_renew_reminds_of_its_end_and_the_vendor_owner_gets_it(service, team):
    contract_for(service, end_date=dt.date(2026, 12, 31))
    service.vendor.owner = team["analyst"]
    service.vendor.save()
    out = run(dt.date(2026, 12, 1))
    assert "reminder to Analyst: contract MSA-7 ends in 30 days" in out
    (row,) = rows("core.notification")
    assert row.recipient == "analyst@acme.example"
    assert mail_parts(row).subject == "Contract MSA-7 ends in 30 days: Frontier Lab — Frontier API"


def test_an_ended_service_gets_no_contract_or_condition_reminders(service, assessment, team):
    from procurement.vendors.models import AIService

    contract_for(service, end_date=TODAY + dt.timedelta(days=7), owner=team["reviewer"])
    condition(assessment, team["reviewer"], due=TODAY + dt.timedelta(days=7))
    AIService.objects.filter(pk=service.pk).update(status="ended", ended_at=timezone.now())
    assert "0 reminder(s)" in run(TODAY) and rows() == []


def test_an_approaching_notice_date_flags_the_decided_service_once_and_starts_a_reassessment_when_chosen(
    service, assessment, team, org
):
    from procurement.portfolio.models import ReassessmentPolicy
    from procurement.vendors.models import Contract

    approve(assessment, on=dt.date(2026, 6, 1))
    contract = contract_for(service, auto_renews=True, renewal_notice_days=60, owner=team["reviewer"])
    notice_by = dt.date(2026, 11, 2)  # 60 days before the renewal on 1 Jan 2027
    assert "Flagged" not in run(notice_by - dt.timedelta(days=31))  # before the 30-day window
    out = run(notice_by - dt.timedelta(days=30))
    assert f"Flagged for reassessment: A-{assessment.pk}" in out
    assessment.refresh_from_db()
    assert assessment.reassess_triggers == ["contract_renewal"]
    assert "Contract MSA-7: the last day to give notice of non-renewal is 02 Nov 2026" in assessment.reassess_reason
    assert "Flagged" not in run(notice_by - dt.timedelta(days=7))  # once per date, however often cron runs
    assert assessment.timeline.filter(kind="reassessment needed").count() == 1
    assert Contract.objects.get(pk=contract.pk).renewal_flagged_for == notice_by

    ReassessmentPolicy.objects.create(organisation=org, trigger="contract_renewal", action="start")
    out = io.StringIO()
    call_command("start_reassessments", "--date", notice_by.isoformat(), stdout=out)
    assert "reassessment of A-" in out.getvalue() and "a contract renewal approaches" in out.getvalue()
    assert assessment.reassessments.count() == 1


def test_a_contract_renewal_on_an_open_assessment_or_an_ended_service_flags_nothing(service, assessment, team):
    from procurement.vendors.models import AIService

    contract_for(service, end_date=TODAY + dt.timedelta(days=10))
    assert "Flagged" not in run(TODAY)  # the assessment is still open: it is the reassessment
    assessment.refresh_from_db()
    assert assessment.reassess_triggers in ([], None)
    approve(assessment, on=TODAY)
    AIService.objects.filter(pk=service.pk).update(status="ended", ended_at=timezone.now())
    assert "Flagged" not in run(TODAY + dt.timedelta(days=1))
