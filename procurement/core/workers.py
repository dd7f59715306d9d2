"""Is a task worker (``manage.py db_worker``) running? Read from the task queue itself.

A worker leaves no trace while the queue is empty, and nothing needs one then. When a task
has waited longer than ``WORKER_SILENT_SECONDS`` and no task started in that time, no
worker is taking work: the report page says so and ``manage.py check --database default``
warns (the check reads the database, so it runs only when asked to, as migrate does).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core import checks
from django.db import DatabaseError
from django.db.models import Case, F, When
from django.db.models.functions import Greatest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

WORKER_MISSING = "The report worker is not running; ask your administrator."


def worker_silent_since(*, now: dt.datetime | None = None) -> dt.datetime | None:
    """Since when the oldest task still waiting could run, if no worker has started a task since
    ``WORKER_SILENT_SECONDS`` ago; None while workers keep up (or nothing waits). A task queued
    to run later (a draft's render after a quiet period) waits from its ``run_after``."""
    now = now or timezone.now()
    horizon = now - dt.timedelta(seconds=settings.WORKER_SILENT_SECONDS)
    due = Case(When(run_after=get_date_max(), then=F("enqueued_at")), default=Greatest("enqueued_at", "run_after"))
    oldest = DBTaskResult.objects.ready().annotate(due=due).order_by("due").values_list("due", flat=True).first()
    if oldest is None or oldest > horizon:
        return None
    if DBTaskResult.objects.filter(started_at__gte=horizon).exists():
        return None  # a worker is running, only busy
    return oldest


@checks.register(checks.Tags.database)
def check_worker_running(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    try:
        since = worker_silent_since()
    except DatabaseError:  # not migrated yet: nothing can be queued either
        return []
    if since is None:
        return []
    waited = round((timezone.now() - since).total_seconds() / 60)
    return [
        checks.Warning(
            f"No task worker is running: a task has waited {waited} minutes and none started.",
            hint="Start `python manage.py db_worker --no-reload` (it renders PDFs and sends mail).",
            id="core.W001",
        )
    ]
