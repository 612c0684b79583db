"""Adapter for the "Factures de travaux" family (works payment requests: A4, A7, A8, A10, A13…).

This is the least documented part of Chorus Pro (chorus-pro-api.md §12): only ``facturesTravaux/v1/rechercher``
is confirmed on PISTE. Every other path and field below is UNCONFIRMED and follows the local sandbox's model
(``chorus_sandbox/assumptions.py``: ``WORKS_*``), so that when qualification shows the real shapes, this file —
and only this file — changes. Validate it in qualification before relying on it in production.

Modelled shapes:
- ``soumettre``: the ``factures/v1/soumettre`` body with a works framework, sent in ``DEPOT_PDF_API`` so that
  Chorus Pro keeps chorusbat's own number (``numeroFactureSaisi``) with the Factur-X PDF as main attachment
  (fidelity review B1: in ``SAISIE_API`` Chorus Pro numbers the piece itself, and a lookup by our number could
  never find it). The MOE / MOA are named by
  ``moe{codeStructureMoe, codeServiceMoe}`` and ``moa{codeStructureMoa, codeServiceMoa}`` (how an A4 names the
  MOE is UNCONFIRMED, §12.4; an A4 names its MOE, an A10 / A13 names its validator instead and no MOE, see
  ``assumptions.WORKS_MOE_REQUIRED_FRAMEWORKS``) and the previous piece of the dossier in ``idPiecePrecedente``;
  the recipient defaults to the MOA. Answers ``{idFactureTravaux, numeroFactureTravaux, statutFactureTravaux,
  dateDepotFactureTravaux}``.
- ``consulter``: ``{idFactureTravaux}`` → ``{factureTravaux}``, shaped like ``facture`` of
  ``factures/v1/consulter/fournisseur`` (§10.5).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from decimal import Decimal

from pydantic import AliasChoices, Field

from chorusbat.chorus.client import PAGE_SIZE, ChorusClient, iter_pages
from chorusbat.chorus.enums import Framework
from chorusbat.chorus.errors import RequestRejected, WorksApiUnavailable
from chorusbat.chorus.models import (
    BillingFramework,
    ChorusDate,
    ChorusDateTime,
    Envelope,
    IssuedInvoice,
    PageInfo,
    Recipient,
    Request,
    Response,
    SubmitInvoiceRequest,
)
from chorusbat.chorus.operations import Operation

logger = logging.getLogger("chorusbat.chorus")

# Confirmed (§12.1).
SEARCH = Operation(path="/cpro/facturesTravaux/v1/rechercher", retry_safe=True, is_search=True)
# UNCONFIRMED paths (§12.2), as served by the sandbox.
SUBMIT = Operation(path="/cpro/facturesTravaux/v1/soumettre", retry_safe=False)
CONSULT = Operation(path="/cpro/facturesTravaux/v1/consulter", retry_safe=True)

# Frameworks a contractor deposits in the works circuit (§12.4).
WORKS_SUBMIT_FRAMEWORKS = frozenset(
    {
        Framework.A4_PROJET_DECOMPTE_MENSUEL_FOURNISSEUR,
        Framework.A7_PROJET_DECOMPTE_FINAL_FOURNISSEUR,
        Framework.A8_DECOMPTE_GENERAL_DEFINITIF_FOURNISSEUR,
        Framework.A10_PROJET_DECOMPTE_MENSUEL_SOUSTRAITANT,
        Framework.A11_PROJET_DECOMPTE_FINAL_SOUSTRAITANT,
        Framework.A13_PROJET_DECOMPTE_MENSUEL_COTRAITANT,
        Framework.A14_PROJET_DECOMPTE_FINAL_COTRAITANT,
    }
)


class Moe(Request):
    """The project manager (maître d'œuvre) who receives the piece first. UNCONFIRMED field names."""

    siret: str = Field(alias="codeStructureMoe")
    service_code: str | None = Field(None, alias="codeServiceMoe")


class Moa(Request):
    """The contracting authority (maître d'ouvrage). UNCONFIRMED field names."""

    siret: str = Field(alias="codeStructureMoa")
    service_code: str | None = Field(None, alias="codeServiceMoa")


class WorksSubmitRequest(SubmitInvoiceRequest):
    """A works piece: the ``soumettre`` body plus MOE and MOA (UNCONFIRMED, §12.2, §12.4)."""

    framework: BillingFramework = Field(
        default_factory=lambda: BillingFramework(code=Framework.A4_PROJET_DECOMPTE_MENSUEL_FOURNISSEUR),
        alias="cadreDeFacturation",
    )
    recipient: Recipient | None = Field(None, alias="destinataire")  # the MOA's when absent
    moe: Moe | None = Field(None, alias="moe")
    moa: Moa | None = Field(None, alias="moa")
    previous_piece_id: int | None = Field(None, alias="idPiecePrecedente")


class WorksSubmitResult(Envelope):
    works_invoice_id: int = Field(alias="idFactureTravaux")
    works_invoice_number: str | None = Field(None, alias="numeroFactureTravaux")
    status: str | None = Field(None, alias="statutFactureTravaux")
    deposited_at: ChorusDateTime = Field(
        None, validation_alias=AliasChoices("dateDepotFactureTravaux", "dateDepot")
    )


class WorksSearchPaging(Request):
    per_page: int | None = Field(None, alias="nbResultatsParPage")
    page: int | None = Field(None, alias="pageResultatDemandee")


class WorksSearchRequest(Request):
    """``facturesTravaux/v1/rechercher`` (§12.1); the first block is the body used in production."""

    role: str = Field("FOURNISSEUR", alias="roleUtilisateur")
    id_recipient: int | None = Field(None, alias="idDestinataire")
    id_service: int | None = Field(None, alias="idServiceExecutant")
    state_changed_from: str | None = Field(None, alias="periodeDateHeureEtatCourantDu")
    state_changed_until: str | None = Field(None, alias="periodeDateHeureEtatCourantAu")
    id_supplier: int | None = Field(None, alias="idStructureFournisseur")
    framework: Framework | None = Field(None, alias="cadreFacturation")
    statuses: list[str] | None = Field(None, alias="listeStatutCourant")
    works_invoice_number: str | None = Field(None, alias="numeroFactureTravaux")
    market_number: str | None = Field(None, alias="numeroMarche")
    deposited_from: str | None = Field(None, alias="periodeDateDepotDu")
    deposited_until: str | None = Field(None, alias="periodeDateDepotAu")
    paging: WorksSearchPaging | None = Field(None, alias="rechercheFactureTravaux")


class WorksInvoiceSummary(Response):
    works_invoice_id: int = Field(alias="idFactureTravaux")
    works_invoice_number: str | None = Field(None, alias="numeroFactureTravaux")
    framework: str | None = Field(None, alias="cadreFacturation")
    # U3: only ``idFactureTravaux`` is confirmed; the status field may be named any of these.
    status: str | None = Field(None, validation_alias=AliasChoices("statut", "statutFactureTravaux", "statutCourant"))
    works_invoice_type: str | None = Field(None, alias="typeFactureTravaux")
    invoice_date: ChorusDate = Field(None, alias="dateFactureTravaux")
    deposited_at: ChorusDateTime = Field(None, validation_alias=AliasChoices("dateDepot", "dateDepotFactureTravaux"))
    state_changed_at: ChorusDateTime = Field(None, alias="dateHeureEtatCourant")
    state_comment: str | None = Field(None, alias="commentaireEtatCourant")
    market_number: str | None = Field(None, alias="numeroMarche")
    net_amount: Decimal | None = Field(None, alias="montantHT")
    gross_amount: Decimal | None = Field(None, alias="montantTTC")
    payable_amount: Decimal | None = Field(None, alias="montantAPayer")


class WorksSearchResult(Envelope):
    invoices: list[WorksInvoiceSummary] = Field(default_factory=list, alias="listeFacturesTravaux")
    page_info: PageInfo | None = Field(None, alias="parametresRetour")


class WorksConsultRequest(Request):
    works_invoice_id: int = Field(alias="idFactureTravaux")


class WorksInvoice(Envelope):
    piece: IssuedInvoice = Field(alias="factureTravaux")


def _works_call(client: ChorusClient, operation, request, result):
    """A works call; a 404 means the operation is not served in this environment (review B8, U1)."""
    try:
        return client.call(operation, request, result)
    except RequestRejected as exc:
        if exc.http_status == 404:
            raise WorksApiUnavailable(operation.name, http_status=404) from None
        raise


def submit_works_invoice(client: ChorusClient, request: WorksSubmitRequest) -> WorksSubmitResult:
    """Deposit a works piece. Never retried automatically (see ``TransientError.maybe_delivered``)."""
    if request.framework.code not in WORKS_SUBMIT_FRAMEWORKS:
        raise ValueError(f"{request.framework.code} is not a works framework a contractor deposits")
    return _works_call(client, SUBMIT, request, WorksSubmitResult)


def consult_works_invoice(client: ChorusClient, works_invoice_id: int) -> WorksInvoice:
    return _works_call(client, CONSULT, WorksConsultRequest(works_invoice_id=works_invoice_id), WorksInvoice)


_logged_unknown_fields = False


def _log_unknown_fields(result: WorksSearchResult) -> None:
    """Review U3: only ``idFactureTravaux`` is confirmed in works search items. The field names chorusbat does not
    read are logged once per process (names only, never values), to correct the model from the first real answer."""
    global _logged_unknown_fields
    if _logged_unknown_fields or not result.invoices:
        return
    _logged_unknown_fields = True
    extra = sorted(result.invoices[0].model_extra or {})
    logger.info("works search item: fields not read by chorusbat: %s", ", ".join(extra) or "none")


def iter_works_invoices(client: ChorusClient, request: WorksSearchRequest) -> Iterator[WorksInvoiceSummary]:
    """Every works piece matching ``request``, all pages read ("no result" = code 20007, an empty list)."""

    def page(number: int) -> WorksSearchResult:
        paging = WorksSearchPaging(page=number, per_page=PAGE_SIZE)
        result = _works_call(client, SEARCH, request.model_copy(update={"paging": paging}), WorksSearchResult)
        _log_unknown_fields(result)
        return result

    return iter_pages(page, lambda r: r.invoices)
