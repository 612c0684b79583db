"""Late-payment (moratorium) interest of a public works invoice (pure Python, no Django).

The rule (CCP R2192-31 and following, works-billing-background.md §3; worked examples in
docs/late-payment-interest.md):

- the invoice is late when it is paid after its due date; ``days_late = payment date − due date`` (interest runs
  from the day after the due date up to and including the payment date, « mise en paiement »);
- the annual rate is the ECB main refinancing rate in force on the first day of the half-year (1 January or
  1 July) **in which the interest began to run** (the day after the due date), plus 8 points. That one rate
  applies to the whole delay, even when the delay crosses a half-year boundary where the ECB rate changed;
- ``interest = principal × rate / 100 × days_late / 365``, computed exactly (fractions) and rounded once, to the
  cent, half-up (``round2``);
- a flat recovery indemnity of 40 € is owed for each late invoice, whatever the delay;
- nothing is owed on an invoice paid on time, or whose amount to pay is zero or negative (a credit note).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from chorusbat.engine import limits

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


class MissingRate(LookupError):
    """No ECB rate is known for the half-year the interest began in."""

    def __init__(self, half_year: datetime.date):
        self.half_year = half_year
        super().__init__(f"Taux BCE inconnu pour le semestre commençant le {limits.french_date(half_year)}.")


def half_year_start(day: datetime.date) -> datetime.date:
    """1 January or 1 July of ``day``'s half-year."""
    return datetime.date(day.year, 1 if day.month <= 6 else 7, 1)


def round_cents(value: Fraction) -> Decimal:
    """An exact amount rounded to 0.01, half-up (away from zero on a tie), as situation-rules.md §1."""
    sign = -1 if value < 0 else 1
    cents = abs(value) * 100
    whole, rest = divmod(cents.numerator, cents.denominator)
    if 2 * rest >= cents.denominator:
        whole += 1
    return (Decimal(sign * whole) / 100).quantize(CENT)


def exact_interest(principal: Decimal, annual_rate: Decimal, days: int) -> Fraction:
    """``principal × annual_rate % × days / 365``, unrounded."""
    if days <= 0 or principal <= 0:
        return Fraction(0)
    return Fraction(principal) * Fraction(annual_rate) / 100 * days / limits.INTEREST_DAY_BASIS


def interest(principal: Decimal, annual_rate: Decimal, days: int) -> Decimal:
    """The interest of ``days`` days at ``annual_rate`` percent a year, to the cent."""
    return round_cents(exact_interest(principal, annual_rate, days))


def moratorium_rate(ecb_rates: Mapping[datetime.date, Decimal], interest_start: datetime.date) -> Decimal:
    """ECB rate on the first day of ``interest_start``'s half-year + 8 points.

    ``ecb_rates`` maps the first day of each half-year (1 January, 1 July) to the ECB main refinancing rate in
    force that day, in percent."""
    start = half_year_start(interest_start)
    if start not in ecb_rates:
        raise MissingRate(start)
    return Decimal(ecb_rates[start]) + limits.LATE_INTEREST_MARGIN


@dataclass(frozen=True)
class LatePayment:
    principal: Decimal
    due_date: datetime.date
    paid_on: datetime.date
    days_late: int
    ecb_rate: Decimal | None  # None when not late (no rate needed)
    rate: Decimal | None  # annual rate applied, ECB + 8
    interest: Decimal
    indemnity: Decimal

    @property
    def is_late(self) -> bool:
        return self.days_late > 0 and self.principal > 0

    @property
    def total(self) -> Decimal:
        return self.interest + self.indemnity

    def as_json(self) -> dict:
        return {
            "principal": f"{self.principal:.2f}", "due_date": self.due_date.isoformat(),
            "paid_on": self.paid_on.isoformat(), "days_late": self.days_late,
            "ecb_rate": None if self.ecb_rate is None else f"{self.ecb_rate:.2f}",
            "rate": None if self.rate is None else f"{self.rate:.2f}",
            "interest": f"{self.interest:.2f}", "indemnity": f"{self.indemnity:.2f}", "total": f"{self.total:.2f}",
        }


def late_payment(principal: Decimal, due_date: datetime.date, paid_on: datetime.date,
                 ecb_rates: Mapping[datetime.date, Decimal]) -> LatePayment:
    """What the buyer owes for paying ``principal`` on ``paid_on`` when it was due on ``due_date``.

    Raises :class:`MissingRate` when the invoice is late and the ECB rate of its half-year is unknown."""
    days = (paid_on - due_date).days
    if days <= 0 or principal <= 0:
        return LatePayment(principal, due_date, paid_on, max(days, 0), None, None, ZERO, ZERO)
    interest_start = due_date + datetime.timedelta(days=1)
    rate = moratorium_rate(ecb_rates, interest_start)
    return LatePayment(principal, due_date, paid_on, days, rate - limits.LATE_INTEREST_MARGIN, rate,
                       interest(principal, rate, days), limits.LATE_PAYMENT_INDEMNITY)
