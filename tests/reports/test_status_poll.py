"""The pending spinner's 1-second status poll reads one report row, not the whole record."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from procurement.reports import services
from procurement.reports.models import ReportFile

pytestmark = pytest.mark.django_db

DB_QUEUE = {"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend"}}


def _poll_url(fragment: str) -> str:
    match = re.search(r'hx-get="([^"]+)"', fragment)
    assert match, fragment
    return match.group(1).replace("&amp;", "&")


@pytest.fixture
def pending(login, personas, complete_assessment, settings):
    """The analyst asked for the PDF of a draft (its record is built from the live rows,
    unlike a decided one's frozen record); no worker runs, so it stays pending."""
    settings.TASKS = DB_QUEUE
    client = login(personas["analyst"])
    fragment = client.post(reverse("reports:generate", args=[complete_assessment.pk])).content.decode()
    return client, _poll_url(fragment), ReportFile.objects.get()


def test_the_poll_carries_the_hash_it_waits_for_and_counts_the_polls(pending):
    _, url, report = pending
    assert url == f"{reverse('reports:status', args=[report.assessment_id])}?hash={report.content_hash}&n=1"


def test_the_page_polls_quickly_at_first_then_once_a_second(pending):
    client, _, report = pending
    base = f"{reverse('reports:status', args=[report.assessment_id])}?hash={report.content_hash}"
    first = client.get(base + "&n=1").content.decode()
    assert 'hx-trigger="load delay:200ms"' in first and "n=2" in first
    later = client.get(base + "&n=60").content.decode()
    assert 'hx-trigger="load delay:1000ms"' in later and "n=61" in later
    junk = client.get(base + "&n=junk").content.decode()
    assert 'hx-trigger="load delay:200ms"' in junk and "being generated" in junk


def test_the_poll_runs_a_few_queries_and_no_record_rebuild(pending, django_assert_max_num_queries):
    client, url, _ = pending
    # session, user, membership, the report row; rebuilding the record took about 20
    with django_assert_max_num_queries(4):
        body = client.get(url).content.decode()
    assert "being generated" in body and 'hx-trigger="load delay:200ms"' in body


def test_the_poll_shows_ready_and_failed(pending):
    client, url, report = pending
    ReportFile.objects.filter(pk=report.pk).update(status=ReportFile.Status.READY, pages=12)
    body = client.get(url).content.decode()
    assert "Download PDF" in body and "12 pages" in body
    assert reverse("reports:download", args=[report.assessment_id, report.content_hash]) in body
    ReportFile.objects.filter(pk=report.pk).update(status=ReportFile.Status.FAILED, error="boom")
    body = client.get(url).content.decode()
    assert "could not be generated. boom" in body and "Try again" in body


def test_a_polled_request_whose_worker_died_mid_render_is_queued_again(pending, django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    client, url, report = pending
    lapsed = timezone.now() - dt.timedelta(seconds=1)
    ReportFile.objects.filter(pk=report.pk).update(claimed_until=lapsed, attempts=1)
    with django_capture_on_commit_callbacks(execute=True):
        body = client.get(url).content.decode()
    assert "being generated" in body  # still coming: a worker renders it again
    report.refresh_from_db()
    assert report.status == "pending" and report.claimed_until is None
    assert DBTaskResult.objects.filter(status="READY").count() == 1  # queued again
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        client.get(url)
    assert callbacks == []  # once


def test_a_poll_while_a_worker_holds_the_lease_queues_nothing(pending, django_assert_max_num_queries):
    from django_tasks_db.models import DBTaskResult

    client, url, report = pending
    ReportFile.objects.filter(pk=report.pk).update(claimed_until=timezone.now() + dt.timedelta(seconds=30), attempts=1)
    with django_assert_max_num_queries(4):
        body = client.get(url).content.decode()
    assert "being generated" in body and not DBTaskResult.objects.exists()


def test_a_request_unclaimed_long_while_the_queue_is_empty_is_queued_again(pending, django_capture_on_commit_callbacks):
    """Its queued task was lost (the fixture's was never committed, like a queue emptied by hand)."""
    from django_tasks_db.models import DBTaskResult

    client, url, report = pending
    old = timezone.now() - services.STALE_AFTER - dt.timedelta(seconds=1)
    ReportFile.objects.filter(pk=report.pk).update(updated_at=old)
    with django_capture_on_commit_callbacks(execute=True):
        body = client.get(url).content.decode()
    assert "being generated" in body and "not running" not in body
    assert DBTaskResult.objects.filter(status="READY").count() == 1


@pytest.mark.parametrize("persona", ["outsider", "staff"])
def test_others_get_404_with_the_hash(pending, login, personas, persona):
    _, url, report = pending
    response = login(personas[persona]).get(url)
    assert response.status_code == 404
    body = response.content.decode()
    assert "Frontier" not in body and "ClaimsBot" not in body and report.content_hash not in body


def test_a_hash_of_another_assessment_is_not_read(pending, decided):
    client, _, report = pending
    url = f"{reverse('reports:status', args=[decided.pk])}?hash={report.content_hash}"
    body = client.get(url).content.decode()
    assert "being generated" not in body and "Generate PDF" in body


def test_an_unknown_hash_falls_back_to_the_current_record(pending):
    client, url, report = pending
    body = client.get(url.replace(report.content_hash, "0" * 64)).content.decode()
    assert "being generated" in body  # the current record's pending report
