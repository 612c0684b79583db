"""``chorusbat situation render FILE.json --out DIR``: one validated Factur-X PDF (and its XML) per situation.

Only documents that passed the gate are written. Exit status 0 when all passed, 2 otherwise (validation
report on standard error), 2 as well for an unreadable or invalid situation file.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import TextIO

from chorusbat.engine import (
    SituationValidationError,
    compute,
    load_situation_file,
    parse_situation_file,
    result_to_json,
)
from chorusbat.facturx.french_messages import message
from chorusbat.facturx.invoice_from_file import invoice_data_from_situation_file
from chorusbat.facturx.invoice_model import InvoiceDataError
from chorusbat.facturx.pipeline import FacturXValidationError, build_facturx
from chorusbat.facturx.schematron import ValidatorUnavailable

EXIT_FAILED = 2


def safe_filename(number: str) -> str:
    """A file name for an invoice number (which may contain ``/``)."""
    return re.sub(r"[^A-Za-z0-9._+-]", "_", number).lstrip(".") or "facture"


def render_situation_file(path: str, out_dir: str, *, stdout: TextIO | None = None,
                          stderr: TextIO | None = None) -> int:
    """Compute the situation file at ``path`` and write ``<number>.pdf`` / ``<number>.xml`` into ``out_dir``."""
    stdout, stderr = stdout or sys.stdout, stderr or sys.stderr
    try:
        file_data = load_situation_file(path)
        contract, situations, _parties = parse_situation_file(file_data)  # parsed once, for every document
        result = result_to_json(compute(contract, situations))
    except SituationValidationError as error:
        detail = "\n".join(problem.message for problem in error.errors)
        print(message("engine_rejected", path=path, detail=detail), file=stderr)
        return EXIT_FAILED

    target = Path(out_dir)
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        print(message("unreadable_file", path=out_dir, detail=error.strerror or error), file=stderr)
        return EXIT_FAILED

    failed = 0
    count = len(result["situations"])
    for index in range(count):
        number = str(file_data["situations"][index].get("number", index + 1))
        try:
            document = build_facturx(invoice_data_from_situation_file(file_data, result, index, contract))
        except FacturXValidationError as error:
            failed += 1
            print(message("cli_failed", number=number), file=stderr)
            print(error.report, file=stderr)
            continue
        except (InvoiceDataError, ValidatorUnavailable) as error:
            failed += 1
            print(message("cli_failed", number=number), file=stderr)
            print(error, file=stderr)
            continue
        pdf_path = target / f"{safe_filename(document.number)}.pdf"
        xml_path = target / f"{safe_filename(document.number)}.xml"
        pdf_path.write_bytes(document.pdf)
        xml_path.write_bytes(document.xml)
        print(message("cli_written", number=number, pdf=pdf_path, xml=xml_path), file=stdout)

    if failed:
        print(message("cli_summary_failed", failed=failed, count=count), file=stderr)
        return EXIT_FAILED
    print(message("cli_summary_ok", count=count, out_dir=target), file=stdout)
    return 0
