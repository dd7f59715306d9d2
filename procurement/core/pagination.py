"""Pagination that counts a cheaper queryset than the one it pages."""

from functools import cached_property

from django.core.paginator import Paginator


class CountingPaginator(Paginator):
    """Pages ``object_list`` but counts ``count_from``: the same rows without the joins
    and annotations a page needs to show them."""

    def __init__(self, object_list, per_page, *, count_from, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self._count_from = count_from

    @cached_property
    def count(self) -> int:
        return self._count_from.count()
