"""Remind vendor contacts whose questionnaire is open and whose due date or link expiry is near.

Run it from cron as often as you like (hourly or daily): each reminder is queued
once per invitation and deadline, in the outbox; the task worker sends it (with
retries), so a mail server that is down or refuses one address stops nothing.
"""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from procurement.portal.services import REMIND_WITHIN_DAYS, reminders_send


class Command(BaseCommand):
    help = (
        "Queue reminders to vendor contacts whose answers are due, or whose link expires, "
        f"within {REMIND_WITHIN_DAYS} days."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--site-url", default=settings.SITE_URL, help="Base URL for links in the mails (default: DJANGO_SITE_URL)."
        )

    def handle(self, *args, site_url, **options):
        queued = reminders_send(today=timezone.localdate(), base_url=site_url)
        for reminder in queued:
            kind = reminder.get_kind_display().lower()
            self.stdout.write(f"Reminder for {reminder.invitation.contact.email}: {kind}")
        self.stdout.write(self.style.SUCCESS(f"{len(queued)} reminder(s) queued; the task worker sends them."))
