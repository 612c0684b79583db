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
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from fractions import Fraction

# Inputs have at most MAX_INTEGER_DIGITS + MAX_FRACTION_DIGITS digits (checked by the validator), so every
# product of two inputs has fewer than 60 digits: 100 digits of precision make all arithmetic exact.
EXACT_PRECISION = 100
MAX_INTEGER_DIGITS = 15
MAX_FRACTION_DIGITS = 12

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


def fraction_digits(value: Decimal) -> int:
    """Number of significant decimals of ``value`` (``12.50`` → 1, ``3`` → 0)."""
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def integer_digits(value: Decimal) -> int:
    """Number of digits before the decimal point (``0.5`` → 0, ``120`` → 3)."""
    return max(0, value.adjusted() + 1) if value else 0
