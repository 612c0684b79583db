"""French display of periods, dates, identifiers and quantities (formatting only, never arithmetic)."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from chorusbat.chorus.messages import WORDING_MESSAGES, fold

MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
          "novembre", "décembre")
# Short month names that cannot be mistaken for one another (« juin » / « juil. »).
SHORT_MONTHS = ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc.")
UNITS = {"m2": "m²", "m3": "m³", "ml": "ml", "u": "u", "ens": "ens.", "h": "h", "kg": "kg", "t": "t", "j": "j"}
NBSP = "\u00a0"
NNBSP = "\u202f"


def month_year(value: datetime.date | str | None) -> str:
    """``2026-11`` or a date → « novembre 2026 »."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        year, _sep, month = value.partition("-")
        if not (year.isdigit() and month[:2].isdigit() and 1 <= int(month[:2]) <= 12):
            return value
        return f"{MONTHS[int(month[:2]) - 1]} {year}"
    return f"{MONTHS[value.month - 1]} {value.year}"


def short_month(value: datetime.date) -> str:
    """« juin 26 », « juil. 26 »: unambiguous month labels for a chart axis."""
    return f"{SHORT_MONTHS[value.month - 1]} {value:%y}"


def day_month_year(value: datetime.date | datetime.datetime | None) -> str:
    """« 1er décembre 2026 », « 2 décembre 2026 »."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        from django.utils import timezone

        value = timezone.localtime(value)
    day = "1er" if value.day == 1 else str(value.day)
    return f"{day} {MONTHS[value.month - 1]} {value.year}"


def siret(value: str | None) -> str:
    """« 73282932000074 » → « 732 829 320 00074 » (SIREN by threes, then the NIC)."""
    digits = (value or "").replace(" ", "")
    if len(digits) != 14 or not digits.isdigit():
        return value or ""
    return f"{digits[0:3]} {digits[3:6]} {digits[6:9]} {digits[9:]}"


def iban(value: str | None) -> str:
    """An IBAN in blocks of four characters."""
    compact = (value or "").replace(" ", "").upper()
    return " ".join(compact[i:i + 4] for i in range(0, len(compact), 4))


def unit(value: str | None) -> str:
    """A unit as people write it: ``m2`` → « m² »."""
    if not value:
        return ""
    return UNITS.get(value.strip().lower(), value)


def quantity(value, unit_code: str | None = None) -> str:
    """``Decimal('12500.5')``, ``m2`` → « 12 500,5 m² » (thousands grouped, no trailing zeros)."""
    if value is None or value == "":
        return ""
    try:
        number = Decimal(value)
    except (InvalidOperation, ValueError, TypeError):
        return str(value)
    number = number.normalize() if number == number.to_integral() or number.as_tuple().exponent < 0 else number
    sign = "-" if number < 0 else ""
    text = format(abs(number), "f")
    whole, _dot, fraction = text.partition(".")
    fraction = fraction.rstrip("0")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    result = sign + NNBSP.join(groups) + ("," + fraction if fraction else "")
    return f"{result}{NBSP}{unit(unit_code)}" if unit_code else result


# Words that give away a message written in English (Chorus Pro answers some errors in English).
_ENGLISH_MARKERS = (" the ", " is ", " are ", " not ", " must ", " does ", " invalid", " mandatory", " missing",
                    " unknown", " error", " failed", " should ", " cannot ", " already ")


def looks_english(text: str) -> bool:
    padded = f" {(text or '').lower()} "
    return sum(marker in padded for marker in _ENGLISH_MARKERS) >= 2


def explain_english(text: str | None) -> str:
    """A French explanation for a Chorus Pro message written in English ("" when it is French already): the
    documented wording's French message when known, else a generic one."""
    if not text or not looks_english(text):
        return ""
    folded = fold(text)
    for wording, french in WORDING_MESSAGES:
        if wording in folded:
            return french
    return ("Chorus Pro a répondu en anglais, sans traduction connue : il refuse la demande pour la raison citée. "
            "Si elle n'est pas claire, transmettez-la telle quelle au support Chorus Pro ou à votre acheteur.")
