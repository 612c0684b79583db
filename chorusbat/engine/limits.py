"""Every numeric and date limit of chorusbat, in one place (pure Python, no Django).

The engine, the situation file, the forms, the lines import and the database constraints all read their bounds
here, so that what one layer accepts the others can store, compute, render and send. The limits fit:

- the database: money is ``DECIMAL(14, 2)`` (below 10^12), unit prices and quantities ``DECIMAL(13, 4)``,
  indices ``DECIMAL(9, 4)``, the revision coefficient ``DECIMAL(8, 3)`` — on PostgreSQL and on SQLite, where a
  value beyond the column's digits cannot be read back;
- the Chorus Pro / Factur-X formats: amounts below 10^12 with 2 decimals, quantities with at most 6 decimals
  (chorusbat stores 4), unit prices with at most 4;
- the calendar every document can print: dates between 2000-01-01 and 2100-12-31.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

# ----------------------------------------------------------------------------------------------------- money

MONEY_DECIMALS = 2
MONEY_MAX_DIGITS = 14
MAX_AMOUNT = Decimal("999999999999.99")  # every amount, input or result, |x| <= MAX_AMOUNT (< 10^12)

# --------------------------------------------------------------------------------------- prices, quantities

UNIT_PRICE_DECIMALS = 4
UNIT_PRICE_MAX_DIGITS = 13
MAX_UNIT_PRICE = Decimal("999999999.9999")  # < 10^9

QUANTITY_DECIMALS = 4  # what chorusbat stores and its screens take (Chorus Pro allows up to 6)
QUANTITY_FILE_DECIMALS = 6  # what the situation file and the engine take
QUANTITY_MAX_DIGITS = 13
MAX_QUANTITY = Decimal("999999999.9999")  # contract and cumulative quantities, < 10^9

# ---------------------------------------------------------------------------------------- rates, percentages

MAX_PERCENT = Decimal("100")  # forfait progress, VAT rate
VAT_RATE_DECIMALS = 2
MAX_ADVANCE_RATE = Decimal("0.60")  # fractions, as the engine takes them
MAX_RETENTION_RATE = Decimal("0.05")
MAX_FRACTION = Decimal("1")  # advance start/end thresholds, revision fixed/variable parts
RATE_DECIMALS = 4  # advance/retention/revision parts are stored with 4 decimals

# ------------------------------------------------------------------------------------------- price revision

INDEX_DECIMALS = 4
INDEX_MAX_DIGITS = 9
MIN_INDEX = Decimal("0.0001")
MAX_INDEX = Decimal("99999.9999")
COEFFICIENT_DECIMALS = 3
COEFFICIENT_MAX_DIGITS = 8
MAX_COEFFICIENT = Decimal("999.999")  # a revision coefficient beyond this is a typing error

# ---------------------------------------------------------------------------------------------------- dates

MIN_DATE = datetime.date(2000, 1, 1)
MAX_DATE = datetime.date(2100, 12, 31)
MIN_YEAR, MAX_YEAR = MIN_DATE.year, MAX_DATE.year
MAX_DURATION_MONTHS = 240
MIN_DURATION_MONTHS = 1

# ------------------------------------------------------------------------------------------------- helpers


def decimal_places(value: Decimal) -> int:
    """How many decimals ``value`` needs (``12.50`` → 1, ``3`` → 0)."""
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def amount_in_range(value: Decimal) -> bool:
    """An amount (positive or negative) that fits the money columns."""
    return -MAX_AMOUNT <= value <= MAX_AMOUNT


def date_in_range(value: datetime.date) -> bool:
    return MIN_DATE <= value <= MAX_DATE


def french_date(value: datetime.date) -> str:
    return value.strftime("%d/%m/%Y")


def french_decimal(value: Decimal) -> str:
    """``999999999999.99`` → ``999 999 999 999,99`` (for messages; no locale needed)."""
    sign = "-" if value < 0 else ""
    text = format(abs(value), "f")
    whole, _, fraction = text.partition(".")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return sign + " ".join(groups or ["0"]) + ("," + fraction if fraction else "")

# ------------------------------------------------------------------------------------ late-payment interest

LATE_INTEREST_MARGIN = Decimal("8")  # points added to the ECB main refinancing rate (CCP R2192-31)
LATE_PAYMENT_INDEMNITY = Decimal("40.00")  # flat recovery indemnity per late payment, euros (CCP)
INTEREST_DAY_BASIS = 365  # interest = principal × rate × days / 365 (civil year of 365 days, as DGFiP computes)
ECB_RATE_DECIMALS = 2  # ECB rates are published with 2 decimals (4.50 %)
MIN_ECB_RATE = Decimal("-5.00")
MAX_ECB_RATE = Decimal("20.00")

# --------------------------------------------------------------------------------------------- index series

INDEX_SERIES_MAX_LENGTH = 20  # "BT01", "TP10a"…
MAX_INDEX_LAG_MONTHS = 12  # revision: In is the index of the situation's month minus this lag at most
