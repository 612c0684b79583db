"""Tolerant reading of the dates Chorus Pro sends, and the format it expects back.

Chorus Pro responses mix three formats (chorus-pro-api.md §6): ``2026-04-03``, ``2026-04-03 14:05`` and ISO 8601
with milliseconds and an offset, ``2017-02-27T18:26:36.010+01:00``. Times without an offset are French legal
time (the platform runs in Paris), so they are read as Europe/Paris. Empty strings mean "no date".
"""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")

_NAIVE_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S")


def parse_datetime(value: object) -> datetime | None:
    """A timezone-aware datetime from any of the Chorus Pro formats; ``None`` for empty values.

    A bare date is read as midnight in Paris. Raises ``ValueError`` on anything else.
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=PARIS)
    if isinstance(value, date):
        return datetime.combine(value, time(0, 0), tzinfo=PARIS)
    if not isinstance(value, str):
        raise ValueError(f"not a Chorus Pro date: {type(value).__name__}")
    text = value.strip()
    if len(text) == 10:
        return datetime.combine(date.fromisoformat(text), time(0, 0), tzinfo=PARIS)
    for fmt in _NAIVE_FORMATS:
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=PARIS)
        except ValueError:
            pass
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))  # milliseconds, offsets
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=PARIS)


def parse_date(value: object) -> date | None:
    """The calendar date (in Paris) of any Chorus Pro date or date-time; ``None`` for empty values."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    parsed = parse_datetime(value)
    return parsed.astimezone(PARIS).date() if parsed else None


def format_date(value: date) -> str:
    """Dates are sent as ``YYYY-MM-DD`` even where the Swagger says date-time (§6)."""
    if isinstance(value, datetime):
        if value.tzinfo:
            value = value.astimezone(PARIS)
        return value.strftime("%Y-%m-%dT%H:%M:%S")  # period upper bounds such as 2026-04-30T23:59:59
    return value.isoformat()
