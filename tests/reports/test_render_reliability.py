"""A PDF is ready when clicked and a render never sticks: a decision queues its PDF, a worker
killed mid-render loses its lease and the render is retried, a failing store shows the
reason with Try again, and a missing worker is reported."""

import datetime as dt
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from procurement.assessments import services as assessment_services
from procurement.reports import services
from procurement.reports.models import ReportFile

pytestmark = pytest.mark.django_db

DB_QUEUE = {"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend"}}
INLINE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
ROOT = Path(__file__).resolve().parents[2]


def _reject(assessment, personas):
    return assessment_services.assessment_decide(
        assessment=assessment,
        by=personas["reviewer"],
        approve=False,
        note="Not for us",
        authenticated_at=timezone.now(),
    )


def test_deciding_renders_the_pdf_once_the_decision_commits(in_review, personas, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        decided = _reject(in_review, personas)
        assert not ReportFile.objects.exists()  # nothing before the commit
    report = ReportFile.objects.get()
    assert report.assessment_id == decided.pk and report.content_hash == decided.frozen_hash
    assert report.status == "ready" and report.format_version == services.REPORT_FORMAT
    assert report.record == decided.frozen_record


def test_deciding_queues_the_pdf_for_the_worker(in_review, personas, settings, django_capture_on_commit_callbacks):
    settings.TASKS = DB_QUEUE
    with django_capture_on_commit_callbacks(execute=True):
        decided = _reject(in_review, personas)
    report = ReportFile.objects.get(assessment=decided)
    assert report.status == "pending" and report.content_hash == decided.frozen_hash
    assert DBTaskResult.objects.filter(task_path="procurement.reports.tasks.render_report").count() == 1


def test_a_new_report_format_rerenders_a_decided_record_from_its_frozen_record(
    decided, monkeypatch, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = services.report_request(assessment=decided)
    monkeypatch.setattr(services, "REPORT_FORMAT", services.REPORT_FORMAT + 1)
    with django_capture_on_commit_callbacks(execute=True):
        second = services.report_request(assessment=decided)
    first.refresh_from_db()
    second.refresh_from_db()
    assert second.pk != first.pk and second.format_version == first.format_version + 1
    assert second.content_hash == first.content_hash == decided.frozen_hash
    assert second.record == decided.frozen_record and second.status == first.status == "ready"
    assert second.file.name != first.file.name  # the first design's PDF stays as it was


def test_a_frozen_record_renders_byte_identically_within_one_format(decided):
    first, _ = services.report_pdf(decided.frozen_record, status_label="Rejected")
    second, _ = services.report_pdf(decided.frozen_record, status_label="Rejected")
    assert first == second


def test_a_store_that_fails_marks_the_report_failed_with_the_reason_and_try_again_works(
    login, personas, decided, settings, django_capture_on_commit_callbacks
):
    default_storage = settings.STORAGES["default"]
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "tests.reports.failing_storage.FullDiskStorage"}}
    client = login(personas["analyst"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reports:generate", args=[decided.pk]))
    report = ReportFile.objects.get()
    assert report.status == "failed" and report.claimed_until is None
    assert report.error == "It was rendered, but storing it failed: No space left on device"
    body = client.get(reverse("reports:preview", args=[decided.pk])).content.decode()
    assert "No space left on device" in body and "Try again" in body and "being generated" not in body
    settings.STORAGES = {**settings.STORAGES, "default": default_storage}  # the disk was cleared
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reports:generate", args=[decided.pk]))
    report.refresh_from_db()
    assert report.status == "ready" and report.error == "" and report.file.read(5) == b"%PDF-"
    assert "Download PDF" in client.get(reverse("reports:status", args=[decided.pk])).content.decode()


def test_a_render_that_fails_marks_the_report_failed_in_plain_words(decided, monkeypatch, settings):
    settings.TASKS = DB_QUEUE
    report = services.report_request(assessment=decided)

    def broken(*args, **kwargs):
        raise ValueError("the chart has no data")

    monkeypatch.setattr(services, "report_pdf", broken)
    with pytest.raises(ValueError):
        services.report_render(report.pk)
    report.refresh_from_db()
    assert report.status == "failed" and report.error == "Rendering it failed: the chart has no data"


def test_a_render_held_by_a_live_lease_is_not_taken_and_a_lapsed_one_is(decided, settings):
    settings.TASKS = DB_QUEUE
    report = services.report_request(assessment=decided)
    ReportFile.objects.filter(pk=report.pk).update(claimed_until=timezone.now() + dt.timedelta(seconds=30), attempts=1)
    assert services.report_render(report.pk) is None
    ReportFile.objects.filter(pk=report.pk).update(claimed_until=timezone.now() - dt.timedelta(seconds=1))
    rendered = services.report_render(report.pk)
    assert rendered.status == "ready" and rendered.attempts == 2 and rendered.claimed_until is None


def test_the_page_and_the_check_say_when_no_worker_runs(
    login, personas, decided, settings, capsys, django_capture_on_commit_callbacks
):
    settings.TASKS = DB_QUEUE
    client = login(personas["analyst"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reports:generate", args=[decided.pk]))
    assert DBTaskResult.objects.count() == 1
    body = client.get(reverse("reports:status", args=[decided.pk])).content.decode()
    assert "being generated" in body and "not running" not in body  # just queued: no alarm yet
    call_command("check", "--database", "default")
    assert "No task worker" not in capsys.readouterr().err
    waited = timezone.now() - dt.timedelta(minutes=3)
    ReportFile.objects.update(updated_at=waited)
    DBTaskResult.objects.update(enqueued_at=waited)
    body = client.get(reverse("reports:status", args=[decided.pk])).content.decode()
    assert "The report worker is not running; ask your administrator." in body and 'hx-trigger="load delay:' in body
    page = client.get(reverse("reports:preview", args=[decided.pk])).content.decode()
    assert "The report worker is not running" in page
    call_command("check", "--database", "default")
    assert "No task worker is running: a task has waited 3 minutes" in capsys.readouterr().err
    DBTaskResult.objects.create(
        task_path="procurement.core.tasks.drain_outbox",
        args_kwargs={"args": [], "kwargs": {}},
        backend_name="default",
        run_after=timezone.now(),
        status="RUNNING",
        started_at=timezone.now(),
    )  # a worker took a task a moment ago: it runs, only busy
    body = client.get(reverse("reports:status", args=[decided.pk])).content.decode()
    assert "not running" not in body


def _wait_for(condition, *, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def _worker(lease_seconds: int) -> subprocess.Popen:
    """A real `manage.py db_worker` on the test database, in its own process."""
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "procurement.settings",
        "DJANGO_DEBUG": "1",
        "DATABASE_NAME": str(db["NAME"]),
        "DJANGO_MEDIA_ROOT": str(django_settings.MEDIA_ROOT),
        "REPORT_LEASE_SECONDS": str(lease_seconds),
        "TASKS_BACKEND": "database",
    }
    return subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@pytest.mark.django_db(transaction=True)  # the worker process must see the committed rows
def test_a_worker_killed_mid_render_loses_its_lease_and_the_render_is_retried(login, personas, decided, settings):
    settings.TASKS = DB_QUEUE
    ReportFile.objects.all().delete()  # the one the decision rendered inline, before the queue was set
    client = login(personas["analyst"])
    fragment = client.post(reverse("reports:generate", args=[decided.pk])).content.decode()
    poll = re.search(r'hx-get="([^"]+)"', fragment).group(1).replace("&amp;", "&")
    report = ReportFile.objects.get()
    worker = _worker(lease_seconds=2)
    try:
        _wait_for(
            lambda: ReportFile.objects.filter(pk=report.pk, claimed_until__isnull=False).exists(),
            timeout=60,
            what="the worker to claim the report",
        )
        worker.send_signal(signal.SIGKILL)  # mid-render: no cleanup runs
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
    report.refresh_from_db()
    assert report.status == "pending" and report.attempts == 1, "the render finished before the kill"
    assert DBTaskResult.objects.get().status == "RUNNING"  # django-tasks-db never re-queues it
    assert "being generated" in client.get(poll).content.decode()  # the lease still holds: nothing queued
    assert DBTaskResult.objects.count() == 1
    # The lease as the killed worker left it: it renews the lease while it renders, so on a loaded
    # machine it may have moved on after the claim was first seen.
    _wait_for(lambda: timezone.now() > report.claimed_until, timeout=10, what="the lease to lapse")
    assert "being generated" in client.get(poll).content.decode()  # lapsed: the poll queues it again
    assert DBTaskResult.objects.filter(status="READY").count() == 1
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)  # a live worker
    report.refresh_from_db()
    assert report.status == "ready" and report.attempts == 2 and report.file.read(5) == b"%PDF-"
    assert "Download PDF" in client.get(poll).content.decode()
