"""Display filters for amounts and quantities: formatting only, never arithmetic."""

from django import template
from django.utils.formats import number_format

from chorusbat.markets.french_numbers import format_decimal

register = template.Library()


@register.filter
def money(value):
    """``Decimal('13458.9')`` → ``13 458,90`` (French grouping, 2 decimals); empty stays empty."""
    if value is None or value == "":
        return ""
    return number_format(value, decimal_pos=2, use_l10n=True, force_grouping=True)


@register.filter
def num(value):
    """A quantity, percentage or rate without trailing zeros: ``Decimal('12.5000')`` → ``12,5``."""
    return format_decimal(value)
