"""Late-payment interest: the worked examples of docs/late-payment-interest.md, and properties."""

from __future__ import annotations

import datetime
from decimal import Decimal as D

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from chorusbat.engine import limits
from chorusbat.engine.late_interest import (
    MissingRate,
    exact_interest,
    half_year_start,
    interest,
    late_payment,
    moratorium_rate,
    round_cents,
)

# The ECB main refinancing rate on the first day of each half-year (the shipped table, docs/ecb-rates.md).
ECB = {
    datetime.date(2023, 1, 1): D("2.50"), datetime.date(2023, 7, 1): D("4.00"),
    datetime.date(2024, 1, 1): D("4.50"), datetime.date(2024, 7, 1): D("4.25"),
    datetime.date(2025, 1, 1): D("3.15"), datetime.date(2025, 7, 1): D("2.15"),
}
d = datetime.date


@pytest.mark.parametrize("principal, due, paid, days, rate, amount", [
    # Example 1: 30 days in the first half of 2025 (ECB 3.15 % + 8 = 11.15 %).
    (D("10000.00"), d(2025, 3, 31), d(2025, 4, 30), 30, D("11.15"), D("91.64")),
    # Example 2: the delay crosses 1 July 2023; the rate stays the one of the half-year the interest began in.
    (D("24000.00"), d(2023, 6, 15), d(2023, 7, 25), 40, D("10.50"), D("276.16")),
    # Example 3: due on 30 June: the interest begins on 1 July, so the second half-year's rate applies.
    (D("5000.00"), d(2024, 6, 30), d(2024, 7, 10), 10, D("12.25"), D("16.78")),
    # Example 5: an exact half cent (0.105) is rounded up.
    (D("365.00"), d(2023, 1, 10), d(2023, 1, 11), 1, D("10.50"), D("0.11")),
])
def test_worked_examples(principal, due, paid, days, rate, amount):
    result = late_payment(principal, due, paid, ECB)
    assert (result.days_late, result.rate, result.interest) == (days, rate, amount)
    assert result.indemnity == D("40.00") and result.total == amount + D("40.00")
    assert result.is_late


def test_paid_on_time_or_early_owes_nothing():  # Example 4
    for paid in (d(2025, 5, 31), d(2025, 5, 2)):
        result = late_payment(D("8000.00"), d(2025, 5, 31), paid, {})  # no rate needed
        assert (result.days_late, result.interest, result.indemnity, result.rate) == (0, D("0.00"), D("0.00"), None)
        assert not result.is_late


def test_credit_note_owes_nothing():
    result = late_payment(D("-120.00"), d(2025, 5, 31), d(2025, 7, 31), ECB)
    assert result.total == D("0.00") and not result.is_late


def test_missing_rate_is_a_clear_error():
    with pytest.raises(MissingRate) as error:
        late_payment(D("100.00"), d(2022, 12, 31), d(2023, 1, 20), {datetime.date(2022, 7, 1): D("0")})
    assert "01/01/2023" in str(error.value)


def test_json_has_exact_strings():
    data = late_payment(D("10000.00"), d(2025, 3, 31), d(2025, 4, 30), ECB).as_json()
    assert data == {"principal": "10000.00", "due_date": "2025-03-31", "paid_on": "2025-04-30", "days_late": 30,
                    "ecb_rate": "3.15", "rate": "11.15", "interest": "91.64", "indemnity": "40.00",
                    "total": "131.64"}


def test_half_year_and_rounding_helpers():
    assert half_year_start(d(2026, 6, 30)) == d(2026, 1, 1) and half_year_start(d(2026, 7, 1)) == d(2026, 7, 1)
    assert moratorium_rate(ECB, d(2025, 7, 1)) == D("10.15")
    assert round_cents(exact_interest(D("1"), D("0.5"), 365)) == D("0.01")  # 0.005 → 0.01
    assert round_cents(exact_interest(D("1"), D("0.4"), 365)) == D("0.00")  # 0.004 → 0.00


money = st.decimals(min_value=D("0.01"), max_value=limits.MAX_AMOUNT, places=2)
ecb_rates = st.decimals(min_value=D("0"), max_value=D("10"), places=2)
dates = st.dates(min_value=d(2019, 1, 1), max_value=d(2030, 12, 31))


def table(first: D, second: D) -> dict:
    rates = {}
    for year in range(2019, 2032):
        rates[d(year, 1, 1)], rates[d(year, 7, 1)] = first, second
    return rates


@settings(max_examples=200, deadline=None)
@given(money, dates, st.integers(0, 800), st.integers(0, 800), ecb_rates, ecb_rates)
def test_interest_grows_with_days_late(principal, due, days1, days2, first, second):
    rates = table(first, second)
    early = late_payment(principal, due, due + datetime.timedelta(days=min(days1, days2)), rates)
    late = late_payment(principal, due, due + datetime.timedelta(days=max(days1, days2)), rates)
    assert late.interest >= early.interest and late.total >= early.total
    assert late.days_late >= early.days_late


@settings(max_examples=200, deadline=None)
@given(money, dates, st.integers(0, 400), ecb_rates)
def test_zero_when_paid_on_time(principal, due, early_days, rate):
    result = late_payment(principal, due, due - datetime.timedelta(days=early_days), table(rate, rate))
    assert result.interest == result.indemnity == result.total == D("0.00")


@settings(max_examples=300, deadline=None)
@given(money, st.integers(2019, 2029), st.integers(2, 181), st.integers(1, 400), ecb_rates, ecb_rates)
def test_additive_across_a_rate_change_at_a_half_year_boundary(principal, year, before, after, first, second):
    """Cut a delay at the 1 July where the ECB rate changes: the part before plus the part after (both at the
    rate of the half-year the interest began in) is the whole interest, exactly before rounding and within a
    cent after it."""
    assume(first != second)
    boundary = d(year, 7, 1)
    due = boundary - datetime.timedelta(days=before)  # interest begins on due + 1, in the first half-year
    paid = boundary + datetime.timedelta(days=after - 1)
    rates = table(first, second)
    whole = late_payment(principal, due, paid, rates)
    assert whole.rate == first + limits.LATE_INTEREST_MARGIN
    head = late_payment(principal, due, boundary - datetime.timedelta(days=1), rates)
    tail_days = (paid - boundary).days + 1
    assert head.days_late + tail_days == whole.days_late
    exact_head = exact_interest(principal, head.rate, head.days_late) if head.days_late else 0
    assert exact_head + exact_interest(principal, whole.rate, tail_days) == exact_interest(
        principal, whole.rate, whole.days_late)
    split = head.interest + interest(principal, whole.rate, tail_days)
    assert abs(split - whole.interest) <= D("0.01")
