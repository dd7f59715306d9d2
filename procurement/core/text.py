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
