"""How a situation reaches Chorus Pro, per billing framework — the one adapter to correct against qualification.

- ``FluxRoute`` (A1, ordinary invoice): the Factur-X PDF is deposited as a flux ``IN_DP_E2_CII_FACTURX``
  (``factures/v1/deposer/flux``); Chorus Pro processes it asynchronously; the invoice is then found by flux number.
  Confirmed by the reference (§10.2, §13.3, §17).
- ``WorksRoute`` (A4 with the MOE, A10 subcontractor, A13 co-contractor): the works payment request is submitted
  as JSON in ``DEPOT_PDF_API`` mode — Chorus Pro keeps chorusbat's own number (``numeroFactureSaisi``) and the
  Factur-X PDF is the main attachment — through ``chorusbat.chorus.works``. The paths and fields of the works
  family are UNCONFIRMED (§12.2) and follow the local sandbox's model. When qualification shows the real shapes,
  this class and ``chorusbat/chorus/works.py`` are what change. A piece is looked up by its number, then (when
  the number cannot be trusted, e.g. a piece Chorus Pro numbered itself) by supplier + market + deposit window +
  amounts.

Every route offers the same three operations, used by ``machine``:
``deposit`` (never retried blindly), ``find`` (is this invoice number already in Chorus Pro?) and ``follow``
(what became of a deposited flux).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from chorusbat.accounts.models import ChorusSubscription
from chorusbat.chorus import works
from chorusbat.chorus.client import ChorusClient
from chorusbat.chorus.enums import ERROR_FLUX_STATES, DepositMode, FluxState, FluxSyntax, Framework
from chorusbat.chorus.errors import BusinessError
from chorusbat.chorus.models import (
    BillingFramework,
    DepositFluxRequest,
    ExtraAttachment,
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
from chorusbat.gateway.models import Transmission, TransmissionEvent
from chorusbat.situations.models import Situation

FLUX_STATE_LABELS = {
    FluxState.IN_DEPOT_PORTAIL_EN_ATTENTE_TRAITEMENT_SE_CPP: _("File received by Chorus Pro, waiting to be processed."),
    FluxState.IN_EN_ATTENTE_TRAITEMENT_CPP: _("File waiting to be processed by Chorus Pro."),
    FluxState.IN_EN_COURS_TRAITEMENT_CPP: _("File being processed by Chorus Pro."),
    FluxState.IN_INTEGRE: _("File integrated by Chorus Pro."),
    FluxState.IN_INTEGRE_PARTIEL: _("File partly integrated by Chorus Pro."),
    FluxState.IN_REJETE: _("File rejected by Chorus Pro."),
    FluxState.IN_TRAITE_SE_CPP: _("File processed by Chorus Pro."),
    FluxState.IN_INCIDENTE: _("Chorus Pro reports an incident on this file."),
    FluxState.IN_ERREUR_INTERNE: _("Chorus Pro reports an internal error on this file."),
    FluxState.QP_IRRECEVABLE: _("Chorus Pro found this file not receivable."),
    FluxState.QP_RECEVABLE_AVEC_ERREUR: _("Chorus Pro received this file with errors."),
}


@dataclass
class Deposit:
    flux_number: str = ""
    invoice_id: int | None = None  # known at once for synchronous submissions
    status: str | None = None
    invoice_number: str | None = None  # the number Chorus Pro gave the piece (ours, in DEPOT_PDF_API)
    already_there: bool = False  # the piece was found before anything was sent: adopted, not deposited


@dataclass
class Found:
    invoice_id: int
    status: str | None = None
    flux_number: str | None = None
    invoice_number: str | None = None


@dataclass
class FluxProgress:
    flux_state: str | None = None
    invoice: Found | None = None
    from_earlier_deposit: bool = False  # the invoice came in through an earlier flux of ours, not this one
    integrated_not_found: bool = False  # the flux is integrated but the invoice cannot be found (yet)
    rejected: bool = False
    in_error: bool = False  # an error state (IN_INCIDENTE…): may still move on, a person looks after a while
    errors: list[str] = field(default_factory=list)

    @property
    def flux_state_label(self) -> str:
        return str(FLUX_STATE_LABELS.get(self.flux_state, self.flux_state or ""))

    @property
    def rejection_message(self) -> str:
        detail = " ; ".join(self.errors) or _("no detail given")
        return _("Chorus Pro rejected the file: %(detail)s") % {"detail": detail}

    @property
    def error_message(self) -> str:
        detail = " ; ".join(self.errors) or _("no detail given")
        return _("%(state)s Errors reported by Chorus Pro: %(detail)s.") % {
            "state": self.flux_state_label, "detail": detail}


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

    def refusal(self, situation) -> str | None:
        """Why this situation cannot be deposited by this route at all (then a person decides), or None."""
        return None

    def find(self, client: ChorusClient, situation, supplier_id: int | None) -> Found | None:
        for invoice in client.iter_supplier_invoices(
            InvoiceSearchRequest(invoice_number=situation.number, id_supplier=supplier_id)
        ):
            if invoice.invoice_number == situation.number:
                return Found(invoice.invoice_id, invoice.status, invoice.flux_number, invoice.invoice_number)
        return None

    def follow(self, client: ChorusClient, situation, flux_number: str, supplier_id: int | None) -> FluxProgress:
        report = client.flux_report(flux_number)
        state = report.state
        progress = FluxProgress(flux_state=state)
        if state in (FluxState.IN_INTEGRE, FluxState.IN_INTEGRE_PARTIEL, FluxState.IN_TRAITE_SE_CPP):
            # IN_TRAITE_SE_CPP: some clients treat it as final (review U11); the invoice may already be searchable.
            for invoice in client.iter_supplier_invoices(InvoiceSearchRequest(flux_number=flux_number)):
                if invoice.invoice_number == situation.number:
                    progress.invoice = Found(invoice.invoice_id, invoice.status, flux_number, invoice.invoice_number)
                    return progress
            if state == FluxState.IN_TRAITE_SE_CPP:
                return progress  # not integrated yet: look again later
            by_number = self.find(client, situation, supplier_id)  # the flux search may lag or differ
            if by_number is not None:
                progress.invoice = by_number
                progress.from_earlier_deposit = by_number.flux_number not in (None, "", flux_number)
                return progress
            progress.integrated_not_found = True
        if state in ERROR_FLUX_STATES:
            # Error states may still move on (§13.2): report them; the machine holds for a person after a grace.
            progress.in_error = True
            progress.errors = _report_errors(report)
            return progress
        if state == FluxState.IN_REJETE:
            # Not integrated from this flux. If an earlier attempt of ours got the invoice in, adopt it: Chorus Pro
            # refuses a second invoice with the same number, which is exactly what protects against duplicates.
            earlier = self.find(client, situation, supplier_id)
            if earlier is not None:
                progress.invoice = earlier
                progress.from_earlier_deposit = True
                return progress
            progress.rejected = True
            progress.errors = _report_errors(report)
        # Integrated but not found yet (the search lags behind the flux), or still in progress: look again later.
        return progress


class WorksRoute:
    """A4 / A10 / A13: a works payment request (modelled route, UNCONFIRMED shapes); a market's projet de décompte
    final goes in the matching final framework, A7 / A11 / A14 (situation-rules.md §6)."""

    name = "works"
    FRAMEWORKS = {
        "A4": Framework.A4_PROJET_DECOMPTE_MENSUEL_FOURNISSEUR,
        "A10": Framework.A10_PROJET_DECOMPTE_MENSUEL_SOUSTRAITANT,
        "A13": Framework.A13_PROJET_DECOMPTE_MENSUEL_COTRAITANT,
    }
    #: The final statement of a market, by the market's framework (works-billing-background.md §15.2–15.3).
    FINAL_FRAMEWORKS = {
        "A4": Framework.A7_PROJET_DECOMPTE_FINAL_FOURNISSEUR,
        "A10": Framework.A11_PROJET_DECOMPTE_FINAL_SOUSTRAITANT,
        "A13": Framework.A14_PROJET_DECOMPTE_FINAL_COTRAITANT,
    }

    def framework_of(self, situation) -> Framework:
        """The piece's framework: the market's monthly one, or its final one for the projet de décompte final."""
        frameworks = self.FINAL_FRAMEWORKS if situation.final else self.FRAMEWORKS
        return frameworks[situation.market.framework]
    #: Deposit window of the fallback lookup, around the transmission's deposit attempts (days).
    WINDOW_DAYS = 2
    #: B1: DEPOT_PDF_API keeps our number (numeroFactureSaisi); SAISIE_API would make Chorus Pro number the piece.
    DEPOSIT_MODE = DepositMode.DEPOT_PDF_API

    def file_name(self, situation) -> str:
        return safe_file_name(situation.number)

    def refusal(self, situation) -> str | None:
        # U13 (UNCONFIRMED, see chorusbat/chorus/assumptions.py): how Chorus Pro takes a negative projet de
        # décompte is unknown; an AVOIR needs the number of an original invoice a monthly piece does not have.
        if situation.ttc_amount < 0:
            return _("This works piece has a negative total (%(amount)s). How Chorus Pro accepts a negative "
                     "projet de décompte is not confirmed, so chorusbat does not send it: deposit it on the Chorus "
                     "Pro portal, or correct the situation, then use “Try again”.") % {"amount": situation.ttc_amount}
        return None

    def deposit(self, client: ChorusClient, situation, pdf: bytes) -> Deposit:
        market = situation.market
        supplier_id = _supplier_id_of(client, situation)
        # The works search first: a cheap probe of the works API (a 404 stops here, before any upload, review B8)
        # and a last lookup, so that a piece already in Chorus Pro is adopted rather than deposited again.
        already = self._find_by_number(client, situation, supplier_id)
        if already is not None:
            return Deposit(invoice_id=already.invoice_id, status=already.status,
                           invoice_number=already.invoice_number, already_there=True)
        bank_accounts = client.valid_bank_accounts(supplier_id)
        attachment = client.upload_file(UploadFileRequest.from_bytes(self.file_name(situation), pdf))
        # The situation's supporting documents (also embedded in the PDF), as complementary attachments: the exact
        # stored bytes, frozen since the situation was handed to the gateway.
        extras = [
            ExtraAttachment(
                designation=item.filename,
                attachment_id=client.upload_file(
                    UploadFileRequest.from_bytes(item.filename, item.data_bytes, item.mime)).attachment_id,
            )
            for item in situation.attachments.order_by("pk")
        ]
        framework_code = self.framework_of(situation)
        with_validator = market.framework in ("A10", "A13")  # and their final frameworks A11 / A14
        request = works.WorksSubmitRequest(
            deposit_mode=self.DEPOSIT_MODE,
            invoice_number=situation.number,
            invoice_date=situation.date,
            recipient=Recipient(siret=market.buyer_siret, service_code=market.buyer_service_code or None),
            supplier=Supplier(id_structure=supplier_id,
                              bank_account_id=bank_accounts[0].id if bank_accounts else None),
            framework=BillingFramework(
                code=framework_code,
                validator_siret=(market.validator_siret or None) if with_validator else None,
            ),
            references=InvoiceReferences(
                invoice_type="FACTURE",  # negative pieces are refused above (U13)
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
            extra_attachments=extras or None,
            # B4 (UNCONFIRMED): an A4 names its MOE; an A10 / A13 names its validator and no MOE.
            moe=works.Moe(siret=market.validator_siret) if not with_validator and market.validator_siret else None,
            moa=works.Moa(siret=market.buyer_siret, service_code=market.buyer_service_code or None),
        )
        result = works.submit_works_invoice(client, request)
        return Deposit(invoice_id=result.works_invoice_id, status=result.status,
                       invoice_number=result.works_invoice_number)

    def find(self, client: ChorusClient, situation, supplier_id: int | None) -> Found | None:
        """By our number first; then, since the number cannot always be trusted (a piece Chorus Pro numbered
        itself, review B1), by supplier + market + deposit window + amounts."""
        found = self._find_by_number(client, situation, supplier_id)
        if found is not None:
            return found
        return self._find_by_market_and_amounts(client, situation, supplier_id)

    def _find_by_number(self, client, situation, supplier_id) -> Found | None:
        request = works.WorksSearchRequest(works_invoice_number=situation.number, id_supplier=supplier_id)
        for piece in works.iter_works_invoices(client, request):
            if piece.works_invoice_number == situation.number:
                return Found(piece.works_invoice_id, piece.status, invoice_number=piece.works_invoice_number)
        return None

    def _find_by_market_and_amounts(self, client, situation, supplier_id) -> Found | None:
        attempts = TransmissionEvent.objects.filter(
            transmission__situation=situation, kind=TransmissionEvent.Kind.DEPOSIT_ATTEMPT).order_by("at")
        first = attempts.first()
        if first is None or supplier_id is None:
            return None  # never attempted: nothing of ours can be in Chorus Pro
        window = timedelta(days=self.WINDOW_DAYS)
        request = works.WorksSearchRequest(
            id_supplier=supplier_id, market_number=situation.market.number,
            framework=self.framework_of(situation),
            deposited_from=(first.at - window).date().isoformat(),
            deposited_until=(timezone.now() + window).date().isoformat(),
        )
        candidates = [p for p in works.iter_works_invoices(client, request)
                      if p.works_invoice_number != situation.number
                      and _same_amount(p.gross_amount, situation.ttc_amount)
                      and _same_amount(p.payable_amount, situation.net_amount)]
        if not candidates:
            return None
        # A piece carrying the number of another of our situations, or already adopted by another transmission,
        # is that one's, not this one's.
        numbers = {p.works_invoice_number for p in candidates if p.works_invoice_number}
        others = set(Situation.objects.filter(company_id=situation.company_id, number__in=numbers)
                     .exclude(pk=situation.pk).values_list("number", flat=True))
        taken = set(Transmission.objects.filter(chorus_invoice_id__in=[p.works_invoice_id for p in candidates])
                    .exclude(situation=situation).values_list("chorus_invoice_id", flat=True))
        mine = sorted((p for p in candidates if p.works_invoice_number not in others
                       and p.works_invoice_id not in taken), key=lambda p: p.works_invoice_id)
        if not mine:
            return None
        piece = mine[0]
        return Found(piece.works_invoice_id, piece.status, invoice_number=piece.works_invoice_number)

    def follow(self, client, situation, flux_number, supplier_id) -> FluxProgress:  # pragma: no cover - no flux
        raise BusinessError(None, "works pieces have no flux to follow")


def _same_amount(reported: Decimal | None, ours: Decimal) -> bool:
    return reported is not None and Decimal(reported).quantize(Decimal("0.01")) == Decimal(ours).quantize(
        Decimal("0.01"))


def _report_errors(report) -> list[str]:
    """The French-readable errors of a flux report: per-invoice errors first, then technical ones."""
    errors = []
    for e in report.invoice_errors:
        if e.message:
            errors.append(f"{e.invoice_number} : {e.message}" if e.invoice_number else e.message)
    for e in report.technical_errors:
        if e.message:
            errors.append(f"{e.message} ({e.code})" if e.code else e.message)
    return errors


def _supplier_id_of(client: ChorusClient, situation) -> int:
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
    """The route of a market's framework (an A1 market sends its final statement as an ordinary A1 invoice)."""
    return _WORKS if market.framework in WorksRoute.FRAMEWORKS else _FLUX
