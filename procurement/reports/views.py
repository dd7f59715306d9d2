from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from procurement.assessments.models import Assessment
from procurement.assessments.selectors import assessment_for_user, assessments_listed
from procurement.core.polling import poll_schedule
from procurement.core.workers import WORKER_MISSING
from procurement.reports import services
from procurement.reports.context import report_context_from_record
from procurement.reports.exports import record_json, record_xlsx
from procurement.reports.models import ReportFile


def _polls(request: HttpRequest) -> int:
    try:
        return min(max(int(request.GET.get("n", "0")), 0), 1000)
    except ValueError:
        return 0


def _status_ctx(assessment, report: ReportFile | None, *, polls: int = 0) -> dict:
    return {
        **poll_schedule(polls),
        "assessment": assessment,
        "report_file": report if report and report.status == ReportFile.Status.READY else None,
        "pending": report is not None and report.status == ReportFile.Status.PENDING,
        "pending_hash": report.content_hash if report else "",
        "failed": report.error if report and report.status == ReportFile.Status.FAILED else "",
        "worker_missing": WORKER_MISSING if getattr(report, "worker_missing", False) else "",
    }


@login_required
def preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The report as HTML in the app, with the PDF download or its generation status."""
    assessment = assessment_for_user(request.user, pk)
    record, _, report = services.report_current(assessment)
    ctx = report_context_from_record(
        record, status_label=assessment.get_status_display(), unverified_import=assessment.is_unverified_import
    )
    return render(request, "reports/preview.html", {**ctx, **_status_ctx(assessment, report)})


@login_required
@require_POST
def generate(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = assessment_for_user(request.user, pk)
    report = services.report_request(assessment=assessment)
    # An inline (immediate) backend has already rendered it; the record itself is not needed.
    report.refresh_from_db(fields=[f for f in services.STATUS_FIELDS if f != "id"])
    return render(request, "reports/includes/status.html", _status_ctx(assessment, report))


@login_required
def status(request: HttpRequest, pk: int) -> HttpResponse:
    """The pending spinner polls this with the hash it waits for: one row read. ``n`` counts
    the polls so far (the page polls quickly at first, then once a second: core.polling).
    Without a hash (or for one not found) it falls back to the current record's report."""
    digest = request.GET.get("hash", "")
    polls = _polls(request)
    report = services.report_status(assessments_listed(request.user), pk, digest) if digest else None
    if report is not None:
        # The template needs only the assessment's pk; the row was already scoped to the organisation.
        ctx = _status_ctx(Assessment(pk=pk), report, polls=polls)
        return render(request, "reports/includes/status.html", ctx)
    assessment = assessment_for_user(request.user, pk)
    _, _, report = services.report_current(assessment)
    return render(request, "reports/includes/status.html", _status_ctx(assessment, report, polls=polls))


@login_required
def download(request: HttpRequest, pk: int, digest: str) -> HttpResponse:
    assessment = assessment_for_user(request.user, pk)
    # The newest format rendered of that record (a link from before a design change still works).
    ready = assessment.reports.filter(content_hash=digest, status=ReportFile.Status.READY)
    report = ready.order_by("-format_version").first()
    if report is None:
        raise Http404("No report with that hash.")
    with report.file.open("rb") as fh:
        data = fh.read()
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="A-{assessment.pk}-risk-report-{digest[:8]}.pdf"'
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
def export_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = assessment_for_user(request.user, pk)
    record, _, _ = services.report_current(assessment)
    response = HttpResponse(
        record_xlsx(record), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="A-{assessment.pk}-answers.xlsx"'
    return response


@login_required
def export_json(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = assessment_for_user(request.user, pk)
    record, _, _ = services.report_current(assessment)
    response = HttpResponse(record_json(record), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="A-{assessment.pk}-record.json"'
    return response
