"""Report rendering, caching and background generation."""

from __future__ import annotations

import datetime as dt
import time

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone

from procurement.assessments.models import Assessment
from procurement.assessments.records import assessment_record, record_hash
from procurement.reports.context import report_context_from_record
from procurement.reports.models import ReportFile
from procurement.reports.pdf import render_pdf

STATUS_LABELS = dict(Assessment.Status.choices)
# A render takes seconds; a request still pending after this long lost its worker.
STALE_AFTER = dt.timedelta(minutes=10)
STALE_MESSAGE = "The render did not finish (the worker may have stopped). Try again."


def report_html(record: dict, *, status_label: str = "", unverified_import: bool = False) -> str:
    ctx = report_context_from_record(record, status_label=status_label, unverified_import=unverified_import)
    return render_to_string("reports/pdf.html", ctx)


def report_pdf(record: dict, *, status_label: str = "", unverified_import: bool = False) -> tuple[bytes, int]:
    """Render a record to PDF bytes and a page count. Runs no database queries."""
    return render_pdf(report_html(record, status_label=status_label, unverified_import=unverified_import))


# What a status line reads of a report: not the record it renders (a large JSON column).
STATUS_FIELDS = ("id", "assessment_id", "content_hash", "status", "pages", "error", "created_at", "updated_at")


def report_current(assessment: Assessment) -> tuple[dict, str, ReportFile | None]:
    """The record as it stands, its hash, and the cached report for it if any.

    A request left pending past STALE_AFTER (its worker was killed) is marked
    failed here, so the page offers a retry instead of spinning for ever.
    """
    record = assessment_record(assessment)
    digest = record_hash(record)
    # Not the stored copy of the record (a large JSON column, equal to ``record`` by its hash).
    report = ReportFile.objects.filter(assessment=assessment, content_hash=digest).only(*STATUS_FIELDS).first()
    return record, digest, _expire_if_stale(report)


def report_status(assessments: QuerySet[Assessment], pk: int, digest: str) -> ReportFile | None:
    """The one report the status poll waits for (the generate action gave it its hash),
    if it belongs to an assessment of ``assessments``: one query, no record rebuilt.
    Past STALE_AFTER a pending one is marked failed, as in ``report_current``."""
    report = (
        ReportFile.objects.filter(assessment__in=assessments.filter(pk=pk).values("pk"), content_hash=digest)
        .only(*STATUS_FIELDS)
        .first()
    )
    return _expire_if_stale(report)


def _expire_if_stale(report: ReportFile | None) -> ReportFile | None:
    if (
        report is not None
        and report.status == ReportFile.Status.PENDING
        and report.updated_at < timezone.now() - STALE_AFTER
    ):
        ReportFile.objects.filter(pk=report.pk, status=ReportFile.Status.PENDING).update(
            status=ReportFile.Status.FAILED, error=STALE_MESSAGE
        )
        report.refresh_from_db(fields=["status", "error", "updated_at"])
    return report


@transaction.atomic
def report_request(*, assessment: Assessment) -> ReportFile:
    """Ask for the PDF of the current record: a cached one, or a queued render."""
    from procurement.reports.tasks import render_report

    record, digest, existing = report_current(assessment)
    if existing is not None and existing.status in (ReportFile.Status.READY, ReportFile.Status.PENDING):
        return existing
    report, _ = ReportFile.objects.update_or_create(
        assessment=assessment,
        content_hash=digest,
        defaults={"record": record, "status": ReportFile.Status.PENDING, "error": ""},
    )
    transaction.on_commit(lambda: render_report.enqueue(report.pk))
    return report


def report_render(report: ReportFile) -> ReportFile:
    """Render a queued report (the worker calls this)."""
    status_label = STATUS_LABELS.get(report.record["assessment"].get("status", ""), "")
    started = time.perf_counter()
    try:
        data, pages = report_pdf(
            report.record, status_label=status_label, unverified_import=report.assessment.is_unverified_import
        )
    except Exception as exc:  # a broken render must not leave the user waiting forever
        report.status, report.error = ReportFile.Status.FAILED, f"{type(exc).__name__}: {exc}"[:2000]
        report.save(update_fields=["status", "error", "updated_at"])
        raise
    report.render_ms = round((time.perf_counter() - started) * 1000)
    report.pages = pages
    report.file.save(f"{report.content_hash}.pdf", ContentFile(data), save=False)
    report.status = ReportFile.Status.READY
    report.save()
    return report
