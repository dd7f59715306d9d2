"""Debian's Chromium on the report page: with no worker running the spinner says so; a store
that fails shows the reason with Try again; trying again once it works gives the download."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from procurement.reports.models import ReportFile
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DB_QUEUE = {"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend"}}


def _worker_batch() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


def test_the_report_page_says_when_no_worker_runs_and_when_storing_fails(
    page, live_server, personas, decided, settings, artifacts_dir
):
    settings.TASKS = DB_QUEUE
    ReportFile.objects.all().delete()  # the one the decision rendered inline, before the queue was set
    page.set_viewport_size({"width": 1300, "height": 700})
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "analyst")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("text=Log out")
    page.goto(f"{live_server.url}/reports/{decided.pk}/")
    page.click("text=Generate PDF")
    page.wait_for_selector("text=The PDF is being generated")

    waited = timezone.now() - dt.timedelta(minutes=3)  # nobody took the task for three minutes
    ReportFile.objects.update(updated_at=waited)
    DBTaskResult.objects.update(enqueued_at=waited)
    page.wait_for_selector("text=The report worker is not running; ask your administrator.")
    page.screenshot(path=str(artifacts_dir / "report-status-1-no-worker.png"))

    default_storage = settings.STORAGES["default"]
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "tests.reports.failing_storage.FullDiskStorage"}}
    _worker_batch()  # a worker starts; the disk is full
    page.wait_for_selector("text=storing it failed: No space left on device")
    assert page.locator("text=The report worker is not running").count() == 0
    page.screenshot(path=str(artifacts_dir / "report-status-2-store-failed.png"))

    settings.STORAGES = {**settings.STORAGES, "default": default_storage}
    page.click("text=Try again")
    page.wait_for_selector("text=The PDF is being generated")
    _worker_batch()
    page.wait_for_selector("text=Download PDF")
    page.screenshot(path=str(artifacts_dir / "report-status-3-ready.png"))
    assert ReportFile.objects.get().status == "ready"
