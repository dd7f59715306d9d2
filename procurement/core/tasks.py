from django.tasks import task


@task
def drain_outbox() -> int:
    """Send the outbox's due messages (db_worker runs this after each commit that queues one)."""
    from procurement.core.outbox import outbox_drain

    return outbox_drain().sent
