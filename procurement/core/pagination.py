"""Pagination that counts a cheaper queryset than the one it pages, and stops counting at a limit."""

from functools import cached_property

from django.core.paginator import Paginator


class CountingPaginator(Paginator):
    """Pages ``object_list`` but counts ``count_from``: the same rows without the joins
    and annotations a page needs to show them.

    With ``count_limit`` it counts no further than that many rows: ``count`` is then at most
    ``count_limit`` (so at most ``count_limit / per_page`` pages) and ``count_exact`` says
    whether there are more. On PostgreSQL a COUNT reads every matching index entry: over
    100,000 assessments it took longer than drawing the page (bench/scale.py).

    With ``shape``, ``object_list`` is the lean ordered queryset (no joins) and a page is read
    in two steps: the page's ids from it, then ``shape(<model>.objects.filter(pk__in=ids))``
    for what the rows show, in the page's order. PostgreSQL plans a seven-table join for a
    LIMIT over 100,000 rows in 4 to 9 ms, and for 25 ids in under 1 ms (docs/performance.md)."""

    def __init__(self, object_list, per_page, *, count_from, count_limit: int | None = None, shape=None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self._count_from = count_from
        self.count_limit = count_limit
        self.count_exact = True
        self._shape = shape

    @cached_property
    def count(self) -> int:
        if self.count_limit is None:
            return self._count_from.count()
        # No ORDER BY: any index that holds the filter's columns can count, the narrowest one best.
        n = self._count_from.order_by()[: self.count_limit + 1].count()
        if n > self.count_limit:
            self.count_exact = False
            return self.count_limit
        return n

    def _get_page(self, object_list, number, paginator):
        if self._shape is not None:
            ids = list(object_list.values_list("pk", flat=True))
            shaped = {row.pk: row for row in self._shape(object_list.model.objects.filter(pk__in=ids))} if ids else {}
            object_list = [shaped[pk] for pk in ids]
        return super()._get_page(object_list, number, paginator)
