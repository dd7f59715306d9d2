from django.tasks import task


@task
def render_report(report_id: int) -> int:
    """Render one queued report off the request path (db_worker runs this)."""
    from procurement.reports.services import report_render

    report_render(report_id)
    return report_id


@task
def prerender_report(assessment_id: int) -> int:
    """Render a draft's PDF ahead of the click (queued, coalesced, by ``report_queue_draft``)."""
    from procurement.reports.services import report_prerender

    report_prerender(assessment_id)
    return assessment_id
