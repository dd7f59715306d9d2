"""Pagination that counts a cheaper queryset than the one it pages, and stops counting at a limit."""

from functools import cached_property

from django.core.paginator import Paginator


class CountingPaginator(Paginator):
    """Pages ``object_list`` but counts ``count_from``: the same rows without the joins
    and annotations a page needs to show them.

    With ``count_limit`` it counts no further than that many rows: ``count`` is then at most
    ``count_limit`` (so at most ``count_limit / per_page`` pages) and ``count_exact`` says
    whether there are more. On PostgreSQL a COUNT reads every matching index entry: over
    100,000 assessments it took longer than drawing the page (bench/scale.py)."""

    def __init__(self, object_list, per_page, *, count_from, count_limit: int | None = None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self._count_from = count_from
        self.count_limit = count_limit
        self.count_exact = True

    @cached_property
    def count(self) -> int:
        if self.count_limit is None:
            return self._count_from.count()
        n = self._count_from[: self.count_limit + 1].count()
        if n > self.count_limit:
            self.count_exact = False
            return self.count_limit
        return n
