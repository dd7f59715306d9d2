"""Report rendering, caching and background generation."""

from __future__ import annotations

import datetime as dt
import threading
import time
from contextlib import contextmanager

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import F, Q, QuerySet
from django.tasks import TaskResultStatus
from django.template.loader import render_to_string
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from procurement.assessments.models import Assessment
from procurement.assessments.records import assessment_record, record_hash
from procurement.core.workers import worker_silent_since
from procurement.reports.context import report_context_from_record
from procurement.reports.models import ReportFile
from procurement.reports.pdf import render_pdf

STATUS_LABELS = dict(Assessment.Status.choices)

# The report's design. A PDF is cached by its record's hash *and* this number: bump it when a
# change to the templates, the context or the PDF settings changes what a record renders to,
# and decided assessments re-render from their unchanged frozen records (never from live
# data). Within one format a record renders byte-identically every time.
# 3: supply-chain regions shown by name from the geography taxonomy, with unknown locations;
#    supporting documents under their answers; annual spend with its currency.
# 4: tagged PDF/UA-1, SVG text alternatives, darker High band (issue 22).
# 5: chapters follow on (only the summary and the appendix start a page), who answered said once
#    per section, section chart labels no longer cut.
# 6: the signed contract's notice figures beside the vendor's answers (issue 23).
# 7: the effective notice counts a committed notice of upstream changes, as the notice-gap rule
#    does, and says so beside the shortest upstream notice.
# 8: evidence-weighted credit: "self-attested" where a point was added (and how many at the top
#    of the answers), what a confirmed answer rests on, and the method in the appendix.
# 9: render speed: tags and bands are inline boxes, fact tables use the fixed table layout
#    (the same look; the bytes differ).
# 10: render speed: the named rules in the appendix as blocks (title, when it fires, where it is a
#     knockout and the questions it reads, full width) instead of a four-column table; the two
#     parameter tables side by side in a fixed table layout instead of a flex row; an answer's
#     question code on its points line ("DAT-02 · 2 points"), not a smaller span before the question.
# 11: render speed: the section chart's bar labels are HTML laid over the SVG, not SVG text
#     (the same look and places; the bytes differ).
REPORT_FORMAT = 11

# A request still unclaimed after this long while workers run lost its queued task: queue it again.
STALE_AFTER = dt.timedelta(minutes=10)
LOST_MESSAGE = "Its render was interrupted {n} times (the worker stopped before it finished)."
RENDER_FAILED = "Rendering it failed: {reason}"
STORE_FAILED = "It was rendered, but storing it failed: {reason}"


def report_html(record: dict, *, status_label: str = "", unverified_import: bool = False) -> str:
    ctx = report_context_from_record(record, status_label=status_label, unverified_import=unverified_import)
    return render_to_string("reports/pdf.html", ctx)


def report_pdf(record: dict, *, status_label: str = "", unverified_import: bool = False) -> tuple[bytes, int]:
    """Render a record to PDF bytes and a page count. Runs no database queries."""
    return render_pdf(report_html(record, status_label=status_label, unverified_import=unverified_import))


# What a status line reads of a report: not the record it renders (a large JSON column).
STATUS_FIELDS = (
    "id",
    "assessment_id",
    "content_hash",
    "format_version",
    "status",
    "pages",
    "error",
    "claimed_until",
    "attempts",
    "created_at",
    "updated_at",
)


def report_current(assessment: Assessment) -> tuple[dict, str, ReportFile | None]:
    """The record as it stands, its hash, and the cached report for it (this format) if any.

    A pending report whose worker died is queued again here (``report_revive``).
    """
    record = assessment_record(assessment)
    digest = record_hash(record)
    # Not the stored copy of the record (a large JSON column, equal to ``record`` by its hash).
    report = (
        ReportFile.objects.filter(assessment=assessment, content_hash=digest, format_version=REPORT_FORMAT)
        .only(*STATUS_FIELDS)
        .first()
    )
    return record, digest, report_revive(report)


def report_status(assessments: QuerySet[Assessment], pk: int, digest: str) -> ReportFile | None:
    """The one report the status poll waits for (the generate action gave it its hash),
    if it belongs to an assessment of ``assessments``: one query, no record rebuilt.
    A pending one whose worker died is queued again, as in ``report_current``."""
    report = (
        ReportFile.objects.filter(
            assessment__in=assessments.filter(pk=pk).values("pk"), content_hash=digest, format_version=REPORT_FORMAT
        )
        .only(*STATUS_FIELDS)
        .first()
    )
    return report_revive(report)


def report_revive(report: ReportFile | None, *, now: dt.datetime | None = None) -> ReportFile | None:
    """Keep a pending report moving (``lease_revive``); sets ``report.worker_missing``."""
    return lease_revive(report, enqueue=_enqueue, now=now)


def lease_revive(row, *, enqueue, now: dt.datetime | None = None):
    """Keep a pending rendered file (a report or a board pack: any model with ``status``,
    ``claimed_until``, ``attempts``, ``error`` and ``updated_at``) moving; sets ``row.worker_missing``.

    - Claimed, lease not run out: a worker renders it; nothing to do (no query).
    - Claimed, lease run out: its worker died mid-render. Queued again (``enqueue(pk)``), or
      marked failed after ``REPORT_MAX_ATTEMPTS`` lost renders. Only one of several
      concurrent polls wins.
    - Unclaimed: it waits for a worker. After ``WORKER_SILENT_SECONDS`` the task queue is
      asked whether any worker runs (``worker_missing``); after STALE_AFTER with workers
      running, its task was lost and it is queued again.
    """
    if row is None or row.status != "pending":
        return row
    model = type(row)
    now = now or timezone.now()
    row.worker_missing = False
    if row.claimed_until is not None:
        if row.claimed_until >= now:
            return row
        lapsed = model.objects.filter(pk=row.pk, status="pending", claimed_until=row.claimed_until)
        if row.attempts >= settings.REPORT_MAX_ATTEMPTS:
            error = LOST_MESSAGE.format(n=row.attempts)
            lapsed.update(status="failed", error=error, claimed_until=None, updated_at=now)
        elif lapsed.update(claimed_until=None, updated_at=now):
            enqueue(row.pk)
        row.refresh_from_db(fields=["status", "error", "claimed_until", "attempts", "updated_at"])
        return row
    if row.updated_at < now - dt.timedelta(seconds=settings.WORKER_SILENT_SECONDS):
        row.worker_missing = worker_silent_since(now=now) is not None
        lost = not row.worker_missing and row.updated_at < now - STALE_AFTER
        unchanged = model.objects.filter(pk=row.pk, status="pending", claimed_until=None, updated_at=row.updated_at)
        if lost and unchanged.update(updated_at=now):  # one of concurrent polls queues it
            enqueue(row.pk)
    return row


def _enqueue(report_id: int) -> None:
    from procurement.reports.tasks import render_report

    transaction.on_commit(lambda: render_report.enqueue(report_id))


@transaction.atomic
def report_request(*, assessment: Assessment, enqueue: bool = True) -> ReportFile:
    """Ask for the PDF of the current record: a cached one, or a queued render
    (``enqueue=False``: a pending row the caller renders itself)."""
    record, digest, existing = report_current(assessment)
    if existing is not None and existing.status in (ReportFile.Status.READY, ReportFile.Status.PENDING):
        return existing
    report, _ = ReportFile.objects.update_or_create(
        assessment=assessment,
        content_hash=digest,
        format_version=REPORT_FORMAT,
        defaults={
            "record": record,
            "status": ReportFile.Status.PENDING,
            "error": "",
            "claimed_until": None,
            "attempts": 0,
        },
    )
    if enqueue:
        _enqueue(report.pk)
    return report


def report_queue_decided(sender, *, assessment: Assessment, **kwargs) -> None:
    """``assessment_decided``: render the decided report once the decision commits, so it is
    ready when first clicked. A failure here is logged; it never undoes the decision."""
    transaction.on_commit(lambda: report_request(assessment=assessment), robust=True)


# --- Drafts rendered ahead of the click ------------------------------------------------------


def report_queue_draft(sender, *, assessment: Assessment, settled: bool = False, **kwargs) -> None:
    """``assessment_changed``: render an open assessment's PDF before anyone clicks, once the
    change commits (``report_prerender_queue``). Decided ones are queued by the decision.

    Only with a task queue that runs tasks later (a worker, ``supports_defer``): the inline
    backend (tests, ``TASKS_BACKEND=immediate``) would render inside the request that changed
    the record, so there a draft renders when clicked, as it always did.
    """
    from procurement.reports.tasks import prerender_report

    if assessment.is_final or not prerender_report.get_backend().supports_defer:
        return
    pk = assessment.pk
    transaction.on_commit(lambda: report_prerender_queue(pk, settled=settled), robust=True)


def report_prerender_queue(assessment_id: int, *, settled: bool, now: dt.datetime | None = None) -> None:
    """Queue the draft's render: at once when ``settled``, else ``REPORT_PRERENDER_QUIET_SECONDS``
    after this change. Coalesced: one waiting render per assessment, whose start moves to the
    latest change's due time (a burst of autosaves is one render, after the last of them)."""
    from procurement.reports.tasks import prerender_report

    quiet = 0 if settled else settings.REPORT_PRERENDER_QUIET_SECONDS
    due = (now or timezone.now()) + dt.timedelta(seconds=quiet)
    waiting = DBTaskResult.objects.filter(
        task_path=prerender_report.module_path,
        status=TaskResultStatus.READY,
        args_kwargs={"args": [assessment_id], "kwargs": {}},
    )
    if not waiting.update(run_after=due):
        prerender_report.using(run_after=due).enqueue(assessment_id)


def report_prerender(assessment_id: int) -> ReportFile | None:
    """Render the PDF of an open assessment's record as it stands now (the worker calls this),
    through the same row, lease and store as a click: a click on that record finds it ready
    (or being rendered), and a click on a record changed since renders afresh (the hash differs).

    None when the assessment is gone or decided, or another worker renders that record.
    """
    assessment = Assessment.objects.filter(pk=assessment_id).first()
    if assessment is None or assessment.is_final:
        return None
    report = report_request(assessment=assessment, enqueue=False)
    if report.status == ReportFile.Status.READY:
        return report
    # Pending: unclaimed (this render, or a click's task not started yet: whichever claims it
    # renders it, the other finds it claimed or done) or held by a live lease (nothing to do).
    return report_render(report.pk)


def report_prune(report: ReportFile) -> int:
    """One PDF per assessment beyond the one just stored: once a record's PDF is ready, the
    assessment's PDFs of other records made before it go, rows and files (a draft's PDFs are
    replaced, not kept one per edit). A render still pending stays (someone may wait for it);
    the same record in another report format stays (links from before a design change)."""
    superseded = (
        ReportFile.objects.filter(assessment_id=report.assessment_id, created_at__lt=report.created_at)
        .exclude(content_hash=report.content_hash)
        .exclude(status=ReportFile.Status.PENDING)
    )
    rows = list(superseded.only("pk", "file"))
    for row in rows:
        if row.file:
            row.file.delete(save=False)
    return ReportFile.objects.filter(pk__in=[row.pk for row in rows]).delete()[0]


def _lease() -> dt.timedelta:
    return dt.timedelta(seconds=settings.REPORT_LEASE_SECONDS)


@contextmanager
def lease_held(model, pk: int):
    """Renew a row's lease from a thread while the render runs, so a long render keeps it and a
    dead worker (its thread dies with it) loses it within one lease."""
    stop = threading.Event()

    def renew() -> None:
        try:
            while not stop.wait(settings.REPORT_LEASE_SECONDS / 3):
                model.objects.filter(pk=pk, status="pending").update(claimed_until=timezone.now() + _lease())
        finally:
            connection.close()  # this thread's own connection

    thread = threading.Thread(target=renew, name=f"{model._meta.model_name}-{pk}-lease", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def lease_claim(model, pk: int) -> bool:
    """Take a pending row for rendering: False when it is done, failed, or another worker
    holds a live lease on it."""
    now = timezone.now()
    claimable = Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    return bool(
        model.objects.filter(claimable, pk=pk, status="pending").update(
            claimed_until=now + _lease(), attempts=F("attempts") + 1, updated_at=now
        )
    )


def failure_reason(exc: BaseException) -> str:
    """The exception in words: an OS error without its number ("No space left on device")."""
    text = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc).strip()
    return (text or type(exc).__name__)[:1000]


def lease_fail(model, pk: int, error: str) -> None:
    model.objects.filter(pk=pk).update(status="failed", error=error, claimed_until=None, updated_at=timezone.now())


def report_render(report_id: int) -> ReportFile | None:
    """Render a queued report (the worker calls this): claim it, render, store.

    None when there was nothing to do: already rendered or failed, or another worker holds
    a live lease on it. Any failure, rendering or storing, marks it failed with the reason
    (and is raised again, so the task shows it too).
    """
    if not lease_claim(ReportFile, report_id):
        return None
    report = ReportFile.objects.select_related("assessment").get(pk=report_id)
    status_label = STATUS_LABELS.get(report.record["assessment"].get("status", ""), "")
    started = time.perf_counter()
    with lease_held(ReportFile, report_id):
        try:
            data, pages = report_pdf(
                report.record, status_label=status_label, unverified_import=report.assessment.is_unverified_import
            )
        except Exception as exc:  # a broken render must not leave the user waiting
            lease_fail(ReportFile, report_id, RENDER_FAILED.format(reason=failure_reason(exc)))
            raise
        render_ms = round((time.perf_counter() - started) * 1000)
        try:
            report.file.save(f"{report.content_hash}.pdf", ContentFile(data), save=False)
        except Exception as exc:
            lease_fail(ReportFile, report_id, STORE_FAILED.format(reason=failure_reason(exc)))
            raise
    report.render_ms, report.pages = render_ms, pages
    report.status, report.error, report.claimed_until = ReportFile.Status.READY, "", None
    report.save(update_fields=["file", "render_ms", "pages", "status", "error", "claimed_until", "updated_at"])
    report_prune(report)
    return report
