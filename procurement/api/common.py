"""What every endpoint module of the API shares: finding objects within the caller's
organisation (another organisation's id is 404), forms' errors as field-level 400s,
JSON bodies as a form's posted data, pages of a list, and the error responses the
OpenAPI document lists for each operation."""

from __future__ import annotations

from typing import Any, NoReturn

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import Paginator
from django.http import QueryDict
from django.shortcuts import get_object_or_404

from procurement.api.auth import organisation
from procurement.api.schemas import ErrorOut
from procurement.core.pagination import CountingPaginator
from procurement.vendors.models import AIService, Vendor

PAGE_SIZE = 25
MAX_PAGE_SIZE = 100
# As the assessment list page: past this many, the count stops (docs/performance.md).
LIST_COUNT_LIMIT = 10_000

# The error answers every operation may give, each {"detail": ..., "errors": {field: [...]}}.
READ_ERRORS = {401: ErrorOut, 404: ErrorOut}
WRITE_ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 413: ErrorOut, 429: ErrorOut}


def reading(ok: dict, *, bad_query: bool = False) -> dict:
    """A read's responses: ``ok`` plus 401 and 404 (400 when it takes query filters)."""
    return {**ok, **READ_ERRORS, **({400: ErrorOut} if bad_query else {})}


def writing(ok: dict) -> dict:
    """A write's responses: ``ok`` plus 400, 401, 403, 404, 413 and 429."""
    return {**ok, **WRITE_ERRORS}


def form_invalid(form) -> NoReturn:
    """400 with each field's messages (the form's non-field errors under "body")."""
    errors = {field: [e["message"] for e in items] for field, items in form.errors.get_json_data().items()}
    raise DjangoValidationError({("body" if k == "__all__" else k): v for k, v in errors.items()})


def query_dict(data: dict[str, Any]) -> QueryDict:
    """JSON fields as a form's posted data (lists as repeated keys, True as a ticked box)."""
    qd = QueryDict(mutable=True)
    for key, value in data.items():
        if value is None or value is False:
            continue
        if isinstance(value, list):
            qd.setlist(key, [str(v) for v in value])
        else:
            qd[key] = "on" if value is True else str(value)
    return qd


def page_of(qs, rows, page: int, page_size: int, shape, *, names=None) -> dict:
    """One page of ``rows`` (a queryset or list), counting ``qs`` (the same rows without the
    joins; a list counts itself). ``count_exact`` is False past LIST_COUNT_LIMIT rows. With
    ``names`` (e.g. ``list_rows``), ``rows`` is lean and only the page's rows get the joins
    (CountingPaginator's ``shape``)."""
    size = max(1, min(page_size, MAX_PAGE_SIZE))
    if isinstance(rows, list):
        paginator = Paginator(rows, size)
        paginator.count_exact = True
    else:
        paginator = CountingPaginator(rows, size, count_from=qs, count_limit=LIST_COUNT_LIMIT, shape=names)
    current = paginator.get_page(page)
    return {
        "count": paginator.count,
        "count_exact": paginator.count_exact,
        "page": current.number,
        "pages": paginator.num_pages,
        "results": [shape(r) for r in current.object_list],
    }


def choice_filter(name: str, value: str, choices) -> str:
    """``value`` when it is one of ``choices`` or empty; else 400 naming the filter."""
    if value and value not in choices:
        raise DjangoValidationError({name: [f"Choose one of: {', '.join(choices)}."]})
    return value


def members(org):
    return get_user_model().objects.filter(memberships__organisation=org)


def vendor_for(request, pk: int) -> Vendor:
    return get_object_or_404(Vendor.objects.filter(organisation=organisation(request)), pk=pk)


def service_for(request, vendor_id: int, service_id: int) -> AIService:
    vendor = vendor_for(request, vendor_id)
    return get_object_or_404(vendor.services.select_related("vendor__organisation"), pk=service_id)
