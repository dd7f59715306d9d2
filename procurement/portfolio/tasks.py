from django.tasks import task


@task
def render_board_pack(pack_id: int) -> int:
    """Render one queued board pack off the request path (db_worker runs this)."""
    from procurement.portfolio.board_pack import board_pack_render

    board_pack_render(pack_id)
    return pack_id


@task
def start_reassessments() -> int:
    """The worker's run of ``manage.py start_reassessments``: the number started today."""
    from django.utils import timezone

    from procurement.portfolio.reassessment import reassessments_start_due

    return len(reassessments_start_due(today=timezone.localdate()).started)
