"""``{{ amount|money:currency }}``: EUR 250,000, the one display of an amount (core.money)."""

from django import template

from procurement.core.money import money_format

register = template.Library()


@register.filter(name="money")
def money_filter(amount, currency: str = "") -> str:
    try:
        return money_format(amount, currency or "")
    except (ArithmeticError, ValueError, TypeError):
        return "—"
