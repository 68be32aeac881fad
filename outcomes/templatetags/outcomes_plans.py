"""Amounts in a city's currency, as the reader's locale writes numbers: the ISO code and the
localized number (no symbol table, no conversion)."""

from decimal import Decimal

from django import template
from django.utils.formats import number_format

register = template.Library()

# ISO 4217 minor units of the currencies the portal's cities use.
DECIMALS = {"KRW": 0, "JPY": 0, "VND": 0}


@register.filter
def money(amount, currency: str) -> str:
    """`amount` in `currency`, e.g. "KRW 12,000,000" or "CNY 60.000,00" by locale."""
    if amount is None:
        return ""
    places = DECIMALS.get(currency, 2)
    number = number_format(Decimal(amount), decimal_pos=places, use_l10n=True, force_grouping=True)
    return f"{currency} {number}".strip()


@register.filter
def number(value) -> str:
    """A figure or target, grouped by locale, without trailing zeros after the point."""
    if value is None:
        return ""
    value = Decimal(value)
    places = 0 if value == value.to_integral_value() else 1
    return number_format(value, decimal_pos=places, use_l10n=True, force_grouping=True)
