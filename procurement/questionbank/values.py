"""Answer values against their question: typing text from files, bounds, date windows and
"not disclosed". Pure Python (no Django), so the staff and portal forms, the answer-file
import, ``score_answers`` and the demo profiles share one set of rules.

``q`` is a question of a normalised bank document (``document/parse.py``). A question's
``limits`` hold ``min``/``max`` (refused outside) and ``soft_min``/``soft_max`` (accepted with
a warning): numbers for a number question, offsets from today for a date question
(``-3y``, ``+1y``, ``-18m``, ``30d``, ``0d``).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from procurement.core.scalars import to_date, to_number
from procurement.scoring.provider_table import TableError, clean_rows
from procurement.scoring.types import fmt_number

# The answer files' word for "the vendor does not disclose this".
UNDISCLOSED_MARK = "not disclosed"
UNDISCLOSED_LABEL = "Not disclosed by the vendor"
UNDISCLOSED_TYPES = ("number", "date")
LIMIT_KEYS = ("min", "max", "soft_min", "soft_max")
OFFSET_RE = re.compile(r"^([+-]?)([0-9]{1,4})([dmy])$")
_OFFSET_WORDS = {"d": "day", "m": "month", "y": "year"}


def allows_undisclosed(q: dict) -> bool:
    """Number and date questions the vendor answers can be answered "not disclosed"."""
    return q["type"] in UNDISCLOSED_TYPES and q["audience"] == "vendor"


def is_undisclosed_mark(value: Any) -> bool:
    return isinstance(value, str) and value.strip().lower() == UNDISCLOSED_MARK


# --- Date offsets -------------------------------------------------------------------


def parse_offset(text: Any) -> tuple[int, str] | None:
    """``-3y`` -> (-3, "y"); None when it is not an offset."""
    match = OFFSET_RE.match(str(text).strip()) if isinstance(text, str) else None
    if match is None:
        return None
    sign, amount, unit = match.groups()
    return (-int(amount) if sign == "-" else int(amount)), unit


def offset_date(text: str, today: dt.date) -> dt.date:
    amount, unit = parse_offset(text)  # type: ignore[misc]
    if unit == "d":
        return today + dt.timedelta(days=amount)
    months = amount * (12 if unit == "y" else 1)
    index = today.year * 12 + today.month - 1 + months
    year, month = divmod(index, 12)
    day = min(today.day, calendar.monthrange(year, month + 1)[1])
    return dt.date(year, month + 1, day)


def offset_words(text: str) -> str:
    """``-3y`` -> "3 years ago", ``+1y`` -> "1 year ahead", ``0d`` -> "today"."""
    amount, unit = parse_offset(text)  # type: ignore[misc]
    if amount == 0:
        return "today"
    word = _OFFSET_WORDS[unit] + ("" if abs(amount) == 1 else "s")
    return f"{abs(amount)} {word} {'ago' if amount < 0 else 'ahead'}"


# --- Bounds -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Checked:
    """A value against its question's limits: ``error`` refuses it, ``warning`` accepts it."""

    error: str = ""
    warning: str = ""


def _with_unit(value: float, unit: str) -> str:
    return f"{fmt_number(value)} {unit}".strip() if unit else fmt_number(value)


def range_words(q: dict, today: dt.date, *, soft: bool = False) -> str:
    """The allowed (or expected) range as a person reads it, "" when unbounded."""
    limits = q.get("limits") or {}
    lo, hi = limits.get("soft_min" if soft else "min"), limits.get("soft_max" if soft else "max")
    if lo is None and hi is None:
        return ""
    if q["type"] == "date":

        def day(text: str) -> str:
            return f"{offset_date(text, today):%d %b %Y} ({offset_words(text)})"

        if lo is not None and hi is not None:
            return f"from {day(lo)} to {day(hi)}"
        return f"on or after {day(lo)}" if lo is not None else f"on or before {day(hi)}"
    unit = q.get("unit") or ""
    if lo is not None and hi is not None:
        return f"from {fmt_number(lo)} to {_with_unit(hi, unit)}"
    return f"at least {_with_unit(lo, unit)}" if lo is not None else f"at most {_with_unit(hi, unit)}"


def check_limits(q: dict, value: Any, today: dt.date) -> Checked:
    """``value`` (a number, or a date or ISO text) against the question's limits."""
    limits = q.get("limits") or {}
    if not limits or value is None or q["type"] not in ("number", "date"):
        return Checked()
    if q["type"] == "date":
        try:
            day = to_date(value)
        except ValueError:
            return Checked()

        def bound(key: str) -> dt.date | None:
            return offset_date(limits[key], today) if limits.get(key) is not None else None

        shown = f"{day:%d %b %Y}"
        compare: Any = day
    else:
        try:
            compare = float(value) if isinstance(value, Decimal) else to_number(value)
        except (ValueError, ArithmeticError):
            return Checked()

        def bound(key: str) -> float | None:
            return limits.get(key)

        shown = _with_unit(compare, q.get("unit") or "")
    lo, hi = bound("min"), bound("max")
    if (lo is not None and compare < lo) or (hi is not None and compare > hi):
        return Checked(error=f"{q['code']}: {shown} is outside the allowed range ({range_words(q, today)}).")
    slo, shi = bound("soft_min"), bound("soft_max")
    if (slo is not None and compare < slo) or (shi is not None and compare > shi):
        expected = range_words(q, today, soft=True)
        return Checked(warning=f"{q['code']}: {shown} is unusual (expected {expected}); it is saved, but check it.")
    return Checked()


# --- Values from files -------------------------------------------------------------------


def typed_value(q: dict, value: Any) -> Any:
    """An answer from a file (YAML gives text) typed for its question: numbers and dates
    converted, choices as text, lists as lists. ValueError with a plain message otherwise."""
    qtype = q["type"]
    if value is None or value == "":
        return None
    if qtype == "number":
        if isinstance(value, list | dict | dt.date):
            raise ValueError("expected a number")
        return to_number(value)
    if qtype == "date":
        if not isinstance(value, str | dt.date):
            raise ValueError(f"{value!r} is not a date (YYYY-MM-DD)")
        return to_date(value)
    if qtype == "multi_choice":
        items = value if isinstance(value, list) else [value]
        return [_word(v) for v in items]
    if qtype in ("single_choice", "yes_no"):
        if isinstance(value, list | dict):
            raise ValueError("give one choice, not a list")
        return _word(value)
    if qtype == "provider_table":
        try:
            return clean_rows(value) or None
        except TableError as exc:
            raise ValueError(" ".join(exc.problems)) from None
    return value


def _word(value: Any) -> Any:
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return value if isinstance(value, dict | list) else str(value)
