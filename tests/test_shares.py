"""make test's split of the suite between its SQLite and PostgreSQL runs (tests/conftest.py)."""

from types import SimpleNamespace

import pytest

from tests import conftest


class Item:
    """What the split reads of a collected test: its id, markers and fixtures."""

    def __init__(self, nodeid, markers=(), fixtures=("db",), transaction=False):
        self.nodeid = nodeid
        self.fixturenames = list(fixtures)
        self._markers = {name: SimpleNamespace(kwargs={}) for name in markers}
        if "db" in fixtures or transaction:
            self._markers["django_db"] = SimpleNamespace(kwargs={"transaction": transaction})

    def get_closest_marker(self, name):
        return self._markers.get(name)


def _runs_on(item, split, share) -> bool:
    pinned = conftest._pinned(item)
    return share in pinned or (not pinned and split[conftest._group(item)] == share)


def _run(items, share):
    split = conftest._split(items)
    return [item.nodeid for item in items if _runs_on(item, split, share)]


@pytest.fixture
def suite():
    items = [Item(f"tests/app/test_views_{n}.py::test_{k}") for n in range(12) for k in range(n + 1)]
    items += [
        Item("tests/test_access_matrix.py::test_matrix"),
        Item("tests/app/test_services.py::test_writes"),
        Item("tests/app/test_views_0.py::test_counts", fixtures=("db", "django_assert_num_queries")),
        Item("tests/app/test_worker.py::test_killed_worker", fixtures=("transactional_db",), transaction=True),
        Item(
            "tests/browser/test_flow.py::test_flow", markers=("browser",), fixtures=("live_server",), transaction=True
        ),
        Item(
            "tests/browser/test_demo.py::test_demo",
            markers=("browser",),
            fixtures=("live_server", "seed_demo"),
            transaction=True,
        ),
        Item("tests/pure/test_engine.py::test_pure", fixtures=()),
        Item("tests/test_bad_input.py::test_junk"),
        Item("tests/portfolio/test_calendar.py::test_dates_in_sql"),
        Item("tests/served/test_a.py::test_gunicorn", fixtures=("served_env",)),
        Item("tests/served/test_b.py::test_gunicorn_logs", fixtures=("served_env",)),
        Item("tests/served/test_b.py::test_formatter", fixtures=()),
    ]
    return items


def test_every_test_runs_and_never_twice_on_one_side(suite):
    sqlite, postgres = _run(suite, "sqlite"), _run(suite, "postgres")
    assert len(set(sqlite)) == len(sqlite) and len(set(postgres)) == len(postgres)
    assert set(sqlite) | set(postgres) == {item.nodeid for item in suite}


def test_database_tests_run_on_postgresql_and_those_where_sqlite_differs_on_both(suite):
    sqlite, postgres = _run(suite, "sqlite"), _run(suite, "postgres")
    database = {
        "tests/test_access_matrix.py::test_matrix",
        "tests/app/test_services.py::test_writes",
        "tests/app/test_views_0.py::test_counts",
        "tests/app/test_worker.py::test_killed_worker",
        "tests/test_bad_input.py::test_junk",
        "tests/portfolio/test_calendar.py::test_dates_in_sql",
    }
    assert database <= set(postgres)
    assert set(sqlite) & set(postgres) == {
        "tests/test_bad_input.py::test_junk",
        "tests/portfolio/test_calendar.py::test_dates_in_sql",
    }


def test_the_tests_of_a_costly_session_fixture_run_on_one_side(suite):
    sqlite, postgres = _run(suite, "sqlite"), _run(suite, "postgres")
    served = {"tests/served/test_a.py::test_gunicorn", "tests/served/test_b.py::test_gunicorn_logs"}
    assert served <= set(sqlite) or served <= set(postgres)


def test_a_browser_test_and_a_test_without_a_database_run_once(suite):
    sqlite, postgres = _run(suite, "sqlite"), _run(suite, "postgres")
    for nodeid in ("tests/browser/test_flow.py::test_flow", "tests/pure/test_engine.py::test_pure"):
        assert (nodeid in sqlite) != (nodeid in postgres)


def test_a_browser_test_that_starts_from_the_demo_data_runs_on_sqlite(suite):
    # where the seeded database is copied, not seeded again (tests/browser/conftest.py)
    assert "tests/browser/test_demo.py::test_demo" in _run(suite, "sqlite")
    assert "tests/browser/test_demo.py::test_demo" not in _run(suite, "postgres")


def test_the_once_only_modules_are_split_by_weight_within_the_heaviest_module(suite):
    split = conftest._split(suite)
    load = {"sqlite": 0.0, "postgres": conftest.POSTGRES_HEAD_START}
    heaviest = 0.0
    weight: dict[str, float] = {}
    for item in suite:
        for share in load:
            if _runs_on(item, split, share):
                load[share] += conftest._guess(item)  # none of these modules was ever measured
        if not conftest._pinned(item):
            weight[conftest._group(item)] = weight.get(conftest._group(item), 0.0) + conftest._guess(item)
            heaviest = max(heaviest, weight[conftest._group(item)])
    assert abs(load["sqlite"] - load["postgres"]) <= heaviest
    assert conftest._split(list(reversed(suite))) == split  # the same whatever the order
