"""The reminder schedule: which reminder about a deadline is due on a given day.

Pure Python, no Django (import-linter forbids it here), so the rule is tested as a table and
with generated dates. Every kind of deadline (conditions, reviews, risk acceptances, evidence
expiry, contract notice dates, model retirements) uses the same rule with its own numbers:
reminders some days before, one on the day, then one every N days while overdue.

A step has a stable key ("before-7", "due", "overdue-14"). Callers make it part of the
message's idempotency key, so a run repeated the same day (cron twice a day) finds the same
step and sends nothing new. A run that missed a step's day (cron was down) still sends that
step on a later day, as long as no later step has begun: the current step is the latest one
whose day has come.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

MAX_DAYS = 3650


@dataclass(frozen=True)
class Schedule:
    before_days: tuple[int, ...] = (30, 7, 1)
    on_the_day: bool = True
    # 0: no reminders once the deadline has passed.
    overdue_every_days: int = 7

    def __post_init__(self) -> None:
        days = tuple(sorted({int(d) for d in self.before_days}, reverse=True))
        if any(not 1 <= d <= MAX_DAYS for d in days):
            raise ValueError(f"days before a deadline run from 1 to {MAX_DAYS}")
        if not 0 <= int(self.overdue_every_days) <= MAX_DAYS:
            raise ValueError(f"the overdue interval runs from 0 (none) to {MAX_DAYS} days")
        object.__setattr__(self, "before_days", days)
        object.__setattr__(self, "overdue_every_days", int(self.overdue_every_days))

    @classmethod
    def from_mapping(cls, values: Mapping) -> Schedule:
        """From a settings entry: ``{"before_days": [30, 7, 1], "on_the_day": True, "overdue_every_days": 7}``."""
        unknown = set(values) - {"before_days", "on_the_day", "overdue_every_days"}
        if unknown:
            raise ValueError(f"unknown reminder setting(s): {', '.join(sorted(unknown))}")
        default = cls()
        return cls(
            before_days=tuple(values.get("before_days", default.before_days)),
            on_the_day=bool(values.get("on_the_day", default.on_the_day)),
            overdue_every_days=int(values.get("overdue_every_days", default.overdue_every_days)),
        )


def parse_days(text: str) -> tuple[int, ...]:
    """ "30, 7, 1" -> (30, 7, 1); raises ValueError with a plain message."""
    parts = [p.strip() for p in text.replace(";", ",").split(",") if p.strip()]
    try:
        days = tuple(int(p) for p in parts)
    except ValueError:
        raise ValueError("Give whole numbers of days separated by commas, e.g. 30, 7, 1.") from None
    Schedule(before_days=days)  # range check
    return tuple(sorted(set(days), reverse=True))


@dataclass(frozen=True)
class Step:
    """A reminder that is due: ``offset`` is the step's day relative to the deadline (-7 = seven
    days before, 0 = on the day, 14 = two weeks after); ``days`` is today relative to it."""

    key: str
    offset: int
    days: int

    @property
    def overdue(self) -> bool:
        return self.days > 0

    def describe(self) -> str:
        """The deadline as of today, in words: "due in 7 days", "due today", "overdue by 2 days"."""
        if self.days < -1:
            return f"due in {-self.days} days"
        if self.days == -1:
            return "due tomorrow"
        if self.days == 0:
            return "due today"
        return "overdue by 1 day" if self.days == 1 else f"overdue by {self.days} days"


def _key(offset: int) -> str:
    if offset < 0:
        return f"before-{-offset}"
    return "due" if offset == 0 else f"overdue-{offset}"


def step_days(schedule: Schedule, *, until: int) -> list[int]:
    """Every step's offset up to ``until`` days after the deadline, in order."""
    offsets = [-d for d in schedule.before_days]
    if schedule.on_the_day:
        offsets.append(0)
    if schedule.overdue_every_days:
        offsets.extend(range(schedule.overdue_every_days, until + 1, schedule.overdue_every_days))
    return sorted(o for o in offsets if o <= until)


def step_due(deadline: dt.date, today: dt.date, schedule: Schedule) -> Step | None:
    """The reminder step current on ``today`` for ``deadline``, or None before the first one.

    The current step is the latest whose day has come; its key names it, so one step is
    sent once however often this is asked.
    """
    days = (today - deadline).days
    candidates = [-d for d in schedule.before_days if -d <= days]
    if schedule.on_the_day and days >= 0:
        candidates.append(0)
    if schedule.overdue_every_days and days >= schedule.overdue_every_days:
        candidates.append(days // schedule.overdue_every_days * schedule.overdue_every_days)
    if not candidates:
        return None
    offset = max(candidates)
    return Step(key=_key(offset), offset=offset, days=days)
