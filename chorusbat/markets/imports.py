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
MAX_COLUMNS = 50  # cells read per row (a DPGF has about ten columns)
MAX_CELL_CHARS = 1000  # a cell longer than this is cut (the longest line field takes 300)
# XLSX archives: checked before anything is decompressed (see ``check_archive``).
XLSX_MAX_UNCOMPRESSED = 20 * 1024 * 1024  # all members together (a 5,000-line DPGF takes a few MB)
XLSX_MAX_SHARED_STRINGS = 4 * 1024 * 1024  # openpyxl holds every shared string in memory at once
XLSX_MAX_MEMBERS = 1000
XLSX_MAX_RATIO = 150  # uncompressed / compressed size of one member…
XLSX_RATIO_FREE_BYTES = 1024 * 1024  # …checked for members above 1 MB (small XML parts compress very well)


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


def check_archive(data: bytes) -> None:
    """Refuse a zip whose members would expand beyond the limits, before anything is decompressed.

    The sizes checked are the ones the archive declares; ``zipfile`` never yields more than a member's declared
    size, so they bound what openpyxl can read. A 700 KB workbook that expands to hundreds of megabytes (a "zip
    bomb") is refused here in milliseconds.
    """
    not_xlsx = _("This file is not a valid XLSX workbook (it may be damaged or in another format).")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise ImportFileError(not_xlsx) from None
    bomb = _("This workbook expands to more than %(max)d MB once uncompressed, or is compressed abnormally: it is "
             "refused. Save it again from your spreadsheet, or export it as CSV.") % {
        "max": XLSX_MAX_UNCOMPRESSED // (1024 * 1024)}
    if len(members) > XLSX_MAX_MEMBERS:
        raise ImportFileError(bomb)
    total = 0
    for member in members:
        total += member.file_size
        if total > XLSX_MAX_UNCOMPRESSED:
            raise ImportFileError(bomb)
        ratio_limit = XLSX_MAX_RATIO * max(member.compress_size, 1)
        if member.file_size > XLSX_RATIO_FREE_BYTES and member.file_size > ratio_limit:
            raise ImportFileError(bomb)
        if member.filename.lower().endswith("sharedstrings.xml") and member.file_size > XLSX_MAX_SHARED_STRINGS:
            raise ImportFileError(bomb)


def _open_workbook(data: bytes, data_only: bool):
    from openpyxl import load_workbook

    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=data_only)
    except Exception:  # openpyxl raises many types for a broken or foreign zip
        raise ImportFileError(
            _("This file is not a valid XLSX workbook (it may be damaged or in another format).")) from None


def _sheet_rows(data: bytes, data_only: bool):
    """The first sheet's rows (raw cell values), at most MAX_ROWS + HEADER_SEARCH_ROWS rows of MAX_COLUMNS cells,
    read in streaming (read-only) mode."""
    workbook = _open_workbook(data, data_only)
    try:
        if not workbook.worksheets:
            return
        sheet = workbook.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS)):
            if number > MAX_ROWS + HEADER_SEARCH_ROWS:
                break
            yield values
    finally:
        workbook.close()


def read_xlsx(data: bytes) -> list[list[str]]:
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ImportFileError(_("This file is not a valid XLSX workbook (it may be damaged or in another format)."))
    check_archive(data)
    try:
        return [[cell_text(v) for v in values] for values in _sheet_rows(data, data_only=True)]
    except ImportFileError:
        raise
    except Exception:  # a damaged sheet inside a valid zip
        raise ImportFileError(
            _("This file is not a valid XLSX workbook (it may be damaged or in another format).")) from None


def first_formula_without_value(data: bytes, max_rows: int = HEADER_SEARCH_ROWS + 100) -> int | None:
    """The row number of the first formula whose computed value the workbook does not hold, if any.

    Workbooks written by programs (not saved by a spreadsheet) often contain formulas without their cached
    result: read for its values, such a sheet looks empty.
    """
    try:
        rows = zip(_sheet_rows(data, data_only=False), _sheet_rows(data, data_only=True))
        for number, (formulas, values) in enumerate(rows, start=1):
            if number > max_rows:  # the header and the first lines tell; no need to read everything twice more
                break
            for formula, value in zip(formulas, values):
                if isinstance(formula, str) and formula.startswith("=") and value is None:
                    return number
    except Exception:  # already read once: a second reading problem changes nothing to the first answer
        return None
    return None


def _looks_like_utf16(data: bytes) -> bool:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    sample = data[:4096]
    # Latin text in UTF-16: every other byte is NUL.
    return len(sample) >= 4 and (sample[1::2].count(0) > len(sample) // 4 or sample[0::2].count(0) > len(sample) // 4)


def decode_text(data: bytes) -> str:
    if _looks_like_utf16(data):
        try:
            if data.startswith((b"\xff\xfe", b"\xfe\xff")):
                return data.decode("utf-16")
            return data.decode("utf-16-le" if data[1:2] == b"\x00" else "utf-16-be")
        except UnicodeDecodeError:
            raise ImportFileError(
                _("This file is UTF-16 text but it is damaged: save it again as CSV UTF-8.")) from None
    if b"\x00" in data[:4096]:
        raise ImportFileError(_("This file is neither a CSV text file nor an XLSX workbook."))
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        # Valid UTF-8 accented letters elsewhere: a UTF-8 file with a damaged byte, not a Windows-1252 file.
        decoded = data.decode("utf-8", errors="replace")
        if any(ord(ch) > 127 and ch != "\ufffd" for ch in decoded):
            line = data[:error.start].count(b"\n") + 1
            raise ImportFileError(
                _("Line %(line)d of this file contains an invalid character: the file is UTF-8 text with a "
                  "damaged byte. Correct that line (or export the file again as CSV UTF-8).") % {"line": line}
            ) from None
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
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    row_start = 1
    try:
        for values in reader:
            rows.append([v.strip()[:MAX_CELL_CHARS] for v in values[:MAX_COLUMNS]])
            row_start = reader.line_num + 1
            if len(rows) > MAX_ROWS + HEADER_SEARCH_ROWS:
                break
    except csv.Error as error:
        reason = str(error)
        if "unexpected end of data" in reason or "expected after" in reason:
            raise ImportFileError(
                _("Line %(line)d: a quotation mark (\") opens a cell and is never closed, or is misplaced. "
                  "Correct that line in your spreadsheet and export the file again.") % {"line": row_start}
            ) from None
        if "field larger than field limit" in reason:
            raise ImportFileError(
                _("Line %(line)d: a cell is too long (more than %(max)d characters).")
                % {"line": row_start, "max": csv.field_size_limit()}
            ) from None
        raise ImportFileError(_("Line %(line)d cannot be read as CSV (the file is damaged). Check it in your "
                                "spreadsheet and export it again.") % {"line": row_start}) from None
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
        _refuse_formulas_without_values(data)
        raise ImportFileError(_("This file is empty."))
    header_index, columns = find_columns(table)
    missing = [COLUMN_NAMES[c] for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        _refuse_formulas_without_values(data)
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
    if not result.lines:
        _refuse_formulas_without_values(data)
    if result.ok:
        message = market_totals_error(market, [_line_of(market, 0, r.values) for r in result.lines])
        if message:
            raise ImportFileError(message)
    return result


def _refuse_formulas_without_values(data: bytes) -> None:
    """An XLSX whose formulas have no stored value looks empty: say so instead of "no line" or "missing columns"."""
    if data[:4] != b"PK\x03\x04":
        return
    row = first_formula_without_value(data)
    if row is not None:
        raise ImportFileError(
            _("Row %(row)d of this workbook holds formulas whose results were never computed (the file was written "
              "by a program, not saved by a spreadsheet). Open it in your spreadsheet, save it, and import it "
              "again — or export it as CSV.") % {"row": row}
        )


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
