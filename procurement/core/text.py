"""Text that can be stored, shown and exported: one check for every way text comes in
(forms, the vendor portal, answer files, bank files), and one cleaner for every way it goes
out (CSV and XLSX cells). Pure Python, no Django.
"""

from __future__ import annotations

import html
import re
import unicodedata

_ALLOWED_CONTROLS = frozenset("\t\n\r")
# C0 controls other than tab and line breaks, DEL, C1 controls, and lone surrogates.
_UNSTORABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def text_problem(text: str) -> str | None:
    """Why ``text`` cannot be stored as an answer, a name or a note, or None when it can.

    Refuses lone surrogates (they cannot be written as UTF-8, so every page showing them
    would fail) and control characters other than tab and line breaks (spreadsheets refuse
    them, and no one types them on purpose).
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "contains characters that are not valid Unicode text (a lone surrogate)"
    for ch in text:
        if ch not in _ALLOWED_CONTROLS and unicodedata.category(ch) == "Cc":
            return f"contains a control character (U+{ord(ch):04X})"
    return None


def strip_unstorable(text: str) -> str:
    """``text`` without the characters ``text_problem`` refuses: for records stored before the
    check existed (a frozen record cannot be corrected, but it must still export)."""
    return _UNSTORABLE.sub("", text)


def html_escaped(value) -> str:
    """``str(value)`` escaped for HTML text and quoted attributes (``&<>"'``), as Django's
    templates escape, without their lazy-text wrapper. For rows drawn in Python where a template
    loop was measured too slow (docs/performance.md); the result still needs ``mark_safe``."""
    return html.escape(str(value), quote=True)


def clipped(text: str, chars: int) -> str:
    """``text`` cut to ``chars`` characters, the last one an ellipsis when cut (as Django's
    ``truncatechars`` filter cuts)."""
    return text if len(text) <= chars else text[: chars - 1] + "…"


_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def day_words(day, *, weekday: bool = False) -> str:
    """A date as the pages write it: "27 Nov 2026", with ``weekday`` "Fri 27 Nov 2026" (what
    ``strftime("%-d %b %Y")`` gives in English), built from the numbers: a date's ``strftime``
    costs ~5 µs, 0.5 ms of a Calendar page of 50 rows (bench/run.py, ``calendar_page_ratio``)."""
    text = f"{day.day} {_MONTHS[day.month - 1][:3]} {day.year}"
    return f"{_WEEKDAYS[day.weekday()]} {text}" if weekday else text


def month_words(day) -> str:
    """A date's month and year: "November 2026" (``strftime("%B %Y")`` in English)."""
    return f"{_MONTHS[day.month - 1]} {day.year}"
