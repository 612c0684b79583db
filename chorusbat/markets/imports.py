"""Importing contract lines from a DPGF / BPU file (CSV or XLSX) as estimating software exports it.

Two steps, nothing written to the market before the second:

1. :func:`preview` reads the file, finds the header row (names are flexible: « Réf. », « Désignation »,
   « PU HT »…), and checks every row with :class:`~chorusbat.markets.forms.ContractLineForm`, the very form used
   to enter a line by hand. Rows with neither quantity nor unit price (chapter titles) are skipped.
2. :func:`confirm` creates the lines of a checked, error-free preview kept server-side in a
   :class:`~chorusbat.markets.models.LineImport`.

CSV: UTF-8 (with or without BOM) or Windows-1252; ``;``, ``,`` or tab separators (sniffed); French decimal
commas. XLSX: the first sheet, read with openpyxl in read-only mode.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from chorusbat.markets.forms import ContractLineForm, market_totals_error
from chorusbat.markets.models import ContractLine, LineImport, LineKind, Market
from chorusbat.markets.services import refresh_totals

# Normalised header name (lower case, no accents, letters and digits only) → line field.
HEADER_ALIASES = {
    "ref": {"ref", "refs", "reference", "references", "numero", "num", "no", "n", "art", "article", "code",
            "poste", "item"},
    "label": {"libelle", "designation", "description", "intitule", "ouvrage", "label", "designationdesouvrages"},
    "unit": {"unite", "u", "un", "unit", "unites"},
    "quantity": {"quantite", "quantites", "qte", "qt", "quantity", "qty", "quantitecontractuelle",
                 "quantiteestimee", "qtes"},
    "unit_price": {"prixunitaire", "prixunitaireht", "pu", "puht", "prix", "prixht", "unitprice",
                   "prixunitaireeurosht", "prixunitaireenchiffres", "puhteuros", "pueuroht"},
    "vat_rate": {"tva", "tauxtva", "tauxdetva", "vat", "vatrate", "tvaentaux"},
    "kind": {"type", "nature", "forme", "formeduprix", "kind", "typedeprix"},
}
REQUIRED_COLUMNS = ("ref", "label", "unit", "quantity", "unit_price")
COLUMN_NAMES = {
    "ref": "référence", "label": "libellé", "unit": "unité", "quantity": "quantité", "unit_price": "prix unitaire",
}
KIND_ALIASES = {
    LineKind.FORFAIT: {"forfait", "forfaitaire", "f", "ff", "ft", "dpgf", "global"},
    LineKind.UNITAIRE: {"unitaire", "u", "pu", "bpu", "dqe", "quantite", "unit"},
}
HEADER_SEARCH_ROWS = 15  # estimating software often puts a title block above the header
MAX_ROWS = 5000


class ImportFileError(Exception):
    """The file as a whole cannot be read; the message is shown to the user."""


@dataclass
class ImportRow:
    row_number: int  # as the spreadsheet shows it (1 = first row of the file)
    values: dict[str, str]
    errors: list[str] = field(default_factory=list)
    skipped: bool = False


@dataclass
class ImportPreview:
    filename: str
    rows: list[ImportRow]
    has_vat_column: bool = True

    @property
    def lines(self) -> list[ImportRow]:
        return [r for r in self.rows if not r.skipped]

    @property
    def error_count(self) -> int:
        return sum(1 for r in self.rows if r.errors)

    @property
    def ok(self) -> bool:
        return bool(self.lines) and self.error_count == 0


# ------------------------------------------------------------------------------------------------- reading


def normalise_header(text) -> str:
    text = unicodedata.normalize("NFKD", str(text or "")).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]", "", text)


def cell_text(value) -> str:
    """A spreadsheet cell as text; floats written with 15 significant digits so 9.350000000000001 is 9.35."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return format(Decimal(format(value, ".15g")), "f")
    return str(value).strip()


def read_table(filename: str, data: bytes) -> list[list[str]]:
    """The file's rows as lists of text cells, or :class:`ImportFileError`."""
    name = filename.lower()
    if name.endswith(".xls"):
        raise ImportFileError(_("Old Excel files (.xls) are not supported: save the file as .xlsx or .csv."))
    if name.endswith((".xlsx", ".xlsm")) or data[:4] == b"PK\x03\x04":
        return read_xlsx(data)
    return read_csv(data)


def read_xlsx(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    not_xlsx = _("This file is not a valid XLSX workbook (it may be damaged or in another format).")
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ImportFileError(not_xlsx)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many types for a broken or foreign zip
        raise ImportFileError(not_xlsx) from None
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for values in sheet.iter_rows(values_only=True):
            rows.append([cell_text(v) for v in values])
            if len(rows) > MAX_ROWS + HEADER_SEARCH_ROWS:
                break
        return rows
    finally:
        workbook.close()


def decode_text(data: bytes) -> str:
    if b"\x00" in data[:4096]:
        raise ImportFileError(_("This file is neither a CSV text file nor an XLSX workbook."))
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise ImportFileError(_("Unknown text encoding: save the file as CSV UTF-8 or Windows-1252.")) from None


def read_csv(data: bytes) -> list[list[str]]:
    text = decode_text(data)
    sample = text[:8192]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=";,\t")
        delimiter = dialect.delimiter
    except csv.Error:
        first = sample.splitlines()[0] if sample else ""
        delimiter = max(";,\t", key=first.count)
    rows = []
    try:
        for values in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            rows.append([v.strip() for v in values])
            if len(rows) > MAX_ROWS + HEADER_SEARCH_ROWS:
                break
    except csv.Error:  # e.g. a cell longer than the csv module's limit, or a stray NUL
        raise ImportFileError(_("This file cannot be read as a CSV table (a cell is too long or the file is "
                                "damaged). Check it in your spreadsheet and export it again.")) from None
    return rows


def find_columns(table: list[list[str]]) -> tuple[int, dict[str, int]]:
    """The header row's index and the column of each field found in it; the best candidate row wins."""
    best = (-1, {})
    for index, row in enumerate(table[:HEADER_SEARCH_ROWS]):
        columns: dict[str, int] = {}
        for position, cell in enumerate(row):
            name = normalise_header(cell)
            for field_name, aliases in HEADER_ALIASES.items():
                if name in aliases and field_name not in columns:
                    columns[field_name] = position
        if len(columns) > len(best[1]):
            best = (index, columns)
    return best


# ------------------------------------------------------------------------------------------------ checking


def kind_value(text: str, default: str) -> str:
    name = normalise_header(text)
    if not name:
        return default
    for kind, aliases in KIND_ALIASES.items():
        if name in aliases:
            return kind
    return text  # left as typed: the form refuses it with its own message


def preview(market: Market, filename: str, data: bytes, default_kind: str, default_vat_rate: str) -> ImportPreview:
    """Read and check a lines file; raises :class:`ImportFileError` when the file itself is unusable."""
    table = read_table(filename, data)
    if not any(any(cell for cell in row) for row in table):
        raise ImportFileError(_("This file is empty."))
    header_index, columns = find_columns(table)
    missing = [COLUMN_NAMES[c] for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise ImportFileError(
            _("Missing columns: %(missing)s. The file needs a header row with reference, label, unit, quantity "
              "and unit price (VAT and type are optional).") % {"missing": ", ".join(missing)}
        )
    data_rows = table[header_index + 1:]
    if len(data_rows) > MAX_ROWS:
        raise ImportFileError(_("This file has more than %(max)d rows.") % {"max": MAX_ROWS})

    taken = set(market.lines.values_list("ref", flat=True))
    rows = []
    for offset, cells in enumerate(data_rows):
        values = {name: (cells[pos] if pos < len(cells) else "") for name, pos in columns.items()}
        row = ImportRow(row_number=header_index + 2 + offset, values=values)
        rows.append(row)
        if not any(values.values()) or (not values["quantity"] and not values["unit_price"]):
            row.skipped = True  # blank line or chapter title
            continue
        values["kind"] = kind_value(values.get("kind", ""), default_kind)
        values.setdefault("vat_rate", "")
        values["vat_rate"] = values["vat_rate"] or default_vat_rate
        form = ContractLineForm(data=values, market=market, taken_refs=taken)
        if form.is_valid():
            taken.add(form.cleaned_data["ref"])
            row.values = {
                "ref": form.cleaned_data["ref"], "label": form.cleaned_data["label"],
                "kind": form.cleaned_data["kind"], "unit": form.cleaned_data["unit"],
                "unit_price": str(form.cleaned_data["unit_price"]), "quantity": str(form.cleaned_data["quantity"]),
                "vat_rate": str(form.cleaned_data["vat_rate"]),
            }
        else:
            for name, errors in form.errors.items():
                label = form.fields[name].label if name in form.fields else ""
                row.errors.extend(f"{label} : {e}" if label else e for e in errors)
    result = ImportPreview(filename=filename, rows=rows, has_vat_column="vat_rate" in columns)
    if result.ok:
        message = market_totals_error(market, [_line_of(market, 0, r.values) for r in result.lines])
        if message:
            raise ImportFileError(message)
    return result


def _line_of(market: Market, position: int, r: dict) -> ContractLine:
    return ContractLine(market=market, position=position, ref=r["ref"], label=r["label"], kind=r["kind"],
                        unit=r["unit"], unit_price=Decimal(r["unit_price"]), quantity=Decimal(r["quantity"]),
                        vat_rate=Decimal(r["vat_rate"]))


def save_pending(market: Market, user, result: ImportPreview) -> LineImport:
    """Keep an error-free preview server-side until it is confirmed; older pending imports are dropped."""
    LineImport.objects.filter(market=market, created_by=user).delete()
    return LineImport.objects.create(market=market, created_by=user, filename=result.filename[:255],
                                     rows=[r.values for r in result.lines])


@transaction.atomic
def confirm(pending: LineImport) -> list[ContractLine]:
    """Create the lines of a confirmed import; re-checks references in case lines were added meanwhile."""
    market = Market.objects.select_for_update().get(pk=pending.market_id)
    taken = set(market.lines.values_list("ref", flat=True))
    clash = sorted(taken.intersection(r["ref"] for r in pending.rows))
    if clash:
        raise ImportFileError(_("These references now exist in the market: %(refs)s. Import the file again.")
                              % {"refs": ", ".join(clash)})
    start = (market.lines.aggregate(m=Max("position"))["m"] or 0) + 1
    new_lines = [_line_of(market, start + i, r) for i, r in enumerate(pending.rows)]
    message = market_totals_error(market, new_lines)
    if message:
        raise ImportFileError(message)
    lines = ContractLine.objects.bulk_create(new_lines)
    pending.delete()
    refresh_totals(market)
    return lines
