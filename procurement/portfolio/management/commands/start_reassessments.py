"""Start the reassessments the organisations chose to start on their own (reviews due, flags).

Meant for cron next to ``send_notifications`` (or the worker task
``procurement.portfolio.tasks.start_reassessments``). A second run starts nothing new.
"""

from django.core.management.base import BaseCommand
from django.utils import timezone

from procurement.portfolio.management.commands.send_notifications import _date
from procurement.portfolio.reassessment import reassessments_start_due


class Command(BaseCommand):
    help = "Start the reassessments due today where the organisation chose 'start a reassessment'."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Act as if today were this date (YYYY-MM-DD); for testing.")

    def handle(self, *args, date=None, **options):
        today = _date(date) if date else timezone.localdate()
        report = reassessments_start_due(today=today)
        for line in report.started:
            self.stdout.write(f"Started: {line}")
        if report.problems:
            self.stderr.write(f"{report.problems} reassessment(s) could not be started; see the log.")
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(report.started)} reassessment(s) started for {today}; "
                f"{report.notified_only} due or flagged service(s) left to their owners (only notify)."
            )
        )
