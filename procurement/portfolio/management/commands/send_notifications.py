"""Queue today's reminders (conditions, reviews, risk acceptances) and the daily summaries.

Meant for cron, once or twice a day: each reminder step is queued once per deadline, so a
repeated run sends nothing twice. It only queues; the task worker sends (with retries).
"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from procurement.portfolio.notifications import notifications_send


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--date wants a date as YYYY-MM-DD, not {text!r}.") from None


class Command(BaseCommand):
    help = "Queue the reminders due today and the daily summaries (the task worker sends them)."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Act as if today were this date (YYYY-MM-DD); for testing.")

    def handle(self, *args, date=None, **options):
        today = _date(date) if date else timezone.localdate()
        report = notifications_send(today=today)
        for line in report.expired:
            self.stdout.write(f"Expired: {line}")
        for line in report.flagged:
            self.stdout.write(f"Flagged for reassessment: {line}")
        for line in report.queued:
            self.stdout.write(line)
        summary = f"{len(report.queued)} reminder(s) and {report.digests} daily summary mail(s) queued for {today}"
        if report.problems:
            self.stderr.write(f"{report.problems} deadline(s) could not be handled; see the log.")
        self.stdout.write(self.style.SUCCESS(summary + "; the task worker sends them."))
