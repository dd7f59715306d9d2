"""notify(): one outbox row or summary item per recipient, as each prefers, once per event;
the daily summary; the mails' two parts; the settings page; the per-organisation schedule."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from procurement.core import notifications, outbox
from procurement.core.models import DigestItem, NotificationPreference, OutboxMessage, ReminderSchedule
from procurement.core.schedule import Schedule
from tests.mailparts import mail_parts, rows

pytestmark = pytest.mark.django_db

KIND = "vendor_submitted"


@pytest.fixture
def people(personas):
    for name in ("analyst", "reviewer", "admin"):
        personas[name].email = f"{name}@acme.example"
        personas[name].first_name = name.capitalize()
        personas[name].save()
    return personas


def tell(users, key="assessment:1:submitted", **extra):
    return notifications.notify(
        kind=KIND,
        users=users,
        subject="Frontier Lab submitted its answers: A-1 Frontier Lab — Frontier API",
        lines=["Assessment: A-1 Frontier Lab — Frontier API", "Vendor: Frontier Lab"],
        action="Check the answers",
        url="/assessments/1/",
        key=key,
        **extra,
    )


def test_each_recipient_gets_one_row_with_their_address_and_the_kind(people):
    tell([people["analyst"], people["reviewer"], people["analyst"], None])
    (a, r) = rows("core.notification")
    assert (a.recipient, r.recipient) == ("analyst@acme.example", "reviewer@acme.example")
    assert a.payload["kind"] == KIND and a.key != r.key


def test_the_same_event_told_twice_queues_one_mail_per_person(people):
    first = tell([people["analyst"]])
    again = tell([people["analyst"]])
    assert [d.created for d in first + again] == [True, False]
    assert OutboxMessage.objects.count() == 1


def test_off_writes_nothing_and_digest_keeps_an_item_for_the_summary(people):
    NotificationPreference.objects.create(user=people["analyst"], kind=KIND, mode="off")
    NotificationPreference.objects.create(user=people["reviewer"], kind=KIND, mode="digest")
    modes = {d.user.username: d.mode for d in tell([people["analyst"], people["reviewer"], people["admin"]])}
    assert modes == {"analyst": "off", "reviewer": "digest", "admin": "immediate"}
    assert [r.recipient for r in rows()] == ["admin@acme.example"]
    (item,) = DigestItem.objects.all()
    assert item.user == people["reviewer"] and item.message is None


def test_another_kind_keeps_its_own_setting(people):
    NotificationPreference.objects.create(user=people["analyst"], kind="vendor_question", mode="off")
    tell([people["analyst"]])
    assert len(rows("core.notification")) == 1


def test_people_without_an_address_are_skipped_and_logged(people, personas, caplog):
    with caplog.at_level("INFO", logger="procurement.core.notifications"):
        done = tell([personas["viewer"], people["analyst"]])
    assert [d.mode for d in done] == ["no_address", "immediate"]
    assert "viewer has no e-mail address" in caplog.text and len(rows()) == 1


def test_the_mail_has_a_text_and_an_html_part_naming_the_assessment_vendor_and_action(people, settings):
    settings.SITE_URL = "https://dd.example.com/"
    tell([people["analyst"]])
    parts = mail_parts(rows()[0])
    assert parts.to == ["analyst@acme.example"]
    assert parts.subject == "Frontier Lab submitted its answers: A-1 Frontier Lab — Frontier API"
    for body in (parts.text, parts.html):
        assert "A-1 Frontier Lab — Frontier API" in body and "Vendor: Frontier Lab" in body
        assert "Check the answers" in body and "https://dd.example.com/assessments/1/" in body
        assert "https://dd.example.com/accounts/notifications/" in body
    assert parts.text.startswith("Hello Analyst,") and "<p>Hello Analyst,</p>" in parts.html


def test_html_in_names_is_escaped_in_the_html_part(people):
    people["analyst"].first_name = "<script>x</script>"
    people["analyst"].save()
    notifications.notify(kind=KIND, users=[people["analyst"]], subject="s", lines=["<b>Acme</b>"], url="/", key="k")
    html = mail_parts(rows()[0]).html
    assert "<script>" not in html and "&lt;b&gt;Acme&lt;/b&gt;" in html


def test_line_breaks_in_a_subject_or_a_name_never_reach_a_header(people):
    people["analyst"].first_name = "Eve\r\nBcc: victim@example.com"
    people["analyst"].save()
    notifications.notify(
        kind=KIND, users=[people["analyst"]], subject="Acme\r\nBcc: victim@example.com", lines=[], url="/", key="k"
    )
    outbox.outbox_drain()
    (sent,) = mail.outbox
    message = sent.message()
    assert message["Subject"] == "Acme Bcc: victim@example.com" and message["Bcc"] is None
    assert sent.recipients() == ["analyst@acme.example"]
    assert "Hello Eve Bcc: victim@example.com," in sent.body


def test_an_account_closed_before_sending_cancels_its_mail(people):
    tell([people["analyst"]])
    people["analyst"].is_active = False
    people["analyst"].save()
    outbox.outbox_drain()
    assert rows()[0].status == "cancelled" and mail.outbox == []


# --- The daily summary ----------------------------------------------------------------


def test_the_summary_sends_the_days_items_as_one_mail_once_a_day(people):
    NotificationPreference.objects.create(user=people["reviewer"], kind=KIND, mode="digest")
    tell([people["reviewer"]], key="e1")
    tell([people["reviewer"]], key="e2")
    today = dt.date(2026, 11, 26)
    (summary,) = notifications.digests_send(today=today)
    assert notifications.digests_send(today=today) == []
    tell([people["reviewer"]], key="e3")  # after today's summary: waits for tomorrow's
    assert notifications.digests_send(today=today) == []
    parts = mail_parts(summary)
    assert parts.subject == "Your daily summary: 2 updates (26 Nov 2026)"
    for body in (parts.text, parts.html):
        assert body.count("Frontier Lab submitted its answers") == 2 and "Check the answers" in body
    (tomorrow,) = notifications.digests_send(today=today + dt.timedelta(days=1))
    assert tomorrow.digest_items.count() == 1


def test_an_event_already_summarised_is_not_mailed_again_when_the_setting_changes(people):
    pref = NotificationPreference.objects.create(user=people["reviewer"], kind=KIND, mode="digest")
    tell([people["reviewer"]])
    pref.mode = "immediate"
    pref.save()
    assert tell([people["reviewer"]])[0].created is False and rows("core.notification") == []


# --- The settings page ----------------------------------------------------------------


def test_the_settings_page_shows_every_kind_and_saves_the_choices(login, people):
    client = login(people["reviewer"])
    page = client.get(reverse("notifications:preferences")).content.decode()
    assert "The vendor asked a question" in page and "A condition I own is coming due or overdue" in page
    modes = notifications.preference_modes(people["reviewer"])
    assert set(modes.values()) == {"immediate"}
    response = client.post(reverse("notifications:preferences"), {**modes, KIND: "digest", "review_due": "off"})
    assert response.status_code == 302
    saved = notifications.preference_modes(people["reviewer"])
    assert saved[KIND] == "digest" and saved["review_due"] == "off" and saved["vendor_question"] == "immediate"


def test_a_bad_choice_is_refused_with_a_message_and_nothing_changes(login, people):
    client = login(people["reviewer"])
    response = client.post(reverse("notifications:preferences"), {KIND: "sometimes", "review_due": "off"})
    assert response.status_code == 400
    assert "Choose at once, daily summary or never." in response.content.decode()
    assert not NotificationPreference.objects.exists()


def test_the_settings_page_warns_a_person_without_an_address(login, personas):
    page = login(personas["viewer"]).get(reverse("notifications:preferences")).content.decode()
    assert "no e-mail address" in page


# --- The reminder schedule --------------------------------------------------------------


def test_an_organisation_may_set_its_own_schedule_for_a_kind(org, other_org, settings):
    settings.REMINDER_SCHEDULE = {"condition": {"before_days": [7, 1]}}
    own = ReminderSchedule(organisation=org, kind="condition", before_days="14 , 3", overdue_every_days=0)
    own.full_clean()
    own.save()
    assert notifications.reminder_schedule(kind="condition", organisation=org) == Schedule(
        before_days=(14, 3), overdue_every_days=0
    )
    assert notifications.reminder_schedule(kind="condition", organisation=other_org) == Schedule(before_days=(7, 1))


def test_a_schedule_with_nonsense_days_is_refused_in_words(org):
    with pytest.raises(Exception, match="whole numbers of days"):
        ReminderSchedule(organisation=org, kind="review", before_days="a month").full_clean()


def test_an_org_admin_edits_only_their_organisations_schedules_in_the_admin(login, personas, org, other_org):
    theirs = ReminderSchedule.objects.create(organisation=other_org, kind="review", before_days="30")
    client = login(personas["admin"])
    response = client.post(
        reverse("admin:core_reminderschedule_add"),
        {"kind": "review", "before_days": "60, 14", "on_the_day": "on", "overdue_every_days": "14"},
    )
    assert response.status_code == 302
    mine = ReminderSchedule.objects.get(organisation=org)
    assert mine.before_days == "60, 14"
    again = client.post(
        reverse("admin:core_reminderschedule_add"), {"kind": "review", "before_days": "1", "overdue_every_days": "7"}
    )
    assert "has a schedule for this deadline already" in again.content.decode()
    assert client.get(reverse("admin:core_reminderschedule_change", args=[theirs.pk])).status_code == 404
