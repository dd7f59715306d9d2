"""Reads of a fixed shape whose SQL is compiled once per process: ``CompiledRead``.

Django builds a queryset's SQL again on every evaluation. For the small reads of a section page
(one assessment, its section revisions, its answers, the vendor's documents, the answers' links)
building the queryset and compiling its SQL took 0.2 to 0.6 ms each, three to six times as long as
SQLite took to run it and to turn the rows into models (docs/performance.md, "Section page, fifth
pass"). A ``CompiledRead`` builds its queryset once, with stand-in values for its parameters,
keeps Django's SQL, and from then on runs that SQL with the values given, turning the rows into
model instances (or tuples, for ``values_list``) with Django's own converters and
``select_related`` populators, as the queryset would.

What it accepts is checked when it compiles: every parameter is an int or a str and appears in
the SQL as a parameter of its own (so a value cannot change the SQL's shape, as None or an empty
list would), and the queryset yields model instances or ``values_list`` tuples with no
annotations. What it does not do, the caller does: no ``known related objects`` (a related
manager's queryset gives each row its parent; set it yourself when reading children of a parent
you hold) and no fetch mode but the default.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from threading import Lock

from django.db import connections
from django.db.models import Model, QuerySet
from django.db.models.fetch_modes import FETCH_ONE
from django.db.models.query import ModelIterable, ValuesListIterable, get_related_populators

# Stand-in values: no id or code the application stores, different per parameter and round, and
# within a 32-bit integer column's range (Django turns an out-of-range lookup into no query at all).
_INT_STAND_IN = -1_987_000_000
_STR_STAND_IN = "\x1ecompiled-read-{}\x1e"


@dataclass(frozen=True)
class _Plan:
    """One database's compiled read: nothing in it refers to a connection (connections are per
    thread); the backend's converters are kept as functions of the running connection's ``ops``."""

    sql: str
    params: tuple
    slots: tuple[tuple[int, int], ...]  # (position in params, index of the argument)
    converters: tuple  # ((column, ((converter, of the backend), ...), expression), ...)
    init: tuple[int, int, list[str]] | None  # model rows: (first column, column after the last, attnames)
    model: type[Model] | None  # None: values_list tuples
    populators: tuple  # select_related


class CompiledRead:
    """``build(*args)`` gives the queryset for those arguments; ``kinds`` are the arguments'
    types (int or str). Calling the read with arguments returns the list the queryset would."""

    def __init__(self, build: Callable[..., QuerySet], *kinds: type):
        if not kinds or any(kind not in (int, str) for kind in kinds):
            raise TypeError("a CompiledRead takes one or more int or str arguments")
        self._build = build
        self._kinds = kinds
        self._plans: dict[str, _Plan] = {}
        self._lock = Lock()
        self._alias: str | None = None

    def __call__(self, *args) -> list:
        if any(arg is None for arg in args):
            raise TypeError("a CompiledRead's arguments are never None (the SQL would need IS NULL)")
        values = [kind(arg) for kind, arg in zip(self._kinds, args, strict=True)]
        alias = self._alias or self._build(*self._stand_ins(0)).db
        plan = self._plans.get(alias) or self._compile(alias)
        params = list(plan.params)
        for position, index in plan.slots:
            params[position] = values[index]
        connection = connections[alias]
        with connection.cursor() as cursor:
            cursor.execute(plan.sql, params)
            rows = cursor.fetchall()
        if plan.converters:
            rows = [_converted(row, plan.converters, connection) for row in rows]
        if plan.model is None:
            return [tuple(row) for row in rows]
        start, end, attnames = plan.init
        from_db = plan.model.from_db
        result = []
        for row in rows:
            obj = from_db(alias, attnames, row[start:end], fetch_mode=FETCH_ONE)
            for populator in plan.populators:
                populator.populate(row, obj)
            result.append(obj)
        return result

    def _stand_ins(self, round_: int) -> list:
        return [
            _INT_STAND_IN - 1000 * round_ - i if kind is int else _STR_STAND_IN.format(f"{round_}-{i}")
            for i, kind in enumerate(self._kinds)
        ]

    def _compile(self, alias: str) -> _Plan:
        """Compile the queryset twice, with two sets of stand-ins, and keep where each argument
        goes: the SQL and every other parameter must be the same both times."""
        with self._lock:
            if alias in self._plans:
                return self._plans[alias]
            (sql, params, compiler, iterable), (sql_2, params_2, _, _) = (self._compiled(alias, n) for n in (0, 1))
            if sql != sql_2 or len(params) != len(params_2):
                raise ValueError("the queryset's SQL depends on its arguments' values")
            stand_ins, stand_ins_2 = self._stand_ins(0), self._stand_ins(1)
            slots = tuple((p, stand_ins.index(v)) for p, v in enumerate(params) if v in stand_ins)
            if slots != tuple((p, stand_ins_2.index(v)) for p, v in enumerate(params_2) if v in stand_ins_2):
                raise ValueError("the queryset's parameters depend on its arguments' values")
            if sorted(index for _, index in slots) != list(range(len(self._kinds))):
                raise ValueError("every argument must appear in the SQL once, as a parameter of its own")
            taken = {p for p, _ in slots}
            if any(params[p] != params_2[p] for p in range(len(params)) if p not in taken):
                raise ValueError("the queryset's other parameters must not depend on its arguments")
            select = compiler.select
            # The backend's converters are methods of the compiling connection's operations: kept
            # unbound and called with the running connection's, so no plan holds on to a connection.
            ops = compiler.connection.ops
            converters = tuple(
                (
                    column,
                    tuple((c.__func__, True) if getattr(c, "__self__", None) is ops else (c, False) for c in convs),
                    expression,
                )
                for column, (convs, expression) in sorted(
                    compiler.get_converters([s[0] for s in select[: compiler.col_count]]).items()
                )
            )
            init = model = None
            populators: tuple = ()
            if iterable is ModelIterable:
                klass_info = compiler.klass_info
                first, last = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
                init = (first, last, [s[0].target.attname for s in select[first:last]])
                model = klass_info["model"]
                populators = tuple(get_related_populators(klass_info, select, alias, FETCH_ONE))
            plan = _Plan(sql, tuple(params), slots, converters, init, model, populators)
            self._plans[alias] = plan
            self._alias = alias
            return plan

    def _compiled(self, alias: str, round_: int):
        queryset = self._build(*self._stand_ins(round_))
        if queryset.db != alias:
            raise ValueError("the queryset's database depends on its arguments")
        if queryset._iterable_class not in (ModelIterable, ValuesListIterable):
            raise ValueError("a CompiledRead yields model instances or values_list tuples")
        if (
            queryset._fetch_mode is not FETCH_ONE
            or queryset._known_related_objects
            or queryset._prefetch_related_lookups
        ):
            raise ValueError("a CompiledRead takes a plain queryset: no fetch mode, known objects or prefetch")
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        if queryset._iterable_class is ModelIterable and compiler.annotation_col_map:
            raise ValueError("a CompiledRead of model instances takes no annotations")
        return sql, params, compiler, queryset._iterable_class


def _converted(row, converters, connection) -> list:
    row = list(row)
    ops = connection.ops
    for column, convs, expression in converters:
        value = row[column]
        for converter, of_the_backend in convs:
            value = (
                converter(ops, value, expression, connection)
                if of_the_backend
                else converter(value, expression, connection)
            )
        row[column] = value
    return row
