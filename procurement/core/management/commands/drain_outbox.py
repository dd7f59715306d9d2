from django.core.management.base import BaseCommand

from procurement.core.outbox import outbox_drain


class Command(BaseCommand):
    help = (
        "Send the outbox's due messages now (the task worker does this after every change that "
        "queues one; run this from cron if no worker runs)."
    )

    def handle(self, *args, **options):
        result = outbox_drain()
        self.stdout.write(f"{result.sent} sent, {result.retrying} to retry later, {result.failed} failed for good.")
