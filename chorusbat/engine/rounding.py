"""The three roundings of ``situation-rules.md`` and nothing else.

- ``round2``: money to 0.01 half-up (``ROUND_HALF_UP``: halves go away from zero, -0.005 → -0.01).
- ``ceil_thousandth``: revision index and coefficient rounded up (towards +∞) to 0.001.
- ``round2_fraction``: ``round2`` applied to an exact ``Fraction`` (the advance-recovery ratio is a division,
  kept exact so that the only rounding is the one the rules name).

Intermediate products and sums are exact: the engine runs them in a wide ``decimal`` context
(``EXACT_PRECISION``) and the validator bounds the size of every input number so they always fit.
"""

from __future__ import annotations

import math
from decimal import ROUND_CEILING, ROUND_HALF_UP, Context, Decimal
from fractions import Fraction

# Inputs have at most MAX_INTEGER_DIGITS + MAX_FRACTION_DIGITS digits (checked by the validator), so every
# product of two inputs has fewer than 60 digits: 100 digits of precision make all arithmetic exact.
EXACT_PRECISION = 100
MAX_INTEGER_DIGITS = 15
MAX_FRACTION_DIGITS = 12

_WIDE = Context(prec=EXACT_PRECISION)
_QUANTA = {places: Decimal(1).scaleb(-places) for places in range(MAX_FRACTION_DIGITS + 1)}  # 1, 0.1, 0.01…

CENT = Decimal("0.01")
THOUSANDTH = Decimal("0.001")
MONEY_ZERO = Decimal("0.00")


def round2(value: Decimal) -> Decimal:
    """Round money to 0.01 half-up; never returns a negative zero."""
    rounded = value.quantize(CENT, rounding=ROUND_HALF_UP)
    return rounded if rounded else MONEY_ZERO


def round2_fraction(value: Fraction) -> Decimal:
    """``round2`` of an exact fraction, with the same half-up (away from zero) rule."""
    hundredths = abs(value) * 100
    units = math.floor(hundredths + Fraction(1, 2))
    if value < 0:
        units = -units
    return round2(Decimal(units).scaleb(-2))


def ceil_thousandth(value: Decimal | Fraction) -> Decimal:
    """Round up (towards +∞) to 0.001; a multiple of 0.001 stays as it is."""
    if isinstance(value, Fraction):
        return Decimal(math.ceil(value * 1000)).scaleb(-3)
    return value.quantize(THOUSANDTH, rounding=ROUND_CEILING)


def money(value: Decimal) -> Decimal:
    """An amount that is already exact to the cent, written with exactly 2 decimals (``5`` → ``5.00``)."""
    return round2(value)


def has_at_most_decimals(value: Decimal, places: int) -> bool:
    """True when ``value`` needs no more than ``places`` decimals (``12.50`` has at most 1; ``3`` has 0)."""
    return value == value.quantize(_QUANTA[places], context=_WIDE)


def within_bounds(value: Decimal) -> bool:
    """At most ``MAX_INTEGER_DIGITS`` digits before the point and ``MAX_FRACTION_DIGITS`` after it."""
    return not (value and value.adjusted() >= MAX_INTEGER_DIGITS) and has_at_most_decimals(value, MAX_FRACTION_DIGITS)
