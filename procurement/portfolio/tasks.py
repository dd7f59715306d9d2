from django.tasks import task


@task
def render_board_pack(pack_id: int) -> int:
    """Render one queued board pack off the request path (db_worker runs this)."""
    from procurement.portfolio.board_pack import board_pack_render

    board_pack_render(pack_id)
    return pack_id
