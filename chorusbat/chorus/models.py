"""Typed requests and responses of the Chorus Pro operations chorusbat uses (pydantic v2).

Conventions (chorus-pro-api.md §6):
- Python names are snake_case; the Swagger names are kept as aliases, so ``model_dump(by_alias=True)`` is
  the wire format and responses are read by their Swagger names.
- Responses tolerate and keep unknown fields (``extra="allow"``); requests forbid them ("send none").
- Every amount is a ``Decimal`` (responses are decoded with ``parse_float=Decimal``, see ``jsoncodec``).
- Dates are read with the tolerant parser of ``dates``; codes (SIRET, service codes) stay strings.
- Statuses are plain strings, not enums: Chorus Pro sends values the documentation does not list.
"""

from __future__ import annotations

import base64
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from chorusbat.chorus.dates import parse_date, parse_datetime
from chorusbat.chorus.enums import DepositMode, FluxSyntax, Framework, IdentifierType

ChorusDateTime = Annotated[datetime | None, BeforeValidator(parse_datetime)]
ChorusDate = Annotated[date | None, BeforeValidator(parse_date)]


class Request(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_by_name=True, validate_by_alias=True)

    def to_body(self) -> dict:
        """The JSON body: Swagger names, no nulls (§6 "send only what you mean")."""
        return self.model_dump(by_alias=True, exclude_none=True)


class Response(BaseModel):
    model_config = ConfigDict(
        extra="allow", validate_by_name=True, validate_by_alias=True, coerce_numbers_to_str=True
    )


class Envelope(Response):
    """Every Chorus Pro answer carries ``codeRetour`` (0 = success) and ``libelle`` (§6)."""

    code_retour: int = Field(0, alias="codeRetour")
    libelle: str | None = Field(None, alias="libelle")


class PageInfo(Response):
    """``parametresRetour`` of paged searches (§16)."""

    page: int = Field(1, alias="pageCourante")
    pages: int = Field(1, alias="pages")
    per_page: int | None = Field(None, alias="nbResultatsParPage")
    total: int | None = Field(None, alias="total")


# --- Transverses (§7) -----------------------------------------------------------------------------------------


class HealthCheck(Envelope):
    body: object | None = Field(None, alias="body")
    status_code: str | None = Field(None, alias="statusCode")
    status_code_value: int | None = Field(None, alias="statusCodeValue")


class OwnStructure(Response):
    id_structure_cpp: int = Field(alias="idStructureCPP")
    identifier: str | None = Field(None, alias="identifiant")
    name: str | None = Field(None, alias="designationStructure")


class OwnStructures(Envelope):
    structures: list[OwnStructure] = Field(default_factory=list, alias="listeStructures")


class BankAccountsRequest(Request):
    id_structure: int = Field(alias="idStructure")


class BankAccount(Response):
    id: int = Field(alias="idCoordonneeBancaire")
    name: str | None = Field(None, alias="nomCoordonneeBancaire")


class BankAccounts(Envelope):
    accounts: list[BankAccount] = Field(default_factory=list, alias="listeCoordonneeBancaire")


class UploadFileRequest(Request):
    """``ajouter/fichier``: at most 10 MB, name ≤ 50 characters with the extension (§7)."""

    content_base64: str = Field(alias="pieceJointeFichier", repr=False)
    name: str = Field(alias="pieceJointeNom", max_length=50)
    mime_type: str = Field(alias="pieceJointeTypeMime")
    extension: str = Field(alias="pieceJointeExtension")

    @classmethod
    def from_bytes(cls, name: str, content: bytes, mime_type: str = "application/pdf") -> UploadFileRequest:
        extension = name.rsplit(".", 1)[-1].upper() if "." in name else ""
        return cls(
            content_base64=base64.b64encode(content).decode("ascii"),
            name=name,
            mime_type=mime_type,
            extension=extension,
        )


class UploadFileResult(Envelope):
    attachment_id: int = Field(alias="pieceJointeId")


class FluxReportRequest(Request):
    flux_number: str = Field(alias="numeroFluxDepot")
    syntax: FluxSyntax | None = Field(None, alias="syntaxeFlux")


class FluxInvoiceError(Response):
    recipient_identifier: str | None = Field(None, alias="identifiantDestinataire")
    supplier_identifier: str | None = Field(None, alias="identifiantFournisseur")
    message: str | None = Field(None, alias="libelleErreurDP")
    invoice_number: str | None = Field(None, alias="numeroDP")


class FluxTechnicalError(Response):
    code: str | None = Field(None, alias="codeErreur")
    message: str | None = Field(None, alias="libelleErreur")
    nature: str | None = Field(None, alias="natureErreur")


class FluxReport(Envelope):
    """``consulterCRDetaille`` (§7): the state of a deposited flux and its per-invoice errors."""

    interface_code: str | None = Field(None, alias="codeInterfaceDepotFlux")
    deposited_at: ChorusDateTime = Field(None, alias="dateDepotFlux")
    state_changed_at: ChorusDateTime = Field(None, alias="dateHeureEtatCourantFlux")
    state: str | None = Field(None, alias="etatCourantDepotFlux")
    file_name: str | None = Field(None, alias="nomFichier")
    invoice_errors: list[FluxInvoiceError] = Field(default_factory=list, alias="listeErreurDP")
    technical_errors: list[FluxTechnicalError] = Field(default_factory=list, alias="listeErreurTechnique")


# --- Structures (§8) ------------------------------------------------------------------------------------------


class StructureCriteria(Request):
    identifier: str | None = Field(None, alias="identifiantStructure")
    identifier_type: IdentifierType | None = Field(None, alias="typeIdentifiantStructure")
    company_name: str | None = Field(None, alias="raisonSocialeStructure")
    status: str | None = Field(None, alias="statutStructure")  # ACTIF | INACTIF
    kind: str | None = Field(None, alias="typeStructure")  # PRIVEE | PUBLIQUE


class SearchPaging(Request):
    per_page: int | None = Field(None, alias="nbResultatsParPage")
    page: int | None = Field(None, alias="pageResultatDemandee")
    sort_column: str | None = Field(None, alias="triColonne")
    sort_direction: str | None = Field(None, alias="triSens")


class StructureSearchRequest(Request):
    structure: StructureCriteria
    # AIFE's rule (fidelity review B6): absent or true → public structures plus only the private structures
    # attached to the calling technical account; false → every public and private structure.
    restrict_private: bool | None = Field(None, alias="restreindreStructuresPrivees")
    paging: SearchPaging | None = Field(None, alias="parametres")

    @classmethod
    def by_siret(cls, siret: str, *, restrict_private: bool | None = None) -> StructureSearchRequest:
        """The minimal SIRET lookup body of §8.1 (the flag is sent only when given)."""
        return cls(structure=StructureCriteria(identifier=siret, identifier_type=IdentifierType.SIRET),
                   restrict_private=restrict_private)


class StructureSummary(Response):
    id_structure_cpp: int = Field(alias="idStructureCPP")
    identifier: str | None = Field(None, alias="identifiantStructure")
    name: str | None = Field(None, alias="designationStructure")
    identifier_type: str | None = Field(None, alias="typeIdentifiantStructure")
    status: str | None = Field(None, alias="statut")  # ACTIVE | INACTIVE


class StructureSearchResult(Envelope):
    structures: list[StructureSummary] = Field(default_factory=list, alias="listeStructures")
    page_info: PageInfo | None = Field(None, alias="parametresRetour")


class ConsultStructureRequest(Request):
    id_structure_cpp: int = Field(alias="idStructureCPP")
    language: str = Field("FR", alias="codeLangue")


class StructureGeneralInformation(Response):
    id_structure_cpp: int | None = Field(None, alias="idStructureCPP")
    identifier: str | None = Field(None, alias="identifiantStructure")
    identifier_type: str | None = Field(None, alias="typeIdentifiantStructure")
    label: str | None = Field(None, alias="libelleStructure")
    company_name: str | None = Field(None, alias="raisonSocialeStructure")
    email: str | None = Field(None, alias="emailStructure")
    vat_number: str | None = Field(None, alias="numeroTVA")
    kind: str | None = Field(None, alias="structurePriveePublique")  # PRIVEE | PUBLIQUE
    technical_password_expires_at: ChorusDateTime = Field(None, alias="dateExpirationMotPasseCompteTech")


class StructureParameters(Response):
    """The routing flags of a recipient (§15)."""

    service_required: bool = Field(False, alias="codeServiceDoitEtreRenseigne")
    ej_required: bool = Field(False, alias="numeroEJDoitEtreRenseigne")
    ej_or_service: bool = Field(False, alias="gestionNumeroEJOuCodeService")
    edi_connection: bool | None = Field(None, alias="connexionEDI")
    is_moa_only: bool = Field(False, alias="estMoaUniquement")
    is_moa: bool = Field(False, alias="getaMoa")
    is_delegated_validator: bool | None = Field(None, alias="estValideurDelegue")
    payment_status_not_reported: bool | None = Field(None, alias="statutMiseEnPaiementNestPasRemonte")


class StructureDetails(Envelope):
    general: StructureGeneralInformation | None = Field(None, alias="informationGenerales")
    parameters: StructureParameters = Field(default_factory=StructureParameters, alias="parametres")
    address: dict | None = Field(None, alias="adressePostaleDuSiege")


class ServiceSearchRequest(Request):
    id_structure: int = Field(alias="idStructure")
    # The paging object must carry this exact name; a generic ``parametres`` is rejected (§8.3, observed).
    paging: SearchPaging | None = Field(None, alias="parametresRechercherServicesStructure")


class ServiceSummary(Response):
    id: int = Field(alias="idService")
    code: str | None = Field(None, alias="codeService")
    name: str | None = Field(None, alias="libelleService")
    active: bool = Field(False, alias="estActif")
    status: str | None = Field(None, alias="statutService")
    starts_at: ChorusDateTime = Field(None, alias="dateDbtService")
    ends_at: ChorusDateTime = Field(None, alias="dateFinService")


class ServiceSearchResult(Envelope):
    services: list[ServiceSummary] = Field(default_factory=list, alias="listeServices")
    page_info: PageInfo | None = Field(None, alias="parametresRetour")


class ConsultServiceRequest(Request):
    id_structure: int = Field(alias="idStructure")
    id_service: int = Field(alias="idService")
    language: str = Field("FR", alias="codeLangue")


class ServiceGeneralInformation(Response):
    code: str | None = Field(None, alias="codeService")
    name: str | None = Field(None, alias="nomService")
    description: str | None = Field(None, alias="descriptionService")


class ServiceParameters(Response):
    ej_required: bool = Field(False, alias="numeroEngagement")
    payment_follow_up: bool | None = Field(None, alias="miseEnPaiement")
    valid_from: ChorusDateTime = Field(None, alias="dateDebutValidite")
    valid_until: ChorusDateTime = Field(None, alias="dateFinValidite")


class ServiceDetails(Envelope):
    general: ServiceGeneralInformation | None = Field(None, alias="informationsGenerales")
    parameters: ServiceParameters = Field(default_factory=ServiceParameters, alias="parametres")


# --- Factures: deposit and submission (§10.1, §10.2) ----------------------------------------------------------


class DepositFluxRequest(Request):
    content_base64: str = Field(alias="fichierFlux", repr=False)
    file_name: str = Field(alias="nomFichier")
    syntax: FluxSyntax = Field(alias="syntaxeFlux")
    signed: bool = Field(False, alias="avecSignature")

    @classmethod
    def from_bytes(cls, file_name: str, content: bytes, syntax: FluxSyntax) -> DepositFluxRequest:
        return cls(content_base64=base64.b64encode(content).decode("ascii"), file_name=file_name, syntax=syntax)


class DepositFluxResult(Envelope):
    flux_number: str = Field(alias="numeroFluxDepot")
    deposited_at: ChorusDateTime = Field(None, alias="dateDepot")
    syntax: str | None = Field(None, alias="syntaxeFlux")


class Recipient(Request):
    siret: str = Field(alias="codeDestinataire")
    service_code: str | None = Field(None, alias="codeServiceExecutant")


class Supplier(Request):
    id_structure: int = Field(alias="idFournisseur")
    id_service: int | None = Field(None, alias="idServiceFournisseur")
    bank_account_id: int | None = Field(None, alias="codeCoordonneesBancairesFournisseur")


class BillingFramework(Request):
    code: Framework = Field(Framework.A1_FACTURE_FOURNISSEUR, alias="codeCadreFacturation")
    validator_siret: str | None = Field(None, alias="codeStructureValideur")
    validator_service_code: str | None = Field(None, alias="codeServiceValideur")


class InvoiceReferences(Request):
    currency: str = Field("EUR", alias="deviseFacture")
    invoice_type: str = Field("FACTURE", alias="typeFacture")
    vat_type: str = Field("TVA_SUR_DEBIT", alias="typeTva")
    vat_exemption_reason: str | None = Field(None, alias="motifExonerationTva")
    market_number: str | None = Field(None, alias="numeroMarche")
    ej_number: str | None = Field(None, alias="numeroBonCommande", max_length=50)
    original_invoice_number: str | None = Field(None, alias="numeroFactureOrigine")
    payment_mode: str | None = Field(None, alias="modePaiement")


class InvoiceLine(Request):
    number: int = Field(alias="lignePosteNumero")
    reference: str | None = Field(None, alias="lignePosteReference")
    label: str = Field(alias="lignePosteDenomination")
    quantity: Decimal = Field(alias="lignePosteQuantite")
    unit: str | None = Field(None, alias="lignePosteUnite")
    unit_price: Decimal = Field(alias="lignePosteMontantUnitaireHT")
    discount: Decimal | None = Field(None, alias="lignePosteMontantRemiseHT")
    vat_code: str | None = Field(None, alias="lignePosteTauxTva")
    vat_rate: Decimal | None = Field(None, alias="lignePosteTauxTvaManuel")


class VatLine(Request):
    vat_code: str | None = Field(None, alias="ligneTvaTaux")
    base: Decimal = Field(alias="ligneTvaMontantBaseHtParTaux")
    vat: Decimal = Field(alias="ligneTvaMontantTvaParTaux")
    vat_rate: Decimal | None = Field(None, alias="ligneTvaTauxManuel")


class Totals(Request):
    net: Decimal = Field(alias="montantHtTotal")
    vat: Decimal = Field(alias="montantTVA")
    gross: Decimal = Field(alias="montantTtcTotal")
    global_discount: Decimal | None = Field(None, alias="montantRemiseGlobaleTTC")
    global_discount_reason: str | None = Field(None, alias="motifRemiseGlobaleTTC")
    payable: Decimal = Field(alias="montantAPayer")


class MainAttachment(Request):
    designation: str = Field(alias="pieceJointePrincipaleDesignation")
    attachment_id: int = Field(alias="pieceJointePrincipaleId")


class ExtraAttachment(Request):
    designation: str = Field(alias="pieceJointeComplementaireDesignation")
    type: str | None = Field(None, alias="pieceJointeComplementaireType")
    line_number: int | None = Field(None, alias="pieceJointeComplementaireNumeroLigneFacture")
    attachment_id: int = Field(alias="pieceJointeComplementaireId")
    link_id: int | None = Field(None, alias="pieceJointeComplementaireIdLiaison")


class SubmitInvoiceRequest(Request):
    """``soumettre`` (§10.1). The main attachment is sent as a one-element array, as production clients do."""

    deposit_mode: DepositMode = Field(alias="modeDepot")
    invoice_number: str | None = Field(None, alias="numeroFactureSaisi")
    invoice_date: date | None = Field(None, alias="dateFacture")
    recipient: Recipient = Field(alias="destinataire")
    supplier: Supplier = Field(alias="fournisseur")
    framework: BillingFramework = Field(default_factory=BillingFramework, alias="cadreDeFacturation")
    references: InvoiceReferences = Field(default_factory=InvoiceReferences, alias="references")
    lines: list[InvoiceLine] | None = Field(None, alias="lignePoste")
    vat_lines: list[VatLine] | None = Field(None, alias="ligneTva")
    totals: Totals = Field(alias="montantTotal")
    main_attachment: list[MainAttachment] | None = Field(None, alias="pieceJointePrincipale")
    extra_attachments: list[ExtraAttachment] | None = Field(None, alias="pieceJointeComplementaire")
    comment: str | None = Field(None, alias="commentaire")


class SubmitInvoiceResult(Envelope):
    invoice_id: int = Field(alias="identifiantFactureCPP")
    invoice_number: str | None = Field(None, alias="numeroFacture")
    status: str | None = Field(None, alias="statutFacture")
    deposited_at: ChorusDateTime = Field(None, alias="dateDepot")
    supplier_identifier: str | None = Field(None, alias="identifiantStructure")
    certificate_fingerprint: str | None = Field(None, alias="empreinteCertificatDepot")


# --- Factures: follow-up (§10.4–§10.6) ------------------------------------------------------------------------


class InvoiceSearchPaging(Request):
    max_results: int | None = Field(None, alias="nbResultatsMaximum")
    page: int | None = Field(None, alias="pageResultatDemandee")
    per_page: int | None = Field(None, alias="nbResultatsParPage")
    sort_direction: str | None = Field(None, alias="triSens")
    sort_column: str | None = Field(None, alias="triColonne")


class InvoiceSearchRequest(Request):
    """``rechercher/fournisseur`` (§10.4), with the filters chorusbat uses; all optional."""

    invoice_number: str | None = Field(None, alias="numeroFacture")
    flux_number: str | None = Field(None, alias="numeroFluxDepot")
    id_supplier: int | None = Field(None, alias="idFournisseur")
    statuses: list[str] | None = Field(None, alias="statutCourant")
    market_number: str | None = Field(None, alias="numeroMarche")
    ej_number: str | None = Field(None, alias="numeroBonCommande")
    deposited_from: date | None = Field(None, alias="periodeDateDepotDu")
    deposited_until: date | None = Field(None, alias="periodeDateDepotAu")
    # A datetime is sent as YYYY-MM-DDTHH:MM:SS (Paris time), a date as YYYY-MM-DD (§6).
    state_changed_from: datetime | date | None = Field(None, alias="periodeDateHeureEtatCourantDu")
    state_changed_until: datetime | date | None = Field(None, alias="periodeDateHeureEtatCourantAu")
    framework: Framework | None = Field(None, alias="cadreFacturation")
    deposit_mode: str | None = Field(None, alias="modeDepot")
    paging: InvoiceSearchPaging | None = Field(None, alias="rechercheFactureParFournisseur")


class InvoiceSummary(Response):
    invoice_id: int = Field(alias="identifiantFactureCPP")
    invoice_number: str | None = Field(None, alias="numeroFacture")
    request_type: str | None = Field(None, alias="typeDemandePaiement")
    invoice_type: str | None = Field(None, alias="typeFacture")
    status: str | None = Field(None, alias="statut")
    recipient_siret: str | None = Field(None, alias="codeDestinataire")
    recipient_service_code: str | None = Field(None, alias="codeServiceExecutant")
    invoice_date: ChorusDate = Field(None, alias="dateFacture")
    deposited_at: ChorusDateTime = Field(None, alias="dateDepot")
    net_amount: Decimal | None = Field(None, alias="montantHT")
    gross_amount: Decimal | None = Field(None, alias="montantTTC")
    payable_amount: Decimal | None = Field(None, alias="montantAPayer")
    market_number: str | None = Field(None, alias="numeroMarche")
    ej_number: str | None = Field(None, alias="numeroBonCommande")
    flux_number: str | None = Field(None, alias="numeroFluxDepot")
    deposit_mode: str | None = Field(None, alias="modeDepot")
    state_changed_at: ChorusDateTime = Field(None, alias="dateHeureEtatCourant")
    state_comment: str | None = Field(None, alias="commentaireEtatCourant")
    rejection_acknowledged: bool | None = Field(None, alias="rejetTraite")


class InvoiceSearchResult(Envelope):
    invoices: list[InvoiceSummary] = Field(default_factory=list, alias="listeFactures")
    page_info: PageInfo | None = Field(None, alias="parametresRetour")


class ConsultInvoiceRequest(Request):
    invoice_id: int = Field(alias="identifiantFactureCPP")
    language: str = Field("FR", alias="codeLangue")


class InvoiceAmounts(Response):
    net: Decimal | None = Field(None, alias="montantHtTotal")
    vat: Decimal | None = Field(None, alias="montantTVA")
    gross_before_discount: Decimal | None = Field(None, alias="montantTtcAvantRemiseGlobalTTC")
    global_discount: Decimal | None = Field(None, alias="montantRemiseGlobaleTTC")
    gross: Decimal | None = Field(None, alias="montantTtcTotal")
    payable: Decimal | None = Field(None, alias="montantAPayer")


class InvoiceOutputReferences(Response):
    invoice_date: ChorusDate = Field(None, alias="dateFacture")
    deposited_at: ChorusDateTime = Field(None, alias="dateDepot")
    invoice_type: str | None = Field(None, alias="typeFacture")
    works_invoice_type: str | None = Field(None, alias="typeFactureTravaux")
    market_number: str | None = Field(None, alias="numeroMarche")
    ej_number: str | None = Field(None, alias="numeroBonCommande")
    original_invoice_number: str | None = Field(None, alias="numeroFactureOrigine")
    due_date: ChorusDate = Field(None, alias="dateEcheancePaiement")


class IssuedInvoice(Response):
    """``facture`` of ``consulter/fournisseur`` (§10.5); blocks not modelled here are kept as extra fields."""

    invoice_id: int = Field(alias="identifiantFactureCPP")
    invoice_number: str | None = Field(None, alias="numeroFacture")
    status: str | None = Field(None, alias="statutFacture")
    deposit_mode: str | None = Field(None, alias="modeDepot")
    rejection_acknowledged: bool | None = Field(None, alias="rejetTraite")
    comment: str | None = Field(None, alias="commentaire")
    recipient: dict | None = Field(None, alias="destinataire")
    supplier: dict | None = Field(None, alias="fournisseur")
    framework: dict | None = Field(None, alias="cadreDeFacturation")
    references: InvoiceOutputReferences | None = Field(None, alias="references")
    amounts: InvoiceAmounts | None = Field(None, alias="montantTotal")


class ConsultInvoiceResult(Envelope):
    invoice: IssuedInvoice = Field(alias="facture")


class HistoryStatusPaging(Request):
    """``paramRechercheHistoStatuts`` (SW-F): the status history is paged and its order is otherwise undocumented
    (review U10), so chorusbat asks for it explicitly: 100 a page, oldest first."""

    page: int | None = Field(None, alias="pageResultatDemandeeListeHistoStatut")
    per_page: int | None = Field(None, alias="nbResultatsParPageListeHistoStatut")
    sort_column: str | None = Field(None, alias="triColonneListeHistoStatut")
    sort_direction: str | None = Field(None, alias="triSensListeHistoStatut")


class InvoiceHistoryRequest(Request):
    invoice_id: int = Field(alias="idFacture")
    status_paging: HistoryStatusPaging | None = Field(None, alias="paramRechercheHistoStatuts")


class StatusChange(Response):
    id: int | None = Field(None, alias="histoStatutId")
    status: str = Field(alias="histoStatutCode")
    at: ChorusDateTime = Field(None, alias="histoStatutDatePassage")
    comment: str | None = Field(None, alias="histoStatutCommentaire")


class StatusHistory(Response):
    changes: list[StatusChange] = Field(default_factory=list, alias="histoStatut")
    page: int | None = Field(None, alias="pageCouranteHistoStatut")
    pages: int | None = Field(None, alias="pagesHistoStatut")


class InvoiceHistory(Envelope):
    invoice_id: int | None = Field(None, alias="idFacture")
    invoice_number: str | None = Field(None, alias="numeroFacture")
    deposit_mode: str | None = Field(None, alias="modeDepot")
    current_status: str | None = Field(None, alias="statutCourantCode")
    status_history: StatusHistory = Field(default_factory=StatusHistory, alias="historiquesDesStatuts")
    events: dict | None = Field(None, alias="historiquesDesEvenementsComplementaires")
    user_actions: dict | None = Field(None, alias="historiquesDesActionsUtilisateurs")


# --- Factures: reacting to the recipient (§10.8, §10.9, §10.11) -----------------------------------------------


class CompleteInvoiceAttachment(Request):
    designation: str = Field(alias="pieceJointeComplementaireDesignation")
    type: str | None = Field(None, alias="pieceJointeComplementaireType")
    line_number: int | None = Field(None, alias="pieceJointeComplementaireNumeroLigneFacture")
    attachment_id: int = Field(alias="pieceJointeComplementaireId")


class CompleteInvoiceRequest(Request):
    invoice_id: int = Field(alias="identifiantFactureCPP")
    attachments: list[CompleteInvoiceAttachment] | None = Field(None, alias="pieceJointeComplementaire")
    comment: str | None = Field(None, alias="commentaire")


class CompleteInvoiceResult(Envelope):
    invoice_id: int | None = Field(None, alias="identifiantFactureCPP")
    invoice_number: str | None = Field(None, alias="numeroFacture")
    processed_at: ChorusDateTime = Field(None, alias="dateTraitement")


class RecycleReference(Request):
    currency: str | None = Field(None, alias="deviseFacture")
    invoice_type: str | None = Field(None, alias="typeFacture")
    vat_type: str | None = Field(None, alias="typeTva")
    market_number: str | None = Field(None, alias="numeroMarche")
    ej_number: str | None = Field(None, alias="numeroBonCommande", max_length=50)
    payment_mode: str | None = Field(None, alias="modePaiement")


class RecycleInvoiceRequest(Request):
    invoice_id: int = Field(alias="identifiantFactureCPP")
    recipient: Recipient = Field(alias="destinataire")
    comment: str | None = Field(None, alias="commentaire")
    reference: RecycleReference | None = Field(None, alias="reference")  # singular, as in the Swagger


class RecycleInvoiceResult(Envelope):
    invoice_id: int | None = Field(None, alias="identifiantFactureCPP")
    invoice_number: str | None = Field(None, alias="numeroFacture")
    status: str | None = Field(None, alias="statutFacture")
    deposited_at: ChorusDateTime = Field(None, alias="dateDepot")


class RejectedInvoiceRef(Request):
    invoice_id: int = Field(alias="idDemandePaiement")


class AcknowledgeRejectionRequest(Request):
    invoices: list[RejectedInvoiceRef] = Field(alias="listeDemandePaiement")
