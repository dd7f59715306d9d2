"""Debian's Chromium on the portfolio page: Board pack queues the PDF, the page polls until the
worker has rendered it and offers the download; a failed store shows the reason and Try again."""

import pytest
from django.core.management import call_command

from procurement.core.services import DEMO_PASSWORD
from procurement.portfolio.models import BoardPack

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DB_QUEUE = {"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend"}}


def _worker_batch() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


def test_the_board_pack_button_generates_polls_and_downloads(seed_demo, page, live_server, settings, artifacts_dir):
    seed_demo()
    settings.TASKS = DB_QUEUE
    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "viewer")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("text=Log out")
    page.goto(f"{live_server.url}/portfolio/")

    default_storage = settings.STORAGES["default"]
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "tests.reports.failing_storage.FullDiskStorage"}}
    page.click("#board-pack-status button:has-text('Board pack')")
    page.wait_for_selector("text=The board pack is being generated")
    _worker_batch()  # the disk is full
    page.wait_for_selector("text=storing it failed: No space left on device")
    page.screenshot(path=str(artifacts_dir / "board-pack-1-failed.png"))

    settings.STORAGES = {**settings.STORAGES, "default": default_storage}
    page.click("#board-pack-status >> text=Try again")
    page.wait_for_selector("text=The board pack is being generated")
    _worker_batch()
    link = page.locator("text=Download board pack")
    link.wait_for()
    page.screenshot(path=str(artifacts_dir / "board-pack-2-ready.png"))
    with page.expect_download() as download:
        link.click()
    path = download.value.path()
    with open(path, "rb") as fh:
        assert fh.read(5) == b"%PDF-"
    assert BoardPack.objects.get().status == "ready"
