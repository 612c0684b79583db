"""Reading the CSV file INSEE publishes for one index series (pure Python, no Django).

The layout accepted (the « Télécharger » CSV of a series on insee.fr, documented in docs/indices.md):

- UTF-8 (with or without BOM) or Windows-1252; fields separated by ``;``, optionally in double quotes;
- a header block of ``"Key";"Value"`` rows — ``Libellé`` (whose text usually names the series, « … (BT01) … »),
  ``idBank``, ``Dernière mise à jour``, and a ``Période`` row that ends the header (« "Période";"Valeur" » or
  « "Période";"" », sometimes with a third column heading « Codes »);
- then one row per month, newest or oldest first: ``"2026-09";"131.2";"P"`` — the period ``YYYY-MM``, the value
  (``.`` or ``,`` decimal), and an optional qualification code: ``P`` (provisional) or ``SD`` (semi-definitive)
  make the value provisional; ``A`` (or nothing) is a definitive value;
- blank lines are ignored; anything else is an error naming the line.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from chorusbat.engine import limits

MAX_FILE_BYTES = 1_000_000
PROVISIONAL_CODES = {"P", "SD"}
DEFINITIVE_CODES = {"", "A", "R", "D"}
_PERIOD = re.compile(r"^(\d{4})-(\d{2})$")
_SERIES_IN_LABEL = re.compile(r"\b((?:BT|TP)\d{2}[A-Za-z]?)\b")
SERIES = re.compile(r"^(?:BT|TP)\d{2}[A-Za-z]?$")


class InseeFileError(ValueError):
    """The file does not follow the accepted layout; ``errors`` are French messages, one per problem."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("; ".join(errors))


@dataclass(frozen=True)
class Point:
    month: datetime.date
    value: Decimal
    provisional: bool


@dataclass
class InseeSeries:
    label: str = ""
    idbank: str = ""
    series: str = ""  # the BT/TP code read in the label, when there is one
    points: list[Point] = field(default_factory=list)


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _norm(text: str) -> str:
    return text.strip().lower().replace("é", "e").replace("è", "e")


def parse(data: bytes) -> InseeSeries:
    """The series of an INSEE CSV file, or :class:`InseeFileError` with every problem found."""
    if len(data) > MAX_FILE_BYTES:
        raise InseeFileError([f"Le fichier dépasse {MAX_FILE_BYTES // 1000} ko : est-ce bien la série d'un indice ?"])
    if b"\x00" in data:
        raise InseeFileError(["Ce fichier n'est pas un fichier texte CSV."])
    rows = list(csv.reader(io.StringIO(_decode(data)), delimiter=";", quotechar='"'))
    result, errors, seen = InseeSeries(), [], set()
    in_header = True
    for number, row in enumerate(rows, start=1):
        cells = [c.strip() for c in row]
        if not any(cells):
            continue
        key = _norm(cells[0])
        if in_header:
            if key == "libelle":
                result.label = cells[1] if len(cells) > 1 else ""
                match = _SERIES_IN_LABEL.search(result.label)
                result.series = match.group(1) if match else ""
            elif key == "idbank":
                result.idbank = cells[1] if len(cells) > 1 else ""
            elif key == "periode":
                in_header = False
            elif _PERIOD.match(cells[0]):
                errors.append(f"Ligne {number} : une valeur avant la ligne d'en-tête « Période ».")
                break
            continue
        point = _point(cells, number, errors)
        if point is None:
            continue
        if point.month in seen:
            errors.append(f"Ligne {number} : le mois {point.month:%Y-%m} apparaît deux fois.")
            continue
        seen.add(point.month)
        result.points.append(point)
    if in_header and not errors:
        errors.append("Ligne « Période » introuvable : ce n'est pas le fichier CSV d'une série INSEE "
                      "(en-tête « Libellé », « idBank », « Période » puis une ligne par mois).")
    elif not errors and not result.points:
        errors.append("Le fichier ne contient aucune valeur mensuelle.")
    if errors:
        raise InseeFileError(errors[:20])
    result.points.sort(key=lambda p: p.month)
    return result


def _point(cells: list[str], number: int, errors: list[str]) -> Point | None:
    match = _PERIOD.match(cells[0])
    if not match or not 1 <= int(match.group(2)) <= 12:
        errors.append(f"Ligne {number} : période « {cells[0][:20]} » illisible (attendu AAAA-MM, par exemple 2026-09).")
        return None
    month = datetime.date(int(match.group(1)), int(match.group(2)), 1)
    if not limits.date_in_range(month):
        errors.append(f"Ligne {number} : période {cells[0]} hors des dates possibles.")
        return None
    text = cells[1].replace(",", ".").replace("\u00a0", "").replace(" ", "") if len(cells) > 1 else ""
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        shown = cells[1][:20] if len(cells) > 1 else ""
        errors.append(f"Ligne {number} : valeur « {shown} » illisible pour {cells[0]}.")
        return None
    if not limits.MIN_INDEX <= value <= limits.MAX_INDEX or limits.decimal_places(value) > limits.INDEX_DECIMALS:
        errors.append(f"Ligne {number} : valeur {cells[1]} hors des limites d'un indice "
                      f"(de {limits.french_decimal(limits.MIN_INDEX)} à {limits.french_decimal(limits.MAX_INDEX)}, "
                      f"{limits.INDEX_DECIMALS} décimales au plus).")
        return None
    code = cells[2].upper() if len(cells) > 2 else ""
    if code not in PROVISIONAL_CODES | DEFINITIVE_CODES:
        errors.append(f"Ligne {number} : code « {cells[2][:10]} » inconnu (P, SD ou A attendu).")
        return None
    return Point(month, value, code in PROVISIONAL_CODES)
