from django.tasks import task

from procurement.reports.models import ReportFile


@task
def render_report(report_id: int) -> int:
    """Render one queued report off the request path (db_worker runs this)."""
    from procurement.reports.services import report_render

    report = ReportFile.objects.select_related("assessment").get(pk=report_id)
    if report.status != ReportFile.Status.READY:
        report_render(report)
    return report.pk
