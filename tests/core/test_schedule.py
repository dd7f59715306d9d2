"""The reminder rule, pure: which step is due on a day, once per step however often it is asked."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from procurement.core.schedule import Schedule, parse_days, step_days, step_due

DEADLINE = dt.date(2026, 12, 1)
DEFAULT = Schedule()  # 30, 7, 1 days before, on the day, weekly after
CONDITIONS = Schedule(before_days=(7, 1))


def day(offset: int) -> dt.date:
    return DEADLINE + dt.timedelta(days=offset)


@pytest.mark.parametrize(
    ("schedule", "offset", "key", "words"),
    [
        (DEFAULT, -31, None, None),
        (DEFAULT, -30, "before-30", "due in 30 days"),
        (DEFAULT, -29, "before-30", "due in 29 days"),  # a missed day is caught up, under the same key
        (DEFAULT, -7, "before-7", "due in 7 days"),
        (DEFAULT, -1, "before-1", "due tomorrow"),
        (DEFAULT, 0, "due", "due today"),
        (DEFAULT, 1, "due", "overdue by 1 day"),
        (DEFAULT, 6, "due", "overdue by 6 days"),
        (DEFAULT, 7, "overdue-7", "overdue by 7 days"),
        (DEFAULT, 15, "overdue-14", "overdue by 15 days"),
        (CONDITIONS, -8, None, None),
        (CONDITIONS, -7, "before-7", "due in 7 days"),
        (CONDITIONS, -2, "before-7", "due in 2 days"),
        (Schedule(overdue_every_days=0), 40, "due", "overdue by 40 days"),
        (Schedule(before_days=(), on_the_day=False, overdue_every_days=0), 0, None, None),
    ],
)
def test_the_step_due_on_a_day(schedule, offset, key, words):
    step = step_due(DEADLINE, day(offset), schedule)
    assert (step.key if step else None) == key
    assert (step.describe() if step else None) == words


def test_run_daily_each_step_fires_on_its_own_day_and_once():
    first_seen = {}
    for offset in range(-60, 60):
        step = step_due(DEADLINE, day(offset), DEFAULT)
        if step and step.key not in first_seen:
            first_seen[step.key] = offset
    assert sorted(first_seen.values()) == step_days(DEFAULT, until=59)
    assert list(first_seen)[:4] == ["before-30", "before-7", "before-1", "due"]


schedules = st.builds(
    Schedule,
    before_days=st.lists(st.integers(1, 60), max_size=4).map(tuple),
    on_the_day=st.booleans(),
    overdue_every_days=st.integers(0, 30),
)


@given(schedule=schedules, runs=st.lists(st.integers(-90, 90), min_size=1, max_size=40))
def test_runs_on_any_days_send_each_step_at_most_once_never_early_and_in_order(schedule, runs):
    """Cron may run twice a day, skip days, or start late: keys never repeat out of order and
    a step never fires before its day."""
    sent: list[str] = []
    for offset in sorted(runs):
        step = step_due(DEADLINE, day(offset), schedule)
        if step is None:
            continue
        assert step.offset <= offset and step.days == offset
        if step.key not in sent:
            sent.append(step.key)
    offsets = [int(k.split("-")[1]) * (-1 if k.startswith("before") else 1) if "-" in k else 0 for k in sent]
    assert offsets == sorted(offsets)


@given(schedule=schedules, offset=st.integers(-90, 90))
def test_asking_twice_the_same_day_gives_the_same_step(schedule, offset):
    assert step_due(DEADLINE, day(offset), schedule) == step_due(DEADLINE, day(offset), schedule)


@given(schedule=schedules, offset=st.integers(-90, 90))
def test_the_current_step_is_the_latest_whose_day_has_come(schedule, offset):
    step = step_due(DEADLINE, day(offset), schedule)
    started = step_days(schedule, until=offset)
    assert (step.offset if step else None) == (max(started) if started else None)


@pytest.mark.parametrize(
    ("text", "days"), [("30, 7, 1", (30, 7, 1)), ("1,7;30", (30, 7, 1)), ("", ()), (" 7 , 7 ", (7,))]
)
def test_days_read_from_text(text, days):
    assert parse_days(text) == days


@pytest.mark.parametrize("text", ["a week", "0", "-3", "99999", "7.5"])
def test_days_that_make_no_sense_are_refused_in_words(text):
    with pytest.raises(ValueError, match="days"):
        parse_days(text)


def test_a_settings_entry_with_an_unknown_name_is_refused():
    with pytest.raises(ValueError, match="unknown reminder setting"):
        Schedule.from_mapping({"before": [7]})
    assert Schedule.from_mapping({"before_days": [7, 1]}) == Schedule(before_days=(7, 1))
