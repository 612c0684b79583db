"""Lines import against hostile or odd files (issue 13, items 2 and 10): zip bombs, memory, encodings, quotes,
formulas without values. Each gets a message naming its real cause, never a 500."""

from __future__ import annotations

import io
import random
import string
import time
import tracemalloc
import zipfile

import pytest
from openpyxl import Workbook

from chorusbat.markets import imports
from chorusbat.markets.tests.test_line_import import upload

pytestmark = pytest.mark.django_db
MB = 1024 * 1024
SHEET_START = (b'<?xml version="1.0" encoding="UTF-8"?><worksheet '
               b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
SHEET_END = b"</sheetData></worksheet>"


def workbook_bytes(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


SHARED_STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
SHARED_STRINGS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"


def with_member(xlsx: bytes, name: str, write) -> bytes:
    """``xlsx`` with member ``name`` replaced (or added) by what ``write(stream)`` writes, streamed; a shared
    strings part is declared in the workbook's relationships and content types."""
    source = zipfile.ZipFile(io.BytesIO(xlsx))
    out = io.BytesIO()
    shared = name == "xl/sharedStrings.xml" and name not in source.namelist()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename) if info.filename != name else None
            if shared and info.filename == "[Content_Types].xml":
                content = content.replace(b"</Types>", f'<Override PartName="/xl/sharedStrings.xml" '
                                                       f'ContentType="{SHARED_STRINGS_TYPE}"/></Types>'.encode())
            if shared and info.filename == "xl/_rels/workbook.xml.rels":
                content = content.replace(b"</Relationships>", f'<Relationship Id="rIdShared" '
                                          f'Type="{SHARED_STRINGS_REL}" Target="sharedStrings.xml"/>'
                                          f"</Relationships>".encode())
            if content is not None:
                target.writestr(info, content)
        with target.open(name, "w", force_zip64=True) as stream:
            write(stream)
    return out.getvalue()


def bomb(megabytes: int) -> bytes:
    row = ('<row><c t="inlineStr"><is><t>' + "A" * 200 + "</t></is></c></row>").encode()
    chunk = row * (MB // len(row))

    def write(stream):
        stream.write(SHEET_START)
        for _ in range(megabytes):
            stream.write(chunk)
        stream.write(SHEET_END)

    return with_member(workbook_bytes([["Réf.", "Désignation", "Unité", "Quantité", "PU HT"]]),
                       "xl/worksheets/sheet1.xml", write)


def measured(function):
    """(result or exception, peak Python memory in bytes, seconds)."""
    tracemalloc.start()
    started = time.monotonic()
    try:
        try:
            outcome = function()
        except Exception as error:  # noqa: BLE001 - returned to the test
            outcome = error
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return outcome, peak, time.monotonic() - started


def test_a_zip_bomb_is_refused_before_it_is_decompressed(market):
    data = bomb(240)
    assert len(data) < 2 * MB  # about 1 MB that expands to 240 MB
    outcome, peak, seconds = measured(lambda: imports.preview(market, "bombe.xlsx", data, "unitaire", "20"))
    assert isinstance(outcome, imports.ImportFileError)
    assert "une fois décompressé" in str(outcome)
    assert peak < 100 * MB and seconds < 10


def test_one_abnormally_compressed_member_is_refused_even_below_the_total_limit(market):
    data = bomb(8)  # 8 MB expanded from a few kilobytes: no spreadsheet writes that
    with pytest.raises(imports.ImportFileError, match="compressé anormalement"):
        imports.preview(market, "bombe.xlsx", data, "unitaire", "20")


def test_the_largest_workbook_allowed_stays_within_100_mb_of_memory(market):
    """Just under every limit: a sheet of long rows and the largest shared strings table, all unique."""
    rng = random.Random(13)
    words = ["".join(rng.choices(string.ascii_letters, k=12)) for _ in range(2000)]

    def shared_strings(stream):
        count = imports.XLSX_MAX_SHARED_STRINGS // 40
        stream.write(b'<?xml version="1.0" encoding="UTF-8"?><sst '
                     b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
        written = 0
        for number in range(count):
            item = f"<si><t>{words[number % 2000]}{number}</t></si>".encode()
            if written + len(item) > imports.XLSX_MAX_SHARED_STRINGS - 100:
                break
            stream.write(item)
            written += len(item)
        stream.write(b"</sst>")

    base = workbook_bytes([["Réf.", "Désignation", "Unité", "Quantité", "PU HT"], ["A", "b", "u", 1, 2]])
    data = with_member(base, "xl/sharedStrings.xml", shared_strings)

    def sheet(stream):
        stream.write(SHEET_START)
        # Every row and column the import reads (and a few more), each cell a different shared string; the
        # rest of the file, however large, is never read.
        for row in range(1, imports.MAX_ROWS + imports.HEADER_SEARCH_ROWS + 10):
            cells = "".join(f'<c t="s"><v>{rng.randrange(100000)}</v></c>' for _ in range(imports.MAX_COLUMNS + 5))
            stream.write(f'<row r="{row}">{cells}</row>'.encode())
        stream.write(SHEET_END)

    data = with_member(data, "xl/worksheets/sheet1.xml", sheet)
    imports.check_archive(data)  # within the limits
    # The reading of the file (openpyxl, shared strings, rows) is where memory could grow with the file; what
    # follows works on at most MAX_ROWS rows of MAX_COLUMNS short cells.
    outcome, peak, seconds = measured(lambda: imports.read_xlsx(data))
    assert isinstance(outcome, list), outcome
    assert len(outcome) == imports.MAX_ROWS + imports.HEADER_SEARCH_ROWS + 1
    assert max(len(row) for row in outcome) == imports.MAX_COLUMNS
    assert peak < 100 * MB, f"{peak / MB:.0f} MB"
    assert seconds < 300  # measured under tracemalloc, which slows Python down several times


def test_a_bomb_through_the_screen_is_a_form_error(admin_client, market):
    response = upload(admin_client, market, "bombe.xlsx", bomb(60))
    assert response.status_code == 200
    assert "une fois décompressé" in " ".join(response.context["form"].errors["file"])


# --------------------------------------------------------------------------------------------- messages

HEADER = "Réf.;Désignation;Unité;Quantité;PU HT;TVA\n"


def error_of(client, market, name, content) -> str:
    response = upload(client, market, name, content)
    assert response.status_code == 200
    return " ".join(response.context["form"].errors.get("file", []))


def test_a_utf8_file_with_one_broken_byte_names_the_line(admin_client, market):
    content = (HEADER + "8.1;Préparation;m2;10;12,40;20\n").encode() + b"8.2;Peinture \xff mate;m2;5;9,8;20\n"
    message = error_of(admin_client, market, "dpgf.csv", content)
    assert "Ligne 3" in message and "UTF-8" in message
    assert "Colonnes manquantes" not in message


def test_a_windows_1252_file_is_still_read(admin_client, market):
    content = (HEADER + "8.1;Préparation;m2;10;12,40;20\n").encode("cp1252")
    response = upload(admin_client, market, "dpgf.csv", content)
    assert response.context["preview"].ok


def test_an_unbalanced_quote_names_its_line(admin_client, market):
    content = (HEADER + "8.1;Préparation;m2;10;12,40;20\n"
               '8.2;"Peinture mate;m2;5;9,8;20\n8.3;Plinthes;ml;3;2;20\n').encode()
    message = error_of(admin_client, market, "dpgf.csv", content)
    assert "Ligne 3" in message and "guillemet" in message
    assert "Aucune ligne" not in message


def test_a_utf16_file_is_read(admin_client, market):
    content = (HEADER.replace(";", "\t") + "8.1\tPréparation\tm2\t10\t12,40\t20\n").encode("utf-16")
    response = upload(admin_client, market, "dpgf.txt", content)
    assert response.context["preview"] is not None and response.context["preview"].ok, \
        response.context["form"].errors


def test_formulas_without_values_are_named(admin_client, market):
    data = workbook_bytes([["Réf.", "Désignation", "Unité", "Quantité", "PU HT"],
                           ["=\"8.\"&1", "=\"Peinture\"", "=\"m2\"", "=2*5", "=3+4"]])
    message = error_of(admin_client, market, "dpgf.xlsx", data)
    assert "formules" in message and "2" in message
    data = workbook_bytes([["=\"Réf.\"", "=\"Désignation\"", "=\"Unité\"", "=\"Quantité\"", "=\"PU HT\""]])
    message = error_of(admin_client, market, "dpgf.xlsx", data)
    assert "formules" in message and "Colonnes manquantes" not in message


def test_imported_rows_and_totals_are_bounded(admin_client, market):
    content = (HEADER + "9.1;Énorme;u;9 999 999 999;9 999 999 999;20\n").encode()
    preview = upload(admin_client, market, "dpgf.csv", content).context["preview"]
    assert not preview.ok and preview.rows[0].errors
    content = (HEADER + "9.1;Gros;ens;1000;600 000 000;20\n9.2;Gros;ens;1000;600 000 000;20\n").encode()
    message = error_of(admin_client, market, "dpgf.csv", content)
    assert "montant total du marché dépasserait" in message
