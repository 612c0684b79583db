"""Small helpers shared by the invoicing tests."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

from chorusbat.facturx import FacturXValidationError, Issue, ValidationReport
from chorusbat.situations.models import Situation
from chorusbat.situations.services import SituationData, save_draft, validate_situation

FAILED_REPORT = ValidationReport(
    issues=(Issue("EN16931", "BR-CO-16", "Amount due for payment (BT-115) = Invoice total amount with VAT (BT-112) "
                  "- Paid amount (BT-113) + Rounding amount (BT-114).", value="12786.02"),),
    checks=("XSD Factur-X EN 16931", "schematron EN 16931"),
)


def situation(number: str) -> Situation:
    return Situation.objects.select_related("market", "company").get(number=number)


def failing_build(data):
    """Stands for ``build_facturx`` when the gate rejects the document (BR-CO-16 on the amount due)."""
    raise FacturXValidationError(data.invoice_number, FAILED_REPORT)


def pdf_text(pdf: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def embedded_files(pdf: bytes) -> list[str]:
    from pypdf import PdfReader

    return list(PdfReader(io.BytesIO(pdf)).attachments)


def add_situation(market, user, number: str, month: int, progress: dict[str, str], validate: bool,
                  final: bool = False):
    """A situation of ``market`` for ``2026-month`` with ``progress`` by line ref, through the real services
    (``final``: the market's projet de décompte final)."""
    ids = {line.ref: line.pk for line in market.lines.all()}
    data = SituationData(number=number, period=datetime.date(2026, month, 1), date=datetime.date(2026, month, 28),
                         index_value=None, advance_paid=Decimal("0"),
                         progress={ids[ref]: Decimal(value) for ref, value in progress.items()}, final=final)
    created = save_draft(market, data, user)
    return validate_situation(created, user) if validate else created
