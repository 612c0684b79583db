"""The end-of-contract clocks (pure, no database): due dates, states, reminders."""

from __future__ import annotations

import datetime as dt

from chorusbat.contracts.deadlines import (
    DONE,
    OPEN,
    OVERDUE,
    WAITING,
    ClosingDates,
    add_months,
    deemed_accepted,
    reminders_due,
    tacit_procedure_open,
    timeline,
)


def by_key(dates, today):
    return {d.key: d for d in timeline(dates, today)}


def test_nothing_known_everything_waits():
    clocks = by_key(ClosingDates(), dt.date(2026, 12, 1))
    assert [c.state for c in clocks.values()] == [WAITING] * 4
    assert all(c.due is None for c in clocks.values())


def test_the_worked_example_of_the_docs():
    # Réception 3 July 2026; final statement sent 15 July; DG notified 10 August; 12-month guarantee.
    dates = ClosingDates(reception=dt.date(2026, 7, 3), final_sent=dt.date(2026, 7, 15),
                         dg_notified=dt.date(2026, 8, 10))
    clocks = by_key(dates, dt.date(2026, 8, 12))
    assert clocks["final_statement"] == clocks["final_statement"].__class__(
        "final_statement", dt.date(2026, 8, 2), DONE, dt.date(2026, 7, 15))
    assert (clocks["general_statement"].due, clocks["general_statement"].state) == (dt.date(2026, 8, 14), DONE)
    answer = clocks["answer"]
    assert (answer.due, answer.state, answer.days_left) == (dt.date(2026, 9, 9), OPEN, 28)
    release = clocks["release"]  # 3 July 2027 + 30 days
    assert (release.due, release.state) == (dt.date(2027, 8, 2), OPEN)


def test_open_until_the_due_day_included_then_overdue():
    dates = ClosingDates(reception=dt.date(2026, 7, 3))
    assert by_key(dates, dt.date(2026, 8, 2))["final_statement"].state == OPEN
    assert by_key(dates, dt.date(2026, 8, 2))["final_statement"].days_left == 0
    late = by_key(dates, dt.date(2026, 8, 3))["final_statement"]
    assert (late.state, late.days_left) == (OVERDUE, -1)


def test_no_dg_within_30_days_opens_the_tacit_procedure():
    dates = ClosingDates(reception=dt.date(2026, 7, 3), final_sent=dt.date(2026, 7, 15))
    assert not tacit_procedure_open(dates, dt.date(2026, 8, 14))
    assert tacit_procedure_open(dates, dt.date(2026, 8, 15))
    # A DGD recorded by hand (the company's draft became the DGD) closes the DG clock.
    settled = ClosingDates(reception=dt.date(2026, 7, 3), final_sent=dt.date(2026, 7, 15), dgd=dt.date(2026, 9, 1))
    clocks = by_key(settled, dt.date(2026, 9, 2))
    assert clocks["general_statement"].state == DONE and clocks["answer"].state == DONE


def test_silence_on_the_dg_means_deemed_accepted():
    dates = ClosingDates(reception=dt.date(2026, 7, 3), final_sent=dt.date(2026, 7, 15),
                         dg_notified=dt.date(2026, 8, 10))
    assert not deemed_accepted(dates, dt.date(2026, 9, 9))
    assert deemed_accepted(dates, dt.date(2026, 9, 10))
    answered = ClosingDates(reception=dt.date(2026, 7, 3), dg_notified=dt.date(2026, 8, 10),
                            answered=dt.date(2026, 9, 1))
    assert not deemed_accepted(answered, dt.date(2026, 12, 1))


def test_guarantee_period_months_end_of_month_and_zero():
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2027, 12, 15), 14) == dt.date(2029, 2, 15)
    assert add_months(dt.date(2028, 2, 29), 12) == dt.date(2029, 2, 28)
    leap = ClosingDates(reception=dt.date(2027, 2, 28), guarantee_months=12)
    assert by_key(leap, dt.date(2027, 3, 1))["release"].due == dt.date(2028, 3, 29)
    none = ClosingDates(reception=dt.date(2026, 7, 3), guarantee_months=0)
    assert by_key(none, dt.date(2026, 7, 3))["release"].due == dt.date(2026, 8, 2)
    released = ClosingDates(reception=dt.date(2026, 7, 3), released=dt.date(2027, 8, 1))
    assert by_key(released, dt.date(2027, 9, 1))["release"].state == DONE


def test_reminders_seven_days_and_one_day_before():
    dates = ClosingDates(reception=dt.date(2026, 7, 3))  # final statement due 2 August
    seen = {day: reminders_due(by_key(dates, dt.date(2026, 7, day) if day <= 31 else dt.date(2026, 8, day - 31))
                               ["final_statement"]) for day in range(20, 35)}
    assert seen[25] == [] and seen[26] == [7] and seen[31] == [7]  # 26 July: 7 days before
    assert seen[32] == [1] and seen[33] == [1]  # 1 August (eve) and 2 August (the day)
    assert seen[34] == []  # overdue: no reminder
    assert reminders_due(by_key(ClosingDates(), dt.date(2026, 7, 1))["final_statement"]) == []
