"""CompiledRead: a queryset's SQL compiled once, run with new values, giving what the queryset gives."""

import pytest
from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.base.operations import BaseDatabaseOperations
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from procurement.core.compiled import CompiledRead
from procurement.core.models import Membership, Organisation

pytestmark = pytest.mark.django_db


def _members(org):
    return Membership.objects.filter(organisation=org).select_related("user", "organisation").order_by("pk")


MEMBERS = CompiledRead(lambda org: _members(org), int)
ROLES = CompiledRead(lambda org, role: _members(org).filter(role=role).values_list("user__username", "role"), int, str)


def _state(obj):
    """Every field value of a model row, and of the related rows select_related gave it."""
    values = {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}
    related = {name: _state(value) for name, value in obj._state.fields_cache.items() if value is not None}
    return values, related, obj._state.adding, obj._state.db


def test_a_compiled_read_gives_the_rows_and_related_rows_its_queryset_gives(personas, org, other_org):
    for organisation in (org, other_org, Organisation(pk=10**6)):
        expected = list(_members(organisation))
        got = MEMBERS(organisation.pk)
        assert [_state(m) for m in got] == [_state(m) for m in expected]
    assert len(MEMBERS(org.pk)) > 1 and MEMBERS(10**6) == []


def test_a_compiled_read_runs_the_same_sql_as_its_queryset_in_one_query(personas, org):
    with CaptureQueriesContext(connection) as orm:
        list(_members(org).filter(role="viewer").values_list("user__username", "role"))
    with CaptureQueriesContext(connection) as compiled:
        rows = ROLES(org.pk, "viewer")
    assert rows == [("viewer", "viewer")]
    assert [q["sql"] for q in compiled.captured_queries] == [q["sql"] for q in orm.captured_queries]


def test_a_compiled_read_takes_each_argument_as_a_parameter_and_nothing_that_changes_its_sql(personas, org):
    ignores_its_argument = CompiledRead(lambda org: Organisation.objects.all(), int)
    with pytest.raises(ValueError, match="every argument"):
        ignores_its_argument(org.pk)
    shaped_by_the_value = CompiledRead(
        lambda pk: Organisation.objects.filter(pk=pk, **({"name": "x"} if pk % 2000 else {})), int
    )
    with pytest.raises(ValueError, match="depends on its arguments"):
        shaped_by_the_value(org.pk)
    annotated = CompiledRead(lambda pk: Organisation.objects.filter(pk=pk).annotate(n=Count("memberships")), int)
    with pytest.raises(ValueError, match="annotations"):
        annotated(org.pk)
    with pytest.raises(TypeError, match="never None"):
        MEMBERS(None)
    with pytest.raises(TypeError):
        CompiledRead(lambda pk: Organisation.objects.filter(pk=pk), float)


def test_a_compiled_read_keeps_no_connection_connections_are_per_thread(personas, org):
    """Its converters are called with the running connection's operations, so a plan made on one
    thread's connection neither keeps that connection open nor uses it from another thread."""
    MEMBERS(org.pk)
    plan = next(iter(MEMBERS._plans.values()))
    held = [c for _, convs, _ in plan.converters for c, _ in convs]
    assert held or connection.vendor != "sqlite"  # SQLite's backend converts datetimes and booleans
    assert not any(isinstance(getattr(c, "__self__", None), BaseDatabaseOperations) for c in held)
    assert not any(isinstance(v, BaseDatabaseWrapper) for p in plan.populators for v in vars(p).values())
