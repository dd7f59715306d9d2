from django.tasks import task


@task
def render_report(report_id: int) -> int:
    """Render one queued report off the request path (db_worker runs this)."""
    from procurement.reports.services import report_render

    report_render(report_id)
    return report_id
