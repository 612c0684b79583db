"""Display filters for amounts and quantities: formatting only, never arithmetic."""

from decimal import Decimal, InvalidOperation

from django import template
from django.utils.formats import number_format

from chorusbat.markets.french_numbers import decimal_places, format_decimal

register = template.Library()


@register.filter
def money(value):
    """``Decimal('13458.9')`` → ``13 458,90`` (French grouping, 2 decimals); empty stays empty."""
    if value is None or value == "":
        return ""
    return number_format(value, decimal_pos=2, use_l10n=True, force_grouping=True)


@register.filter
def num(value):
    """A quantity, percentage or rate without trailing zeros: ``Decimal('12.5000')`` → ``12,5``.

    Text that is not a number (a wrong cell of an imported file) is shown as it was typed.
    """
    try:
        return format_decimal(value)
    except (InvalidOperation, ValueError, TypeError):
        return value


@register.filter
def price(value):
    """A unit price: at least 2 decimals, up to the 4 it may carry (``12000`` → ``12 000,00``, ``16.6667``)."""
    if value is None or value == "":
        return ""
    places = max(2, decimal_places(Decimal(value)))
    return number_format(value, decimal_pos=places, use_l10n=True, force_grouping=True)


@register.filter
def percent(value):
    """A rate stored as a fraction, shown as a percentage: ``Decimal('0.05')`` → ``5 %``."""
    if value is None or value == "":
        return ""
    return f"{format_decimal(Decimal(value).scaleb(2))}\u00a0%"
