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
