"""Invoice identifiers of situations: format, suggestion and the company's sequence rule.

An identifier has at most 20 characters among letters, digits and ``- _ / .``. Its *series* is everything before
its trailing digits and its *counter* those digits: ``F2026-0107`` is counter 107 of series ``F2026-``.

The rule (one sequence per series, per company, drafts included):

* an identifier is used once in the company;
* chronological: within a series, a higher counter never carries an earlier invoice date than a lower one;
* no gaps: once a series has identifiers in chorusbat, a new one is at most the highest counter + 1. The first
  identifier of a series is free, so a company continues the numbering it had before chorusbat
  (e.g. starts at ``F2026-0093``), and a new year starts a new series (``F2027-0001``).

The suggestion is the next counter of the series of the company's latest situation, moved to a new series when
that series carries the year and the invoice date is in another year. Deleting a draft can free a counter below the
highest; it may be reused as long as the dates stay chronological.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.translation import gettext as _

ALLOWED = re.compile(r"^[A-Za-z0-9\-_/.]+$")
MAX_LENGTH = 20
_SERIES = re.compile(r"^(?P<prefix>.*?)(?P<counter>\d+)$")
_YEAR = re.compile(r"(19|20)\d\d")


@dataclass(frozen=True)
class Numbered:
    number: str
    date: datetime.date


def split(number: str) -> tuple[str, int, int] | None:
    """``'F2026-0107'`` → ``('F2026-', 107, 4)`` (series, counter, width); ``None`` without trailing digits."""
    match = _SERIES.match(number)
    if not match:
        return None
    return match["prefix"], int(match["counter"]), len(match["counter"])


def format_errors(number: str) -> list[str]:
    if len(number) > MAX_LENGTH:
        return [_("An invoice identifier has at most 20 characters (%(count)d typed).") % {"count": len(number)}]
    if not ALLOWED.match(number):
        return [_("An invoice identifier may only contain letters, digits and the characters - _ / . "
                  "(no spaces, no accents).")]
    return []


def suggest(existing: list[Numbered], date: datetime.date) -> str:
    """The next identifier for an invoice dated ``date``, given the company's identifiers in creation order."""
    latest = next((n for n in reversed(existing) if split(n.number)), None)
    if latest is None:
        return f"F{date.year}-0001"
    prefix, _counter, width = split(latest.number)
    year = _YEAR.search(prefix)
    if year and year.group() == str(latest.date.year) and date.year != latest.date.year:
        prefix = prefix[: year.start()] + str(date.year) + prefix[year.end():]
    counters = [c for p, c, _w in (split(n.number) or ("", -1, 0) for n in existing) if p == prefix]
    following = max(counters, default=0) + 1
    return f"{prefix}{following:0{width}d}"


def sequence_errors(existing: list[Numbered], number: str, date: datetime.date) -> list[str]:
    """Why ``number`` dated ``date`` would break the company's sequence (``existing`` excludes the situation)."""
    if any(n.number == number for n in existing):
        return [_("The invoice identifier %(number)s is already used in your company.") % {"number": number}]
    parts = split(number)
    if parts is None:
        return []
    prefix, counter, width = parts
    same_series = [(split(n.number)[1], n) for n in existing if split(n.number) and split(n.number)[0] == prefix]
    for other_counter, other in same_series:
        if (other_counter < counter and other.date > date) or (other_counter > counter and other.date < date):
            return [_("The numbering must follow the invoice dates: %(other)s is dated %(other_date)s, so "
                      "%(number)s cannot be dated %(date)s.")
                    % {"other": other.number, "other_date": date_format(other.date, "SHORT_DATE_FORMAT"),
                       "number": number, "date": date_format(date, "SHORT_DATE_FORMAT")}]
    highest = max((c for c, _n in same_series), default=None)
    if highest is not None and counter > highest + 1:
        following = f"{prefix}{highest + 1:0{width}d}"
        return [_("The next identifier of this series is %(next)s: %(number)s would leave a gap in the "
                  "numbering.") % {"next": following, "number": number}]
    return []
