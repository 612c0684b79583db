"""Factur-X documents for situations: EN 16931 CII XML, PDF/A-3b rendering, and the hard validation gate.

Pure Python (no Django models or settings). Entry points:

- :func:`invoice_data_from_situation_file` — :class:`InvoiceData` from a situation file and the engine output;
- :func:`build_facturx` — XML + PDF + embedding + gate → :class:`FacturXDocument`, or
  :class:`FacturXValidationError` / :class:`ValidatorUnavailable`;
- :func:`validate` / :func:`validate_xml` — the gate alone, on stored bytes;
- :func:`build_xml`, :func:`render_pdf` — the two halves, e.g. for a preview;
- :func:`warm_up` — compile the schematrons ahead of the first document.
"""

from chorusbat.facturx.gate import FR_CTC_NOT_APPLICABLE, ValidationReport, validate, validate_xml
from chorusbat.facturx.invoice_from_file import invoice_data_from_situation_file
from chorusbat.facturx.invoice_model import (
    Address,
    EmbeddedFile,
    FinalRecap,
    InvoiceData,
    InvoiceDataError,
    Party,
    Penalty,
    RateBreakdown,
    SituationLine,
)
from chorusbat.facturx.pdf_render import render_pdf
from chorusbat.facturx.pipeline import FacturXDocument, FacturXValidationError, build_facturx
from chorusbat.facturx.schematron import Issue, ValidatorUnavailable, warm_up
from chorusbat.facturx.xml_builder import build_xml

__all__ = [
    "FR_CTC_NOT_APPLICABLE",
    "Address",
    "EmbeddedFile",
    "FacturXDocument",
    "FacturXValidationError",
    "FinalRecap",
    "InvoiceData",
    "InvoiceDataError",
    "Issue",
    "Party",
    "Penalty",
    "RateBreakdown",
    "SituationLine",
    "ValidationReport",
    "ValidatorUnavailable",
    "build_facturx",
    "build_xml",
    "invoice_data_from_situation_file",
    "render_pdf",
    "validate",
    "validate_xml",
    "warm_up",
]
