"""The deadlines of the end of a works contract (CCAG-Travaux 2021 art. 12.3, 12.4, 44.1, 55.1; CCP R2191-35).

Pure Python (no Django, no app): from the dates the company knows — the réception decision, the sending of the
projet de décompte final, the notification of the décompte général (DG), its answer, the release of the retention
— :func:`timeline` gives the four clocks of ``docs/end-of-contract.md``, each with its due date and state:

- ``final_statement``: the projet de décompte final is due 30 days after the réception (12.3.2);
- ``general_statement``: the buyer notifies the DG within 30 days of receiving the final statement (12.4.2); past
  it without a DG, the tacit procedure is open (12.4.4: the company may notify a projet de DG, the buyer then
  has 10 days, or the company's draft becomes the DGD);
- ``answer``: the company answers the DG (signed, or with reserves and a mémoire en réclamation) within 30 days of
  its notification (12.4.3, 55.1); silence means the DG is deemed accepted;
- ``release``: the retention (or the first-demand guarantee) is released 30 days after the end of the guarantee
  period (réception + the guarantee period, 12 months by default, 44.1; CCP R2191-35).

A clock whose starting date is not known yet is ``waiting`` (no due date); one whose act is recorded is ``done``;
otherwise ``open`` until its due date (included) and ``overdue`` after it.
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass

FINAL_STATEMENT_DAYS = 30  # 12.3.2: from the notification of the réception decision
GENERAL_STATEMENT_DAYS = 30  # 12.4.2: from the receipt of the projet de décompte final
TACIT_ANSWER_DAYS = 10  # 12.4.4: the buyer's time to notify a DG after the company's projet de DG
ANSWER_DAYS = 30  # 12.4.3 and 55.1: the company's answer to the DG
RELEASE_DAYS = 30  # CCP R2191-35: after the end of the guarantee period
DEFAULT_GUARANTEE_MONTHS = 12  # CCAG-Travaux 44.1
MIN_GUARANTEE_MONTHS = 0
MAX_GUARANTEE_MONTHS = 60
REMINDER_DAYS = (7, 1)  # e-mails this many days before an open deadline

WAITING, OPEN, OVERDUE, DONE = "waiting", "open", "overdue", "done"
KEYS = ("final_statement", "general_statement", "answer", "release")


@dataclass(frozen=True)
class Deadline:
    key: str  # one of KEYS
    due: datetime.date | None  # None while the clock has not started
    state: str  # WAITING, OPEN, OVERDUE or DONE
    done_on: datetime.date | None = None
    days_left: int | None = None  # due − today for an open or overdue clock (negative when overdue)

    @property
    def is_open(self) -> bool:
        return self.state == OPEN

    @property
    def days_late(self) -> int:
        return -self.days_left if self.state == OVERDUE and self.days_left is not None else 0


@dataclass(frozen=True)
class ClosingDates:
    reception: datetime.date | None = None  # the réception decision (its notification)
    final_sent: datetime.date | None = None  # the projet de décompte final sent (deposited in Chorus Pro)
    dg_notified: datetime.date | None = None  # the décompte général notified by the buyer
    answered: datetime.date | None = None  # the company's answer to the DG (signed or with reserves)
    dgd: datetime.date | None = None  # the décompte général et définitif
    released: datetime.date | None = None  # the retention received (or the guarantee's mainlevée)
    guarantee_months: int = DEFAULT_GUARANTEE_MONTHS


def add_months(day: datetime.date, months: int) -> datetime.date:
    """``day`` plus ``months`` calendar months, on the same day or the month's last (31/01 + 1 → 28/02)."""
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def plus_days(day: datetime.date | None, days: int) -> datetime.date | None:
    return None if day is None else day + datetime.timedelta(days=days)


def guarantee_end(reception: datetime.date | None, months: int) -> datetime.date | None:
    return None if reception is None else add_months(reception, months)


def _clock(key: str, due: datetime.date | None, done_on: datetime.date | None, today: datetime.date) -> Deadline:
    if done_on is not None:
        return Deadline(key, due, DONE, done_on)
    if due is None:
        return Deadline(key, None, WAITING)
    left = (due - today).days
    return Deadline(key, due, OPEN if left >= 0 else OVERDUE, None, left)


def timeline(dates: ClosingDates, today: datetime.date) -> list[Deadline]:
    """The four clocks, in the order of the contract's end."""
    release_due = plus_days(guarantee_end(dates.reception, dates.guarantee_months), RELEASE_DAYS)
    # A DG answered or a DGD recorded (tacit procedure, settlement) closes the earlier clocks too.
    dg_done = dates.dg_notified or dates.dgd
    answer_done = dates.answered or (dates.dgd if dates.dg_notified is None else None)
    return [
        _clock("final_statement", plus_days(dates.reception, FINAL_STATEMENT_DAYS), dates.final_sent, today),
        _clock("general_statement", plus_days(dates.final_sent, GENERAL_STATEMENT_DAYS), dg_done, today),
        _clock("answer", plus_days(dates.dg_notified, ANSWER_DAYS), answer_done, today),
        _clock("release", release_due, dates.released, today),
    ]


def tacit_procedure_open(dates: ClosingDates, today: datetime.date) -> bool:
    """No DG notified within 30 days of the final statement: the company may notify its projet de DG (12.4.4)."""
    general = timeline(dates, today)[1]
    return general.state == OVERDUE


def deemed_accepted(dates: ClosingDates, today: datetime.date) -> bool:
    """The DG was not answered within 30 days: it is deemed accepted (12.4.3)."""
    return timeline(dates, today)[2].state == OVERDUE


def reminders_due(deadline: Deadline) -> list[int]:
    """Which reminders (days before) an open deadline calls for today: the 7-day one from 7 days before (once the
    deadline is closer than 7 days it is sent late rather than never, unless the 1-day one is due), the 1-day one
    on the eve and on the day itself."""
    if deadline.state != OPEN or deadline.days_left is None:
        return []
    if deadline.days_left <= 1:
        return [1]
    if deadline.days_left <= 7:
        return [7]
    return []
