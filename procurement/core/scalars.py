"""Typed values from text: what a schema does with the strings the strict loader returns.

The strict loader (procurement.core.loaders) resolves only ``null``, ``true`` and ``false``;
every other scalar reaches the schema as text. Where the schema asks for a number or a date,
these functions convert it, refusing what does not look like one with a message that quotes
the value. Plain Python, no Django.

Numbers are plain decimals: an optional sign, digits, an optional fraction (``90``, ``-3``,
``2.5``, ``012`` is twelve). ``1e3``, ``0x10``, ``10_30``, ``1,000``, ``inf`` and ``nan`` are
not numbers here. Dates are ``YYYY-MM-DD``.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

MAX_DIGITS = 30  # the loader's limit on integer length, for numbers written as text too
_DECIMAL = re.compile(r"^[+-]?[0-9]+(\.[0-9]+)?$")
_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def is_decimal(value: Any) -> bool:
    """True for text written as a plain decimal number."""
    return isinstance(value, str) and bool(_DECIMAL.match(value.strip()))


def to_number(value: Any) -> int | float:
    """A finite number from a number or plain-decimal text; ValueError otherwise.

    Text without a fraction gives an int, with one a float (``90`` -> 90, ``2.5`` -> 2.5).
    """
    if isinstance(value, bool) or value is None:
        raise ValueError(f"{_shown(value)} is not a number")
    if isinstance(value, int):
        if value.bit_length() > 100 or len(str(abs(value))) > MAX_DIGITS:  # 2**100 has 31 digits
            raise ValueError(f"a number longer than {MAX_DIGITS} digits")
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("expected a finite number")
        return value
    if not isinstance(value, str):
        raise ValueError(f"{_shown(value)} is not a number")
    text = value.strip()
    if not _DECIMAL.match(text):
        raise ValueError(f"{_shown(value)} is not a number (write digits, e.g. 90 or 2.5)")
    if len(text.lstrip("+-").split(".")[0]) > MAX_DIGITS:
        raise ValueError(f"a number longer than {MAX_DIGITS} digits")
    return float(text) if "." in text else int(text)


def to_date(value: Any) -> dt.date:
    """A date from a date or ``YYYY-MM-DD`` text; ValueError otherwise."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and _ISO_DATE.match(value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"{_shown(value)} is not a valid date") from None
    raise ValueError(f"{_shown(value)} is not a date (YYYY-MM-DD)")


def number_or_same(value: Any) -> Any:
    """Plain-decimal text as a number; anything else (too long a number too) unchanged, for the
    schema's own checks to judge and quote."""
    try:
        return to_number(value) if is_decimal(value) else value
    except ValueError:
        return value


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
