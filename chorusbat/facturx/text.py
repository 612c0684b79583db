"""Text hygiene and French number formatting shared by the XML and the PDF.

User-entered text (labels, names, addresses) may contain anything. XML 1.0 forbids most control characters
and a broken document is never acceptable, so every text field goes through :func:`clean_text` before it
reaches either document. Escaping of ``<`` and ``&`` is left to lxml (XML); the PDF template receives text as
JSON data that Typst prints as it is (never as markup) — cleaning only removes what cannot be represented at all.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

# C0 controls except tab/newline/carriage return, DEL and the C1 block, lone surrogates and the two
# non-characters XML 1.0 excludes.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_WHITESPACE_RUN = re.compile(r"\s+")

CENT = Decimal("0.01")
NBSP = "\u00a0"


def clean_text(value: object) -> str:
    """Return ``value`` as a single-line string that XML 1.0 and the PDF accept.

    Forbidden characters are removed, any run of whitespace (including newlines and tabs) becomes one space,
    and the result is stripped. Long texts are kept whole: neither EN 16931 nor the CII schema limits a
    line name, and the PDF wraps them.
    """
    text = _FORBIDDEN.sub("", str(value if value is not None else ""))
    return _WHITESPACE_RUN.sub(" ", text).strip()


def xml_amount(value: Decimal) -> str:
    """Format an amount for the XML: plain notation, point separator, exactly 2 decimals, never ``-0.00``."""
    rounded = value.quantize(CENT, rounding=ROUND_HALF_UP)
    return f"{rounded if rounded else abs(rounded):f}"


def xml_rate(rate: Decimal) -> str:
    """Format a VAT rate for the XML with 2 decimals (``20.00``, ``5.50``), a form every rule accepts."""
    return f"{rate.quantize(CENT, rounding=ROUND_HALF_UP):f}"


def xml_date(value: date) -> str:
    """Format a date as UN/CEFACT format 102 (``YYYYMMDD``)."""
    return value.strftime("%Y%m%d")


def _group_thousands(digits: str) -> str:
    groups = []
    while len(digits) > 3:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    groups.insert(0, digits)
    return NBSP.join(groups)


def fr_number(value: Decimal, places: int | None = 2) -> str:
    """Format a number the French way: ``1 234,56`` (no-break space between thousands, comma decimals).

    ``places=None`` keeps the value's own decimals (percentages and quantities are exact, never rounded).
    """
    if places is not None:
        value = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if not value:
        value = abs(value)  # no "-0,00"
    text = f"{value:f}"
    sign = ""
    if text.startswith("-"):
        sign, text = "-", text[1:]
    whole, _, fraction = text.partition(".")
    if places is None and fraction:
        fraction = fraction.rstrip("0")
    result = sign + _group_thousands(whole)
    return f"{result},{fraction}" if fraction else result


def fr_money(value: Decimal) -> str:
    """Format an amount in euros the French way: ``1 234,56 €``."""
    return f"{fr_number(value)}{NBSP}€"


def fr_date(value: date) -> str:
    """Format a date as ``30/09/2026``."""
    return value.strftime("%d/%m/%Y")
