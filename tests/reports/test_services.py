"""Caching, background rendering, exports and the import round trip."""

import io
import json
import signal

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from procurement.assessments import services as assessment_services
from procurement.assessments.models import Assessment
from procurement.assessments.services import AnswerInput
from procurement.portal.services import invitation_from_token, invitation_token, invite
from procurement.reports import services
from procurement.reports.exports import record_json, record_xlsx
from procurement.reports.imports import assessment_import
from procurement.reports.models import ReportFile
from procurement.vendors.models import VendorContact

pytestmark = pytest.mark.django_db


def test_second_request_is_a_cache_hit(decided, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = services.report_request(assessment=decided)
    first.refresh_from_db()
    assert first.status == "ready" and first.pages >= 10
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        second = services.report_request(assessment=decided)
    assert second.pk == first.pk and callbacks == []  # nothing queued: served from the cache
    assert ReportFile.objects.count() == 1


def test_a_change_to_a_draft_gives_a_new_render_that_replaces_the_older_one(
    complete_assessment, personas, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = services.report_request(assessment=complete_assessment)
    assessment_services.answers_save(
        assessment=complete_assessment, values={"SUP-05": AnswerInput(400)}, by=personas["analyst"], base_revisions=None
    )
    with django_capture_on_commit_callbacks(execute=True):
        second = services.report_request(assessment=complete_assessment)
    assert second.pk != first.pk and second.content_hash != first.content_hash
    assert list(ReportFile.objects.values_list("pk", flat=True)) == [second.pk]  # one draft PDF kept


@pytest.mark.django_db(transaction=True)  # the worker closes connections, as it does in production
def test_real_db_worker_renders_a_queued_report(decided, settings, django_capture_on_commit_callbacks):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend"}}
    ReportFile.objects.all().delete()  # the one the decision rendered (inline, before the queue was set)
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_request(assessment=decided)
    report.refresh_from_db()
    assert report.status == "pending"
    # The worker installs its own SIGINT/SIGTERM handlers in this process; they are put back, or a
    # later Ctrl-C (or CI's stop) would be turned into a SystemExit inside whatever test runs then.
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
    report.refresh_from_db()
    assert report.status == "ready" and report.file.read(5) == b"%PDF-"


def test_ui_generates_then_offers_the_download(login, personas, decided, django_capture_on_commit_callbacks):
    client = login(personas["viewer"])
    page = client.get(reverse("reports:preview", args=[decided.pk])).content.decode()
    assert "Generate PDF" in page and "Executive summary" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reports:generate", args=[decided.pk]))
    status = client.get(reverse("reports:status", args=[decided.pk])).content.decode()
    assert "Download PDF" in status
    report = ReportFile.objects.get()
    response = client.get(reverse("reports:download", args=[decided.pk, report.content_hash]))
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF-")
    assert (
        login(personas["outsider"]).get(reverse("reports:download", args=[decided.pk, report.content_hash])).status_code
        == 404
    )
    assert login(personas["outsider"]).get(reverse("reports:preview", args=[decided.pk])).status_code == 404


def test_pending_report_shows_progress_and_polls(login, personas, decided, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend"}}
    client = login(personas["analyst"])
    status = client.post(reverse("reports:generate", args=[decided.pk])).content.decode()
    assert "being generated" in status and 'hx-trigger="load delay:200ms"' in status


def test_xlsx_has_answers_points_overrides_and_comments(decided):
    wb = load_workbook(io.BytesIO(record_xlsx(decided.frozen_record)))
    summary = {row[0].value: row[1].value for row in wb["Summary"].iter_rows(max_row=16)}
    assert summary["Vendor"] == "ClaimsBot Ltd" and summary["Recommendation"] == "Reject · Critical residual"
    assert summary["Decision"] == "Rejected" and summary["Decided by"] == "reviewer (reviewer, standard authority)"
    rows = {row[1]: row for row in wb["Answers"].iter_rows(min_row=2, values_only=True)}
    assert rows["SUP-03"][5] == 2 and rows["SUP-03"][6] == 4 and rows["SUP-03"][7] == "Two regions of one cloud"
    assert "Asked twice" in rows["MOD-09"][8]


def test_xlsx_writes_formula_like_text_as_text_cells_and_numbers_as_numbers(complete_assessment, personas):
    assessment_services.answers_save(
        assessment=complete_assessment,
        values={"CAP-01": AnswerInput('=HYPERLINK("http://x")')},
        by=None,
        base_revisions=None,
    )
    from procurement.assessments.records import assessment_record

    wb = load_workbook(io.BytesIO(record_xlsx(assessment_record(complete_assessment))))
    row = next(r for r in wb["Answers"].iter_rows(min_row=2) if r[1].value == "CAP-01")
    assert row[3].value == '=HYPERLINK("http://x")' and row[3].data_type == "s"  # no formula, no apostrophe
    assert all(cell.data_type != "f" for r in wb["Answers"].iter_rows() for cell in r)
    points = [r[5] for r in wb["Answers"].iter_rows(min_row=2) if r[5].value is not None]
    assert points and all(cell.data_type == "n" for cell in points)  # points stay numbers


def test_a_record_holding_control_characters_still_exports(complete_assessment):
    """F7: records stored before input was checked (a frozen one cannot be corrected) export without them."""
    from procurement.assessments.records import assessment_record

    record = assessment_record(complete_assessment)
    record["answers"]["CAP-01"] = {**record["answers"].get("CAP-01", {}), "value": "text \x01\x0b text", "na": False}
    record["vendor"]["name"] = "Claims\x0bBot"
    wb = load_workbook(io.BytesIO(record_xlsx(record)))
    assert wb["Summary"]["B1"].value == "ClaimsBot"


def test_json_export_import_gives_an_identical_report(decided, other_org):
    exported = record_json(decided.frozen_record)
    imported = assessment_import(raw=exported.encode(), organisation=other_org).assessment
    assert imported.status == Assessment.Status.REJECTED and imported.organisation == other_org
    assert imported.frozen_record == decided.frozen_record
    assert services.report_html(imported.frozen_record) == services.report_html(decided.frozen_record)
    assert set(imported.answers.values_list("question_code", flat=True)) == set(decided.frozen_record["answers"])


def test_import_assessment_command_and_bad_files(tmp_path, decided, other_org, capsys):
    from django.core.management import CommandError

    path = tmp_path / "record.json"
    path.write_text(record_json(decided.frozen_record))
    call_command("import_assessment", str(path), "--org", "other")
    pk = int(capsys.readouterr().out)
    assert Assessment.objects.get(pk=pk).organisation == other_org
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"hello": 1}))
    with pytest.raises(CommandError, match="Not an exported assessment record"):
        call_command("import_assessment", str(bad), "--org", "other")


def test_render_report_works_for_any_state(tmp_path, assessment, decided, capsys):
    for a in (assessment, decided):
        out = tmp_path / f"{a.pk}.pdf"
        call_command("render_report", str(a.pk), "-o", str(out))
        assert out.read_bytes().startswith(b"%PDF-")


def test_a_request_that_lost_its_worker_too_often_shows_as_failed_and_can_be_retried(
    login, personas, decided, settings
):
    import datetime as dt

    from django.utils import timezone

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend"}}
    report = services.report_request(assessment=decided)  # queued; its workers were "killed" mid-render
    ReportFile.objects.filter(pk=report.pk).update(
        claimed_until=timezone.now() - dt.timedelta(seconds=1), attempts=settings.REPORT_MAX_ATTEMPTS
    )
    client = login(personas["analyst"])
    status = client.get(reverse("reports:status", args=[decided.pk])).content.decode()
    assert "Its render was interrupted 3 times" in status and "Try again" in status
    report.refresh_from_db()
    assert report.status == "failed" and report.claimed_until is None
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    retried = services.report_request(assessment=decided)
    assert retried.pk == report.pk and retried.status == "pending" and retried.attempts == 0  # renders on commit


def test_a_fault_halfway_through_an_import_leaves_nothing(tmp_path, assessment, monkeypatch):
    from django.core.management import CommandError

    from procurement.assessments.models import Answer, AnswerChange

    written = {"answers": 0}
    original = Answer.objects.bulk_create

    def answers_written(objs, *args, **kwargs):
        written["answers"] += len(objs)
        return original(objs, *args, **kwargs)

    def failing_history(objs, *args, **kwargs):  # after the answers were written
        raise RuntimeError("disk full")

    monkeypatch.setattr(Answer.objects, "bulk_create", answers_written)
    monkeypatch.setattr(AnswerChange.objects, "bulk_create", failing_history)
    path = tmp_path / "a.yaml"
    path.write_text("SUP-05: 90\nSUP-03: 45\nSUP-04: 2\nSUP-01: categories\n")
    with pytest.raises((RuntimeError, CommandError)):
        call_command("import_answers", str(assessment.pk), str(path))
    assert written["answers"] == 4
    assert not Answer.objects.exists() and not AnswerChange.objects.exists()


@pytest.mark.django_db(transaction=True)  # flush cannot run inside a test transaction on PostgreSQL
def test_dumpdata_loaddata_round_trip_restores_everything(tmp_path, decided):
    from django.apps import apps

    from procurement.assessments.models import Answer

    contact = VendorContact.objects.create(vendor=decided.service.vendor, name="Vera", email="vera@x.example")
    draft = assessment_services.assessment_create(
        service=decided.service, bank=decided.bank_version.bank, by=decided.created_by
    )
    (invitation,) = invite(assessment=draft, contacts=[contact], by=decided.created_by, base_url="")
    token = invitation_token(invitation)
    path = tmp_path / "backup.json"
    labels = ["core", "auth.user", "questionbank", "vendors", "assessments", "reports", "portal"]
    call_command("dumpdata", *labels, "--natural-foreign", "-o", str(path), verbosity=0)
    counts = {
        m._meta.label: m.objects.count()
        for m in apps.get_models()
        if m._meta.app_label in ("core", "questionbank", "vendors", "assessments", "portal")
    }
    assert counts["portal.Invitation"] == 1
    record, digest = decided.frozen_record, decided.frozen_hash
    call_command("flush", "--noinput", verbosity=0)
    assert not Answer.objects.exists()
    call_command("loaddata", str(path), verbosity=0)
    assert {
        m._meta.label: m.objects.count()
        for m in apps.get_models()
        if m._meta.app_label in ("core", "questionbank", "vendors", "assessments", "portal")
    } == counts
    restored = Assessment.objects.get(pk=decided.pk)
    assert restored.frozen_record == record and restored.frozen_hash == digest
    assert services.report_html(restored.frozen_record) == services.report_html(record)
    # Vendor links sent before the backup still work after the restore.
    assert invitation_from_token(token).pk == invitation.pk
