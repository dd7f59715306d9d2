import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

pytestmark = pytest.mark.django_db


def test_send_reminders_is_idempotent(invitation, assessment, capsys, django_capture_on_commit_callbacks):
    assessment.due_date = timezone.localdate() + dt.timedelta(days=3)
    assessment.save()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", "--site-url", "https://dd.example.com")
    assert "1 reminder(s) queued" in capsys.readouterr().out
    assert "https://dd.example.com/portal/" in mail.outbox[0].body
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders")
    assert "0 reminder(s) queued" in capsys.readouterr().out
    assert len(mail.outbox) == 1
