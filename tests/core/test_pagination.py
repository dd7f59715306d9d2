import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from procurement.assessments.models import Assessment
from procurement.assessments.selectors import list_rows
from procurement.core.pagination import CountingPaginator

pytestmark = pytest.mark.django_db


def test_counts_the_plain_queryset_and_pages_the_shaped_one(assessment):
    plain = Assessment.objects.filter(organisation=assessment.organisation)
    paginator = CountingPaginator(list_rows(plain).order_by("-id"), 10, count_from=plain)
    with CaptureQueriesContext(connection) as ctx:
        assert paginator.count == 1
    (count_sql,) = [q["sql"] for q in ctx.captured_queries]
    assert "COUNT" in count_sql and "JOIN" not in count_sql
    (row,) = paginator.page(1).object_list
    assert row.pk == assessment.pk and row.vendor_name == assessment.service.vendor.name


def test_count_stops_at_the_limit_and_says_it_is_not_exact(assessment):
    same = {f: getattr(assessment, f) for f in ("organisation", "service", "bank_version", "created_by")}
    Assessment.objects.bulk_create([Assessment(**same) for _ in range(4)])
    plain = Assessment.objects.filter(organisation=assessment.organisation)
    capped = CountingPaginator(plain.order_by("-id"), 2, count_from=plain, count_limit=3)
    assert (capped.count, capped.count_exact, capped.num_pages) == (3, False, 2)
    assert capped.page(2).has_next() is False
    exact = CountingPaginator(plain.order_by("-id"), 2, count_from=plain, count_limit=5)
    assert (exact.count, exact.count_exact, exact.num_pages) == (5, True, 3)


def test_shaped_pages_read_ids_without_joins_then_name_only_the_page_rows_in_order(assessment):
    same = {f: getattr(assessment, f) for f in ("organisation", "service", "bank_version", "created_by")}
    Assessment.objects.bulk_create([Assessment(**same) for _ in range(4)])
    plain = Assessment.objects.filter(organisation=assessment.organisation)
    paginator = CountingPaginator(plain.order_by("-id"), 2, count_from=plain, count_limit=10, shape=list_rows)
    with CaptureQueriesContext(connection) as ctx:
        rows = list(paginator.page(2).object_list)
    ids_sql, names_sql = [q["sql"] for q in ctx.captured_queries if "COUNT" not in q["sql"]]
    assert "JOIN" not in ids_sql and "JOIN" in names_sql
    expected = list(plain.order_by("-id").values_list("pk", flat=True))[2:4]
    assert [r.pk for r in rows] == expected
    assert {r.vendor_name for r in rows} == {assessment.service.vendor.name}
