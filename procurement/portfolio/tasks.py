from django.tasks import task


@task
def start_reassessments() -> int:
    """The worker's run of ``manage.py start_reassessments``: the number started today."""
    from django.utils import timezone

    from procurement.portfolio.reassessment import reassessments_start_due

    return len(reassessments_start_due(today=timezone.localdate()).started)
