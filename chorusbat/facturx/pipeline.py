"""XML + PDF + embedding + gate: the only way to obtain a Factur-X document that may be stored as ready.

:func:`build_facturx` either returns a :class:`FacturXDocument` whose report passed, or raises
:class:`FacturXValidationError` carrying the failed report (and the rejected bytes, for diagnosis only).
A validator that cannot run raises :class:`ValidatorUnavailable`. There is no flag to skip validation.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from chorusbat.facturx.french_messages import message
from chorusbat.facturx.gate import ValidationReport, validate
from chorusbat.facturx.invoice_model import InvoiceData
from chorusbat.facturx.pdf_render import render_pdf
from chorusbat.facturx.text import clean_text
from chorusbat.facturx.xml_builder import build_xml


@dataclass(frozen=True)
class FacturXDocument:
    """A validated Factur-X invoice: the exact PDF bytes to store and send, the XML embedded in it, the report."""

    number: str
    pdf: bytes
    xml: bytes
    report: ValidationReport


class FacturXValidationError(Exception):
    """The document failed the gate. ``report`` says which rules failed and on which values."""

    def __init__(self, number: str, report: ValidationReport, pdf: bytes = b"", xml: bytes = b""):
        self.number = number
        self.report = report
        self.rejected_pdf = pdf
        self.rejected_xml = xml
        details = "\n".join(str(issue) for issue in report.issues)
        super().__init__(message("gate_failed", number=number, count=len(report.issues), details=details))


def embed_xml(pdf: bytes, xml: bytes, data: InvoiceData) -> bytes:
    """Attach ``xml`` to ``pdf`` as ``factur-x.xml`` (level EN 16931, AFRelationship Data) with factur-x, and the
    supporting documents of ``data`` as further embedded files (AFRelationship Supplement).

    Validation is not delegated to factur-x here (its schematron step needs an HTTP server and may be
    skipped silently); the gate of :mod:`validation` runs right after.
    """
    import facturx

    label = "Avoir" if data.is_credit_note else "Facture"
    supplier = clean_text(data.supplier.name)
    # Supporting documents: PDF/A-3 embedded files with AFRelationship Supplement, referenced in BG-24 by name.
    # Their date (/ModDate, which PDF/A-3 asks for) is the invoice's, so that the same inputs give the same bytes.
    dated = datetime.datetime.combine(data.issue_date, datetime.time(12, 0))
    attachments = {
        attachment.name: {"filedata": attachment.data, "afrelationship": "supplement",
                          "description": clean_text(attachment.description) or attachment.name,
                          "modification_datetime": dated, "creation_datetime": dated}
        for attachment in data.attachments
    }
    return facturx.generate_from_binary(
        pdf,
        xml,
        flavor="factur-x",
        level="en16931",
        check_xsd=False,
        check_schematron=False,
        afrelationship="data",
        attachments=attachments or None,
        lang="fr-FR",
        pdf_metadata={
            "author": supplier,
            "keywords": "Factur-X, facture, situation de travaux",
            "title": f"{supplier} : {label} {clean_text(data.invoice_number)}",
            "subject": f"{label} {clean_text(data.invoice_number)} du {data.issue_date:%d/%m/%Y}, "
                       f"marché {clean_text(data.market_number)}",
        },
    )


def build_facturx(data: InvoiceData) -> FacturXDocument:
    """Produce and validate the Factur-X document of ``data``.

    Raises :class:`FacturXValidationError` if any check fails, :class:`ValidatorUnavailable` if a
    validator cannot run.
    """
    xml = build_xml(data)
    pdf = embed_xml(render_pdf(data), xml, data)
    report = validate(pdf, data)
    if not report.ok:
        raise FacturXValidationError(data.invoice_number, report, pdf, xml)
    return FacturXDocument(number=data.invoice_number, pdf=pdf, xml=xml, report=report)
