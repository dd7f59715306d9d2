"""Reads of organisation settings that several apps use."""

from __future__ import annotations

from decimal import Decimal

from procurement.core.models import CurrencyRate, Organisation


def currency_rates(organisation: Organisation) -> dict[str, CurrencyRate]:
    """The organisation's rates into its current reporting currency, by currency (one query)."""
    rows = CurrencyRate.objects.filter(organisation=organisation, to_currency=organisation.reporting_currency)
    return {r.currency: r for r in rows}


def rate_values(organisation: Organisation) -> dict[str, Decimal]:
    return {code: r.rate for code, r in currency_rates(organisation).items()}
