"""Money: amounts typed by people, parsed into (Decimal, currency) and displayed one way.

Pure Python (no Django; import-linter keeps it so). Currencies are ISO 4217 codes from
pycountry's maintained list.

``money_parse`` accepts ``250000``, ``250,000``, ``250 000`` (normal, no-break, thin or
narrow spaces between groups of three), ``250k``, ``1.2M``, ``2bn``, ``€250k``, ``$1.2m``,
``£90,000``, ``EUR 250,000`` and ``250,000 EUR``. It refuses everything else with a message
that quotes the input: it never drops a character it does not understand. Negative amounts,
NaN, infinity, exponent notation (``1e9``), more than two decimals (after ``k``/``M``/``bn``
scaling) and amounts of a trillion or more are refused.

``money_format`` writes ``EUR 250,000`` (the code, a space, the amount with comma thousands,
and cents only when there are any): one display everywhere, unambiguous where ``$`` is not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache

import pycountry

# Below one trillion: the stored columns hold 12 digits before the point.
MAX_AMOUNT = Decimal("999999999999.99")
CENTS = Decimal("0.01")

SYMBOLS = {"€": "EUR", "$": "USD", "£": "GBP"}
SCALES = {"": 1, "k": 1_000, "m": 1_000_000, "bn": 1_000_000_000}
# Spaces people and word processors put between digit groups.
GROUP_SPACES = " \u00a0\u2009\u202f"

_SPACE = f"[{GROUP_SPACES}]"
_NUMBER = re.compile(
    r"^(?P<int>\d{1,3}(?:,\d{3})+|\d{1,3}(?:" + _SPACE + r"\d{3})+|\d+)"
    r"(?:\.(?P<frac>\d+))?"
    r"(?:" + _SPACE + r"?(?P<scale>k|m|bn))?$",
    re.IGNORECASE | re.ASCII,  # \d is 0-9 only: other scripts' digits are refused, not read
)


class MoneyError(ValueError):
    """An amount that cannot be read; the message quotes the input and says what to write."""


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str = ""  # ISO 4217 code; empty when the text named none


@cache
def currency_codes() -> frozenset[str]:
    """Every ISO 4217 code pycountry knows (active currencies)."""
    return frozenset(c.alpha_3 for c in pycountry.currencies)


def currency_name(code: str) -> str:
    found = pycountry.currencies.get(alpha_3=code)
    return found.name if found else code


def currency_choices(first: tuple[str, ...] = ("EUR", "USD", "GBP", "CHF", "JPY")) -> list[tuple[str, str]]:
    """(code, "EUR — Euro") pairs for a select: the common ones first, then every other code."""
    rest = sorted(currency_codes() - set(first))
    return [(c, f"{c} — {currency_name(c)}") for c in (*first, *rest)]


def is_currency(code: str) -> bool:
    return code in currency_codes()


def unit_currency(unit: str) -> str:
    """The currency a question's unit names ("EUR", "EUR per million tokens"), else ""."""
    head = unit.strip().split(" ", 1)[0] if unit else ""
    return head if is_currency(head) else ""


def _refuse(text: str, why: str) -> MoneyError:
    shown = text if len(text) <= 40 else text[:37] + "..."
    return MoneyError(f"“{shown}” is not an amount we can read: {why}.")


HOW = "write it like 250000, 250,000, 250k, 1.2M or EUR 250,000"


def _split_currency(text: str) -> tuple[str, str]:
    """(currency, the rest) from a leading symbol or a leading or trailing three-letter code."""
    if text and text[0] in SYMBOLS:
        return SYMBOLS[text[0]], text[1:].lstrip(GROUP_SPACES)
    if text and text[-1] in SYMBOLS:
        return SYMBOLS[text[-1]], text[:-1].rstrip(GROUP_SPACES)
    head = re.match(r"^([A-Za-z]{3})[" + GROUP_SPACES + r"]*(?=[0-9.])", text)
    if head:
        return head.group(1).upper(), text[head.end() :]
    tail = re.search(r"(?<=[0-9kKmMnN])[" + GROUP_SPACES + r"]*([A-Za-z]{3})$", text)
    if tail:
        return tail.group(1).upper(), text[: tail.start()]
    return "", text


def money_parse(text: str, *, default_currency: str = "") -> Money:
    """Read an amount typed by a person. Raises MoneyError, naming the input, for anything else."""
    if not isinstance(text, str):
        raise MoneyError("An amount must be text.")
    raw = text.strip(GROUP_SPACES + "\t")
    if not raw:
        raise MoneyError("Enter an amount.")
    if any(sign in raw for sign in "-\u2212(") or raw.endswith(")"):
        raise _refuse(raw, "amounts cannot be negative")
    currency, rest = _split_currency(raw)
    if currency and not is_currency(currency):
        raise _refuse(raw, f"{currency} is not an ISO 4217 currency code")
    if re.search(r"[0-9][eE][+-]?[0-9]", rest) or rest.lower() in {"nan", "inf", "infinity"}:
        raise _refuse(raw, f"exponents, NaN and infinity are not amounts; {HOW}")
    match = _NUMBER.match(rest)
    if not match:
        if re.fullmatch(r"[0-9]+(,[0-9]+)+(\.[0-9]+)?", rest):
            raise _refuse(raw, "commas separate thousands, in groups of three digits (250,000 or 1,250.50)")
        if re.fullmatch(r"[0-9]+\.[0-9]{3}(\.[0-9]{3})+", rest):
            raise _refuse(raw, "use a comma or a space between thousands (250,000 or 250 000), and a dot for cents")
        raise _refuse(raw, HOW)
    digits = re.sub(f"[,{GROUP_SPACES}]", "", match.group("int"))
    frac = match.group("frac") or ""
    scale = (match.group("scale") or "").lower()
    try:
        amount = Decimal(f"{digits}.{frac}" if frac else digits) * SCALES[scale]
    except InvalidOperation:  # pragma: no cover - the pattern admits only digits
        raise _refuse(raw, HOW) from None
    if not scale and len(frac) > 2:
        raise _refuse(raw, "more than two decimals (if the dot separates thousands, write 250,000 or 250 000)")
    if amount > MAX_AMOUNT:
        raise _refuse(raw, "amounts must be below one trillion")
    if amount != amount.quantize(CENTS):
        raise _refuse(raw, "that is a fraction of a cent; use at most two decimals after the k, M or bn")
    return Money(amount.quantize(CENTS), currency or default_currency)


def money_format(amount: Decimal | float | int | None, currency: str = "", *, empty: str = "—") -> str:
    """``EUR 250,000`` or ``EUR 1,250.50``; the amount alone when no currency is known."""
    if amount is None or amount == "":
        return empty
    value = Decimal(str(amount)).quantize(CENTS, rounding=ROUND_HALF_UP)
    text = f"{value:,.2f}"
    if text.endswith(".00"):
        text = text[:-3]
    return f"{currency} {text}" if currency else text


def money_convert(amount: Decimal, rate: Decimal) -> Decimal:
    """An amount times a rate (units of the target currency per unit of the amount's), to the cent."""
    return (amount * rate).quantize(CENTS, rounding=ROUND_HALF_UP)


def money_to(amount: Decimal, currency: str, *, to: str, rates: dict[str, Decimal]) -> Decimal | None:
    """The amount in ``to``, using ``rates`` (currency -> units of ``to`` per unit); None when
    no rate is known (the caller says which currency lacks one; nothing is guessed)."""
    if currency == to:
        return amount
    rate = rates.get(currency)
    return None if rate is None else money_convert(amount, rate)


def money_between(
    amount: Decimal, currency: str, *, to: str, reporting: str, rates: dict[str, Decimal]
) -> tuple[Decimal | None, list[str]]:
    """The amount in ``to`` through the reporting currency (``rates`` are into it). Returns
    (amount, []) or (None, the currencies that lack a rate)."""
    if currency == to:
        return amount, []
    missing = [c for c in (currency, to) if c != reporting and c not in rates]
    if missing:
        return None, missing
    in_reporting = amount if currency == reporting else amount * rates[currency]
    result = in_reporting if to == reporting else in_reporting / rates[to]
    return result.quantize(CENTS, rounding=ROUND_HALF_UP), []


def xlsx_number_format(currency: str) -> str:
    """An Excel number format that shows the code before a grouped amount: "EUR" #,##0.00."""
    return f'"{currency}" #,##0.00' if currency else "#,##0.00"
