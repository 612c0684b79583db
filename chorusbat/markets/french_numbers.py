"""Reading decimal numbers the way French users type them, and a form field built on it.

Accepted: ``12,5`` and ``12.5``, a sign, spaces (also non-breaking) as thousands separators (``1 234,56``).
Refused: letters, ``NaN``, ``inf``, exponents (``1e309``), both a comma and a dot, anything else. The result is
always an exact, finite ``Decimal``. Used by every money, quantity and percentage field of markets and
situations, and by the lines import.
"""

from __future__ import annotations

import re
from decimal import Decimal

from django import forms
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

_THOUSANDS = re.compile(r"[\s\u00a0\u202f]")
_DECIMAL = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")


def parse_decimal(text: str, *, symbols: str = "") -> Decimal:
    """Parse ``text`` into a Decimal, or raise ``ValueError``. ``symbols`` lists characters to ignore (``€%``)."""
    cleaned = _THOUSANDS.sub("", str(text))
    for symbol in symbols:
        cleaned = cleaned.replace(symbol, "")
    if not _DECIMAL.match(cleaned):
        raise ValueError(text)
    return Decimal(cleaned.replace(",", "."))


def decimal_places(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def format_decimal(value) -> str:
    """``Decimal('12.5000')`` → ``'12,5'`` (French, no trailing zeros, no exponent)."""
    if value is None or value == "":
        return ""
    value = Decimal(value)
    places = decimal_places(value)
    return number_format(value, decimal_pos=places, use_l10n=True)


class FrenchDecimalField(forms.DecimalField):
    """A DecimalField that takes ``12,5`` as 12.5 and refuses anything that is not a plain decimal number."""

    widget = forms.TextInput

    default_error_messages = {
        "invalid": _("Enter a number, for example 12,5."),
    }

    def __init__(self, *, max_digits=14, decimal_places=4, **kwargs):
        super().__init__(max_digits=max_digits, decimal_places=decimal_places, **kwargs)

    def widget_attrs(self, widget):
        # No HTML min/max/step: the browser must let French decimal commas through.
        return {"inputmode": "decimal", "autocomplete": "off"}

    def to_python(self, value):
        if value in self.empty_values or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, Decimal):
            return value
        try:
            return parse_decimal(value)
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            return format_decimal(value)
        return value
