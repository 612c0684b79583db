"""How a situation reaches Chorus Pro, per billing framework — the one adapter to correct against qualification.

- ``FluxRoute`` (A1, ordinary invoice): the Factur-X PDF is deposited as a flux ``IN_DP_E2_CII_FACTURX``
  (``factures/v1/deposer/flux``); Chorus Pro processes it asynchronously; the invoice is then found by flux number.
  Confirmed by the reference (§10.2, §13.3, §17).
- ``WorksRoute`` (A4 with the MOE, A10 subcontractor, A13 co-contractor): the works payment request is submitted
  as JSON with the Factur-X PDF as main attachment, through ``chorusbat.chorus.works`` — the paths and fields of
  the works family are UNCONFIRMED (§12.2) and follow the local sandbox's model. When qualification shows the real
  shapes, this class and ``chorusbat/chorus/works.py`` are what change.

Every route offers the same three operations, used by ``machine``:
``deposit`` (never retried blindly), ``find`` (is this invoice number already in Chorus Pro?) and ``follow``
(what became of a deposited flux).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from chorusbat.chorus import works
from chorusbat.chorus.client import ChorusClient
from chorusbat.chorus.enums import DepositMode, FluxState, FluxSyntax, Framework
from chorusbat.chorus.errors import BusinessError
from chorusbat.chorus.models import (
    BillingFramework,
    DepositFluxRequest,
    InvoiceLine,
    InvoiceReferences,
    InvoiceSearchRequest,
    MainAttachment,
    Recipient,
    Supplier,
    Totals,
    UploadFileRequest,
    VatLine,
)

FLUX_STATE_LABELS = {
    FluxState.IN_DEPOT_PORTAIL_EN_ATTENTE_TRAITEMENT_SE_CPP: _("File received by Chorus Pro, waiting to be processed."),
    FluxState.IN_EN_ATTENTE_TRAITEMENT_CPP: _("File waiting to be processed by Chorus Pro."),
    FluxState.IN_EN_COURS_TRAITEMENT_CPP: _("File being processed by Chorus Pro."),
    FluxState.IN_INTEGRE: _("File integrated by Chorus Pro."),
    FluxState.IN_INTEGRE_PARTIEL: _("File partly integrated by Chorus Pro."),
    FluxState.IN_REJETE: _("File rejected by Chorus Pro."),
}


@dataclass
class Deposit:
    flux_number: str = ""
    invoice_id: int | None = None  # known at once for synchronous submissions
    status: str | None = None


@dataclass
class Found:
    invoice_id: int
    status: str | None = None
    flux_number: str | None = None


@dataclass
class FluxProgress:
    flux_state: str | None = None
    invoice: Found | None = None
    from_earlier_deposit: bool = False  # the invoice came in through an earlier flux of ours, not this one
    integrated_not_found: bool = False  # the flux is integrated but the invoice cannot be found (yet)
    rejected: bool = False
    errors: list[str] = field(default_factory=list)

    @property
    def flux_state_label(self) -> str:
        return str(FLUX_STATE_LABELS.get(self.flux_state, self.flux_state or ""))

    @property
    def rejection_message(self) -> str:
        detail = " ; ".join(self.errors) or _("no detail given")
        return _("Chorus Pro rejected the file: %(detail)s") % {"detail": detail}


def safe_file_name(number: str, extension: str = "pdf") -> str:
    """A file name Chorus Pro accepts (≤ 50 characters, no path separators) for an invoice number."""
    stem = re.sub(r"[^A-Za-z0-9._-]", "_", number)[: 50 - len(extension) - 1]
    return f"{stem}.{extension}"


class FluxRoute:
    """A1: a Factur-X flux (confirmed route)."""

    name = "flux_facturx"

    def file_name(self, situation) -> str:
        return safe_file_name(situation.number)

    def deposit(self, client: ChorusClient, situation, pdf: bytes) -> Deposit:
        result = client.deposit_flux(
            DepositFluxRequest.from_bytes(self.file_name(situation), pdf, FluxSyntax.IN_DP_E2_CII_FACTURX)
        )
        return Deposit(flux_number=result.flux_number)

    def find(self, client: ChorusClient, situation, supplier_id: int | None) -> Found | None:
        for invoice in client.iter_supplier_invoices(
            InvoiceSearchRequest(invoice_number=situation.number, id_supplier=supplier_id)
        ):
            if invoice.invoice_number == situation.number:
                return Found(invoice.invoice_id, invoice.status, invoice.flux_number)
        return None

    def follow(self, client: ChorusClient, situation, flux_number: str, supplier_id: int | None) -> FluxProgress:
        report = client.flux_report(flux_number)
        state = report.state
        progress = FluxProgress(flux_state=state)
        if state in (FluxState.IN_INTEGRE, FluxState.IN_INTEGRE_PARTIEL):
            for invoice in client.iter_supplier_invoices(InvoiceSearchRequest(flux_number=flux_number)):
                if invoice.invoice_number == situation.number:
                    progress.invoice = Found(invoice.invoice_id, invoice.status, flux_number)
                    return progress
            by_number = self.find(client, situation, supplier_id)  # the flux search may lag or differ
            if by_number is not None:
                progress.invoice = by_number
                progress.from_earlier_deposit = by_number.flux_number not in (None, "", flux_number)
                return progress
            progress.integrated_not_found = True
        if state == FluxState.IN_REJETE:
            # Not integrated from this flux. If an earlier attempt of ours got the invoice in, adopt it: Chorus Pro
            # refuses a second invoice with the same number, which is exactly what protects against duplicates.
            earlier = self.find(client, situation, supplier_id)
            if earlier is not None:
                progress.invoice = earlier
                progress.from_earlier_deposit = True
                return progress
            progress.rejected = True
            progress.errors = [e.message for e in report.invoice_errors if e.message] + [
                e.message for e in report.technical_errors if e.message
            ]
        # Integrated but not found yet (the search lags behind the flux), or still in progress: look again later.
        return progress


class WorksRoute:
    """A4 / A10 / A13: a works payment request (modelled route, UNCONFIRMED shapes)."""

    name = "works"
    FRAMEWORKS = {
        "A4": Framework.A4_PROJET_DECOMPTE_MENSUEL_FOURNISSEUR,
        "A10": Framework.A10_PROJET_DECOMPTE_MENSUEL_SOUSTRAITANT,
        "A13": Framework.A13_PROJET_DECOMPTE_MENSUEL_COTRAITANT,
    }

    def file_name(self, situation) -> str:
        return safe_file_name(situation.number)

    def deposit(self, client: ChorusClient, situation, pdf: bytes) -> Deposit:
        market = situation.market
        supplier_id = _supplier_id_of(client, situation)
        bank_accounts = client.valid_bank_accounts(supplier_id)
        attachment = client.upload_file(UploadFileRequest.from_bytes(self.file_name(situation), pdf))
        framework_code = self.FRAMEWORKS[market.framework]
        validator = market.validator_siret or None
        request = works.WorksSubmitRequest(
            deposit_mode=DepositMode.SAISIE_API,
            invoice_number=situation.number,
            invoice_date=situation.date,
            recipient=Recipient(siret=market.buyer_siret, service_code=market.buyer_service_code or None),
            supplier=Supplier(id_structure=supplier_id,
                              bank_account_id=bank_accounts[0].id if bank_accounts else None),
            framework=BillingFramework(
                code=framework_code,
                validator_siret=validator if framework_code != Framework.A4_PROJET_DECOMPTE_MENSUEL_FOURNISSEUR else None,
            ),
            references=InvoiceReferences(
                invoice_type="AVOIR" if situation.ttc_amount < 0 else "FACTURE",
                market_number=market.number,
                ej_number=market.engagement or None,
                payment_mode="VIREMENT",
            ),
            lines=_lines(situation),
            vat_lines=_vat_lines(situation),
            totals=Totals(net=situation.a_amount + situation.d_amount, vat=situation.b_amount,
                          gross=situation.ttc_amount, payable=situation.net_amount),
            main_attachment=[MainAttachment(designation=self.file_name(situation),
                                            attachment_id=attachment.attachment_id)],
            moe=works.Moe(siret=market.validator_siret) if market.framework == "A4" and market.validator_siret else None,
            moa=works.Moa(siret=market.buyer_siret, service_code=market.buyer_service_code or None),
        )
        result = works.submit_works_invoice(client, request)
        return Deposit(invoice_id=result.works_invoice_id, status=result.status)

    def find(self, client: ChorusClient, situation, supplier_id: int | None) -> Found | None:
        request = works.WorksSearchRequest(works_invoice_number=situation.number, id_supplier=supplier_id)
        for piece in works.iter_works_invoices(client, request):
            if piece.works_invoice_number == situation.number:
                return Found(piece.works_invoice_id, piece.status)
        return None

    def follow(self, client, situation, flux_number, supplier_id) -> FluxProgress:  # pragma: no cover - no flux
        raise BusinessError(None, "works pieces have no flux to follow")


def _supplier_id_of(client: ChorusClient, situation) -> int:
    from chorusbat.accounts.models import ChorusSubscription

    supplier_id = ChorusSubscription.objects.filter(company_id=situation.company_id).values_list(
        "structure_id", flat=True).first()
    if supplier_id:
        return supplier_id
    structure = client.find_structure_by_siret(situation.company.siret)
    if structure is None:
        raise BusinessError(None, "supplier structure not found")
    return structure.id_structure_cpp


def _lines(situation) -> list[InvoiceLine]:
    """Invoice lines as situation-rules §5 defines them: lines with a non-zero period amount, then revision."""
    lines: list[InvoiceLine] = []
    for amount in situation.line_amounts.select_related("line").order_by("line__position", "line_id"):
        if amount.period == 0:
            continue
        lines.append(InvoiceLine(number=len(lines) + 1, reference=amount.line.ref, label=amount.line.label[:300],
                                 quantity=Decimal("1"), unit_price=amount.period, vat_rate=amount.line.vat_rate))
    for rate in situation.rate_amounts.order_by("rate"):
        if rate.d:
            lines.append(InvoiceLine(number=len(lines) + 1, reference="REV",
                                     label=_("Price revision, coefficient %(c)s") % {"c": situation.coefficient},
                                     quantity=Decimal("1"), unit_price=rate.d, vat_rate=rate.rate))
    return lines


def _vat_lines(situation) -> list[VatLine]:
    return [VatLine(base=r.a + r.d, vat=r.b, vat_rate=r.rate) for r in situation.rate_amounts.order_by("rate")]


_FLUX = FluxRoute()
_WORKS = WorksRoute()


def route_for(market):
    """The route of a market's framework."""
    return _WORKS if market.framework in WorksRoute.FRAMEWORKS else _FLUX
