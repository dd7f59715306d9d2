"""Every page a browser test visits is checked by axe-core (tests/browser/axe.py).

The check runs once per page load, at the test's next step: before the next action on the page
(goto, click, fill, check, press, select, screenshot, a wait, ...) or a locator on it, and before
the page or its context closes. So each page is checked fully loaded, as the test left it, and a
test needs no call of its own. A test that changes a page in place (htmx) and wants that state
checked calls ``assert_no_axe_violations(page)`` itself. The automatic check leaves the two colour
rules (contrast, links told apart by colour alone) to the crawl, which checks them on every page
(tests/browser/axe.py, WITHOUT_CONTRAST). A document
like one that already passed in the run (same elements and attributes; tests/browser/axe.py,
_FINGERPRINT) is not checked again.
"""

from __future__ import annotations

import functools
import io
import sqlite3

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from playwright.sync_api import Browser, BrowserContext, Locator, Page
from playwright.sync_api import Error as PlaywrightError

from tests.browser.axe import CHECKED_FLAG, axe_violations, describe, load_with_every_document

# Actions that may leave the page in a new state, on pages and on locators alike.
_ACTIONS = (
    "click",
    "dblclick",
    "fill",
    "type",
    "press",
    "check",
    "uncheck",
    "set_checked",
    "select_option",
    "set_input_files",
    "screenshot",
)
PAGE_STEPS = ("goto", "reload", "go_back", *_ACTIONS, "wait_for_selector", "wait_for_url", "close")
LOCATOR_STEPS = (*_ACTIONS, "focus")

_STATE = f"() => [document.readyState, window.{CHECKED_FLAG} === true, location.protocol]"


def check_pending(page: Page) -> None:
    """Runs axe on the page's current document unless it was checked or is still loading."""
    if page.is_closed():
        return
    try:
        ready, checked, protocol = page.evaluate(_STATE)
        if ready != "complete" or checked or not protocol.startswith("http"):
            return
        violations = axe_violations(page, contrast=False)  # the crawl checks contrast (axe.py)
    except PlaywrightError:
        return  # the page navigated away while being checked; the next document gets its turn
    if violations:
        raise AssertionError(describe(violations, page.url))


def _before(step, get_page):
    @functools.wraps(step)
    def wrapper(self, *args, **kwargs):
        check_pending(get_page(self))
        return step(self, *args, **kwargs)

    return wrapper


def _context_close(close):
    @functools.wraps(close)
    def wrapper(self, *args, **kwargs):
        try:
            for page in self.pages:
                check_pending(page)
        finally:
            close(self, *args, **kwargs)

    return wrapper


@pytest.fixture(autouse=True)
def axe_in_every_context(monkeypatch):
    """Every browser context a test opens (pytest-playwright's or its own) loads axe-core with
    each document (tests/browser/axe.py, load_with_every_document)."""
    new_context = Browser.new_context

    @functools.wraps(new_context)
    def with_axe(self, *args, **kwargs):
        context = new_context(self, *args, **kwargs)
        load_with_every_document(context)
        return context

    monkeypatch.setattr(Browser, "new_context", with_axe)


@pytest.fixture(autouse=True)
def axe_on_every_page(request, monkeypatch):
    """Patches Playwright's page and locator steps for the test (see the module docstring).
    ``@pytest.mark.no_axe`` turns it off for a test that checks pages itself."""
    if request.node.get_closest_marker("no_axe"):
        yield
        return
    for name in PAGE_STEPS:
        monkeypatch.setattr(Page, name, _before(getattr(Page, name), lambda page: page))
    for name in LOCATOR_STEPS:
        monkeypatch.setattr(Locator, name, _before(getattr(Locator, name), lambda locator: locator.page))
    monkeypatch.setattr(BrowserContext, "close", _context_close(BrowserContext.close))
    yield


# The demo organisation as `manage.py seed_demo` leaves it, once per run and set of options: later
# tests get a copy of that database (SQLite's backup API, a few milliseconds) instead of seeding
# again (about 2 s each). Tests that use the fixture run on SQLite (tests/conftest.py, _pinned).
_SEEDED: dict[tuple, sqlite3.Connection] = {}


@pytest.fixture
def seed_demo(live_server):
    """``seed_demo(**options)`` gives the test's database the demo data, as
    ``call_command("seed_demo", **options)`` would on the empty database a browser test starts
    with. Call it first: the copy replaces the whole database. Its documents' files stay in the
    run's media folder, so the copy's rows still find them."""

    def seed(**options) -> None:
        key = tuple(sorted(options.items()))
        if connection.vendor != "sqlite":
            call_command("seed_demo", stdout=io.StringIO(), **options)
            return
        connection.ensure_connection()
        if key not in _SEEDED:
            call_command("seed_demo", stdout=io.StringIO(), **options)
            copy = sqlite3.connect(":memory:", check_same_thread=False)
            connection.connection.backup(copy)
            _SEEDED[key] = copy
        else:
            _SEEDED[key].backup(connection.connection)
            ContentType.objects.clear_cache()

    return seed


# Renders wait for a worker, other tasks run at once (tests/tasks_backend.py). A test that watches a
# report render sets its own backend: the database queue and a db_worker (test_report_status.py,
# test_board_pack.py), or `tasks_inline` (test_bank_editor.py).
QUEUED_FOR_A_WORKER = {"default": {"BACKEND": "tests.tasks_backend.RendersWaitBackend"}}
INLINE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def tasks_wait_for_a_worker(settings):
    settings.TASKS = QUEUED_FOR_A_WORKER


@pytest.fixture
def tasks_inline(settings):
    """Tasks run in the request again, for a test that watches a render (name it before the
    fixtures that decide)."""
    settings.TASKS = INLINE


@pytest.fixture
def csp_errors(page) -> list[str]:
    """The Content Security Policy violations the browser reports on the test's page, each with
    the page and the script line that caused it (so a failure says where to look)."""
    errors: list[str] = []

    def record(msg) -> None:
        if "Content Security Policy" in msg.text:
            where = msg.location or {}
            errors.append(f"{page.url} ({where.get('url', '?')}:{where.get('lineNumber', '?')}): {msg.text}")

    page.on("console", record)
    return errors
