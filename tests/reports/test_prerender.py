"""A draft's PDF is ready when clicked: rendered ahead by the task worker once its record settles
(submitted, in review, the vendor submitted) or after a quiet period following edits, one
waiting render per assessment, keyed by the record's hash (a changed record renders afresh,
never an older PDF), one draft PDF kept per assessment."""

import datetime as dt
import signal

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from procurement.assessments import services as assessment_services
from procurement.assessments.records import assessment_record, record_hash
from procurement.assessments.services.status import timeline_add
from procurement.core.workers import worker_silent_since
from procurement.questionbank.services import bank_load
from procurement.reports import services
from procurement.reports.models import ReportFile

pytestmark = pytest.mark.django_db

DB_QUEUE = {"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend"}}
PRERENDER = "procurement.reports.tasks.prerender_report"


def test_edits_queue_one_render_after_a_quiet_period_and_submitting_brings_it_forward(
    complete_assessment, personas, settings, django_capture_on_commit_callbacks
):
    assessment = complete_assessment
    with django_capture_on_commit_callbacks(execute=True):  # the inline backend: rendered on click only
        assessment_services.answers_save(
            assessment=assessment,
            values={"SUP-05": assessment_services.AnswerInput(300)},
            by=personas["analyst"],
            base_revisions=None,
        )
    assert not ReportFile.objects.exists()
    settings.TASKS = DB_QUEUE
    settings.REPORT_PRERENDER_QUIET_SECONDS = 60
    with django_capture_on_commit_callbacks(execute=True):  # the system's own event: no render ahead
        timeline_add(assessment, "reminder", by_label="system", note="Reminder sent to the owner.")
    assert not DBTaskResult.objects.exists()
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        assessment_services.answers_save(
            assessment=assessment,
            values={"SUP-05": assessment_services.AnswerInput(400)},
            by=personas["analyst"],
            base_revisions=None,
        )
    task = DBTaskResult.objects.get(task_path=PRERENDER)
    assert task.args_kwargs["args"] == [assessment.pk] and task.status == "READY"
    assert task.run_after >= before + dt.timedelta(seconds=60)
    first_due = task.run_after
    with django_capture_on_commit_callbacks(execute=True):  # another autosave: the same render, later
        assessment_services.answers_save(
            assessment=assessment,
            values={"SUP-05": assessment_services.AnswerInput(500)},
            by=personas["analyst"],
            base_revisions=None,
        )
    task = DBTaskResult.objects.get(task_path=PRERENDER)
    assert task.run_after > first_due
    # A render queued to run later is not a task left waiting for a missing worker: it waits from
    # when it could run, not from when it was queued.
    DBTaskResult.objects.update(
        enqueued_at=timezone.now() - dt.timedelta(minutes=3), run_after=timezone.now() - dt.timedelta(seconds=5)
    )
    assert worker_silent_since() is None
    with django_capture_on_commit_callbacks(execute=True):  # submitted: wanted now
        assessment_services.assessment_submit(assessment=assessment, by=personas["analyst"])
    task = DBTaskResult.objects.get(task_path=PRERENDER)
    assert task.run_after <= timezone.now()
    assert not ReportFile.objects.exists()  # nothing rendered inside the request


@pytest.fixture
def small_submitted(service, personas, small_bank_yaml):
    """A small-bank assessment, answered and submitted (a short report: a cheap render)."""
    bank = bank_load(raw=small_bank_yaml, source="small").bank
    assessment = assessment_services.assessment_create(service=service, bank=bank, by=personas["analyst"])
    values = {
        "IN-01": "high",
        "OPS-01": "partial",
        "OPS-02": 30,
        "OPS-03": "manual",
        "OPS-04": "2030-01-01",
        "OPS-05": "By hand.",
    }
    assessment_services.answers_save(
        assessment=assessment,
        values={code: assessment_services.AnswerInput(v) for code, v in values.items()},
        by=personas["analyst"],
        base_revisions=None,
    )
    return assessment


@pytest.mark.pdf
@pytest.mark.django_db(transaction=True)  # the worker closes connections, as it does in production
def test_the_worker_renders_a_submitted_draft_ahead_a_click_serves_it_and_a_changed_record_renders_afresh(
    small_submitted, personas, settings
):
    settings.TASKS = DB_QUEUE
    settings.REPORT_PRERENDER_QUIET_SECONDS = 60
    assessment = assessment_services.assessment_submit(assessment=small_submitted, by=personas["analyst"])
    _worker_batch()
    ahead = ReportFile.objects.get()
    assert ahead.status == "ready" and ahead.content_hash == record_hash(assessment_record(assessment))
    clicked = services.report_request(assessment=assessment)
    assert clicked.pk == ahead.pk and clicked.status == "ready"
    assert not DBTaskResult.objects.filter(status="READY").exists()  # nothing to render on the click

    # A change (a comment is part of the record): the next render waits for the quiet period.
    assessment_services.comment_add(
        assessment=assessment, question_code="OPS-02", body="30 days?", by=personas["reviewer"]
    )
    clicked = services.report_request(assessment=assessment)  # a click right after it
    assert clicked.status == "pending" and clicked.content_hash != ahead.content_hash  # never the older PDF
    _worker_batch()  # renders the click's; the quiet-period render is not due yet
    clicked.refresh_from_db()
    assert clicked.status == "ready" and clicked.file.read(5) == b"%PDF-"
    # One draft PDF per assessment: the older record's row and file are gone.
    assert list(ReportFile.objects.values_list("pk", flat=True)) == [clicked.pk]
    assert not ahead.file.storage.exists(ahead.file.name)
    # The quiet-period render comes due and finds that record already rendered: no second render.
    DBTaskResult.objects.filter(task_path=PRERENDER, status="READY").update(run_after=timezone.now())
    _worker_batch()
    assert set(DBTaskResult.objects.filter(task_path=PRERENDER).values_list("status", flat=True)) == {"SUCCESSFUL"}
    assert ReportFile.objects.get().updated_at == clicked.updated_at


def _worker_batch():
    """The real `db_worker`, once through the tasks due now."""
    # It installs SIGINT/SIGTERM handlers in this process; they are put back afterwards.
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
