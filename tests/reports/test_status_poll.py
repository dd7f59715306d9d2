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


def test_the_poll_carries_the_hash_it_waits_for(pending):
    _, url, report = pending
    assert url == f"{reverse('reports:status', args=[report.assessment_id])}?hash={report.content_hash}"


def test_the_poll_runs_a_few_queries_and_no_record_rebuild(pending, django_assert_max_num_queries):
    client, url, _ = pending
    # session, user, membership, the report row; rebuilding the record took about 20
    with django_assert_max_num_queries(4):
        body = client.get(url).content.decode()
    assert "being generated" in body and 'hx-trigger="every 1s"' in body


def test_the_poll_shows_ready_and_failed(pending):
    client, url, report = pending
    ReportFile.objects.filter(pk=report.pk).update(status=ReportFile.Status.READY, pages=12)
    body = client.get(url).content.decode()
    assert "Download PDF" in body and "12 pages" in body
    assert reverse("reports:download", args=[report.assessment_id, report.content_hash]) in body
    ReportFile.objects.filter(pk=report.pk).update(status=ReportFile.Status.FAILED, error="boom")
    body = client.get(url).content.decode()
    assert "could not be generated: boom" in body and "Try again" in body


def test_a_polled_request_whose_worker_died_is_marked_failed(pending):
    client, url, report = pending
    ReportFile.objects.filter(pk=report.pk).update(updated_at=timezone.now() - services.STALE_AFTER - dt.timedelta(1))
    body = client.get(url).content.decode()
    assert "did not finish" in body and "Try again" in body
    report.refresh_from_db()
    assert report.status == "failed" and report.error == services.STALE_MESSAGE


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
