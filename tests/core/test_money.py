"""Amounts typed by people: what is read, what is refused (with the input named), and the one display."""

from decimal import Decimal

import pytest
from django.template import Context, Template

from procurement.core.money import (
    MoneyError,
    currency_choices,
    money_between,
    money_format,
    money_parse,
    unit_currency,
    xlsx_number_format,
)

D = Decimal


@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [
        ("250000", D("250000"), ""),
        ("250,000", D("250000"), ""),
        ("250k", D("250000"), ""),
        ("250K", D("250000"), ""),
        ("1.2M", D("1200000"), ""),
        ("1.2m", D("1200000"), ""),
        ("2bn", D("2000000000"), ""),
        ("€250k", D("250000"), "EUR"),
        ("$1.2m", D("1200000"), "USD"),
        ("£90,000", D("90000"), "GBP"),
        ("250 k€", D("250000"), "EUR"),
        ("EUR 250,000", D("250000"), "EUR"),
        ("eur 1.5k", D("1500"), "EUR"),
        ("250,000 EUR", D("250000"), "EUR"),
        ("250k CHF", D("250000"), "CHF"),
        ("250 000", D("250000"), ""),
        ("250\u00a0000", D("250000"), ""),  # no-break space
        ("250\u2009000", D("250000"), ""),  # thin space
        ("250\u202f000", D("250000"), ""),  # narrow no-break space
        ("1,250.50", D("1250.50"), ""),
        ("1.23456k", D("1234.56"), ""),
        ("  42  ", D("42"), ""),
        ("0", D("0"), ""),
    ],
)
def test_money_parse_reads_the_ways_people_write_amounts(text, amount, currency):
    money = money_parse(text)
    assert money.amount == amount and money.currency == currency


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("-30", "cannot be negative"),
        ("EUR -5", "cannot be negative"),
        ("(100)", "cannot be negative"),
        ("1e9", "exponents"),
        ("1E3", "exponents"),
        ("NaN", "exponents, NaN"),
        ("inf", "infinity"),
        ("250.000", "more than two decimals"),
        ("1.234567k", "fraction of a cent"),
        ("12,34", "groups of three"),
        ("250,00", "groups of three"),
        ("1.234.567", "a dot for cents"),
        ("2000bn", "below one trillion"),
        ("9" * 40, "below one trillion"),
        ("XYZ 100", "XYZ is not an ISO 4217"),
        ("250 abc", "ABC is not an ISO 4217"),
        ("250kk", "write it like"),
        ("k", "write it like"),
        ("1 2345", "write it like"),
        ("twelve", "write it like"),
        ("\u0663\u0660", "write it like"),  # Arabic-Indic digits are not read as 30
    ],
)
def test_money_parse_refuses_anything_else_and_names_the_input(text, why):
    with pytest.raises(MoneyError) as caught:
        money_parse(text)
    message = str(caught.value)
    assert why in message
    assert (text.strip() if len(text) <= 40 else text[:37]) in message


def test_money_parse_asks_for_an_amount_when_empty():
    with pytest.raises(MoneyError, match="Enter an amount"):
        money_parse("   ")


def test_money_parse_takes_the_default_currency_only_when_the_text_names_none():
    assert money_parse("250k", default_currency="GBP").currency == "GBP"
    assert money_parse("$250k", default_currency="GBP").currency == "USD"


def test_money_format_has_separators_and_the_code_and_cents_only_when_there_are_any():
    assert money_format(D("250000"), "EUR") == "EUR 250,000"
    assert money_format(D("1200000.00"), "USD") == "USD 1,200,000"
    assert money_format(D("1250.5"), "GBP") == "GBP 1,250.50"
    assert money_format(1440000.0) == "1,440,000"
    assert money_format(None, "EUR") == "—"


def test_the_money_filter_displays_amounts_one_way():
    out = Template("{% load money %}{{ a|money:c }} {{ b|money:c }} {{ n|money }}").render(
        Context({"a": D("250000"), "b": None, "c": "EUR", "n": "junk"})
    )
    assert out == "EUR 250,000 — —"


def test_money_between_converts_through_the_reporting_currency_or_names_what_is_missing():
    rates = {"USD": D("0.9"), "GBP": D("1.2")}
    assert money_between(D("1000"), "USD", to="EUR", reporting="EUR", rates=rates) == (D("900.00"), [])
    assert money_between(D("900"), "EUR", to="USD", reporting="EUR", rates=rates) == (D("1000.00"), [])
    assert money_between(D("1200"), "GBP", to="USD", reporting="EUR", rates=rates) == (D("1600.00"), [])
    assert money_between(D("5"), "JPY", to="EUR", reporting="EUR", rates=rates) == (None, ["JPY"])
    assert money_between(D("5"), "CHF", to="CHF", reporting="EUR", rates={}) == (D("5"), [])


def test_currencies_come_from_the_iso_list_with_the_common_ones_first():
    codes = [code for code, _ in currency_choices()]
    assert codes[:3] == ["EUR", "USD", "GBP"] and "JPY" in codes and "XYZ" not in codes
    assert len(codes) == len(set(codes)) > 150
    assert unit_currency("EUR per million tokens") == "EUR" and unit_currency("days") == ""


def test_the_xlsx_format_shows_the_code_before_a_grouped_amount():
    assert xlsx_number_format("EUR") == '"EUR" #,##0.00'
