"""``factures/v1/deposer/flux`` and the asynchronous processing of deposited files (reference §10.2, §18.9).

The deposit only checks what Chorus Pro refuses at once (syntax, name, base64, size) and returns a
``numeroFluxDepot``. Each clock tick then moves a flux one state:
``IN_DEPOT_PORTAIL_EN_ATTENTE_TRAITEMENT_SE_CPP → IN_EN_COURS_TRAITEMENT_CPP → IN_INTEGRE | IN_INTEGRE_PARTIEL |
IN_REJETE``. Processing really opens the file: the Factur-X PDF (factur-x library) or the CII XML, the XSD check,
then the same business rules as ``soumettre`` (rules.py). Invalid invoices are listed in ``listeErreurDP`` and
not created; unreadable files go to ``listeErreurTechnique``.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import tarfile
import zipfile
from decimal import Decimal

import facturx
from lxml import etree

from . import assumptions, factures, rules
from .core import ApiError, App, Ctx, date_iso, date_only, money
from .transverses import decode_base64, text_field

logging.getLogger("factur-x").setLevel(logging.ERROR)

WAITING = "IN_DEPOT_PORTAIL_EN_ATTENTE_TRAITEMENT_SE_CPP"
PROCESSING = "IN_EN_COURS_TRAITEMENT_CPP"
NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
}
SAFE_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


class FileError(Exception):
    """A file of the flux cannot be read as an invoice (technical error)."""


# --- deposit ------------------------------------------------------------------------------------------------

def deposer_flux(ctx: Ctx, body: dict) -> dict:
    syntax = text_field(body, "syntaxeFlux")
    if syntax not in assumptions.SUPPORTED_FLUX_SYNTAXES:
        raise ApiError("UNSUPPORTED_SYNTAX", syntaxe=syntax)
    name = text_field(body, "nomFichier")
    if len(name) > assumptions.MAX_FILE_NAME_LENGTH:
        raise ApiError("FILE_NAME_TOO_LONG", status=400)
    content = text_field(body, "fichierFlux")
    if len(content) * 3 // 4 > assumptions.MAX_FLUX_ARCHIVE_BYTES + 3:
        raise ApiError("FLUX_TOO_LARGE")
    data = decode_base64(content)
    if not data:
        raise ApiError("MISSING_FIELD", field="fichierFlux")
    archive = _is_archive(data)
    if len(data) > (assumptions.MAX_FLUX_ARCHIVE_BYTES if archive else assumptions.MAX_FLUX_INVOICE_BYTES):
        raise ApiError("FLUX_TOO_LARGE")
    if not assumptions.FILE_ERRORS_ARE_ASYNCHRONOUS:
        try:
            for _, file_bytes in _files(data, name):
                _extract_xml(syntax, file_bytes)
        except FileError as exc:
            raise ApiError("INVALID_FIELD", field="fichierFlux", detail=str(exc)) from None
    faults = getattr(ctx.app, "faults", None)
    forced_state = faults.flux_state_for("/cpro/factures/v1/deposer/flux") if faults else None
    flux_id = ctx.store.next_id("flux", 1557)
    number = f"CPP{flux_id:022d}"
    now = ctx.app.now()
    ctx.store.put("flux", {
        "id": flux_id,
        "numeroFluxDepot": number,
        "syntaxeFlux": syntax,
        "nomFichier": name,
        "avecSignature": bool(body.get("avecSignature", False)),
        "owner": ctx.account["login"],
        "dateDepot": date_iso(now),
        "state": WAITING,
        "state_at": date_iso(now),
        "states": [{"state": WAITING, "at": date_iso(now)}],
        "blob_id": ctx.store.put_blob(data),
        "size": len(data),
        "errors_dp": [],
        "errors_tech": [],
        "invoice_ids": [],
        "forced_state": forced_state,  # a fault rule's end state (faults.py), else None
    })
    return {"numeroFluxDepot": number, "dateDepot": date_only(now), "syntaxeFlux": syntax}


def _is_archive(data: bytes) -> bool:
    return data[:4] == b"PK\x03\x04" or data[:2] == b"\x1f\x8b"


def _files(data: bytes, name: str) -> list[tuple[str, bytes]]:
    """The invoice files of a flux: the file itself, or each member of a zip / tar.gz."""
    try:
        if data[:4] == b"PK\x03\x04":
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                return [(i.filename, archive.read(i)) for i in archive.infolist() if not i.is_dir()]
        if data[:2] == b"\x1f\x8b":
            with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
                return [(m.name, archive.extractfile(m).read()) for m in archive.getmembers() if m.isfile()]
    except (zipfile.BadZipFile, tarfile.TarError, OSError, EOFError) as exc:
        raise FileError(f"Archive illisible : {exc}") from None
    return [(name, data)]


# --- processing ---------------------------------------------------------------------------------------------

def process_pending(app: App) -> tuple[int, set[int]]:
    """Move every non-final flux one state; returns (fluxes moved, ids of invoices created)."""
    moved, created = 0, set()
    for flux in app.store.all("flux"):
        if flux["state"] == WAITING:
            _set_state(app, flux, PROCESSING)
            moved += 1
        elif flux["state"] == PROCESSING and flux.get("forced_state") in assumptions.FLUX_FAULT_ERRORS:
            _force_error(app, flux)
            moved += 1
        elif flux["state"] == PROCESSING:
            created |= _integrate(app, flux)
            moved += 1
    return moved, created


def _force_error(app: App, flux: dict) -> None:
    """End the flux in the error state a fault rule asked for, with its errors listed (nothing created)."""
    state = flux["forced_state"]
    code, label = assumptions.FLUX_FAULT_ERRORS[state]
    if state.startswith("QP_"):
        flux["errors_dp"].append({"identifiantDestinataire": "", "identifiantFournisseur": "",
                                  "libelleErreurDP": label, "numeroDP": ""})
    else:
        flux["errors_tech"].append({"codeErreur": code, "libelleErreur": label, "natureErreur": "TECHNIQUE"})
    _set_state(app, flux, state)


def _set_state(app: App, flux: dict, state: str) -> None:
    now = date_iso(app.now())
    flux["state"], flux["state_at"] = state, now
    flux["states"].append({"state": state, "at": now})
    app.store.put("flux", flux)


def _integrate(app: App, flux: dict) -> set[int]:
    account = next((a for a in app.store.all("account") if a["login"] == flux["owner"]), None)
    own_sirets = account["sirets"] if account else []
    try:
        files = _files(app.store.get_blob(flux["blob_id"]), flux["nomFichier"])
    except FileError as exc:
        files = []
        flux["errors_tech"].append(_technical_error(str(exc)))
    created = set()
    for file_name, file_bytes in files:
        try:
            xml = _extract_xml(flux["syntaxeFlux"], file_bytes)
            draft, data = draft_from_cii(xml)
        except FileError as exc:
            flux["errors_tech"].append(_technical_error(f"{file_name} : {exc}"))
            continue
        try:
            resolved = rules.check(app, own_sirets, draft, ())
        except ApiError as error:
            flux["errors_dp"].append({"identifiantDestinataire": draft.recipient_siret or "",
                                      "identifiantFournisseur": draft.supplier_siret or "",
                                      "libelleErreurDP": error.libelle, "numeroDP": draft.numero or ""})
            continue
        data.update({"modeDepot": assumptions.FLUX_MODE_DEPOT[flux["syntaxeFlux"]],
                     "numeroFluxDepot": flux["numeroFluxDepot"],
                     "main_attachment_id": _store_file(app, flux, file_name, file_bytes)})
        invoice = factures.create_invoice(app, flux["owner"], resolved, data, "DEPOSEE")
        flux["invoice_ids"].append(invoice["id"])
        created.add(invoice["id"])
    if created and (flux["errors_dp"] or flux["errors_tech"]):
        state = "IN_INTEGRE_PARTIEL"
    else:
        state = "IN_INTEGRE" if created else "IN_REJETE"
    if created and flux.get("forced_state") == "IN_TRAITE_SE_CPP":
        state = "IN_TRAITE_SE_CPP"  # integrated, but the flux never says so (review U11)
    _set_state(app, flux, state)
    return created


def _technical_error(message: str) -> dict:
    return {"codeErreur": "FLUX_ILLISIBLE", "libelleErreur": message, "natureErreur": "TECHNIQUE"}


def _store_file(app: App, flux: dict, name: str, data: bytes) -> int:
    attachment_id = app.store.next_id("attachment", 28205)
    extension = name.rsplit(".", 1)[-1].upper() if "." in name else "PDF"
    app.store.put("attachment", {"id": attachment_id, "name": name[-50:], "mime": "application/octet-stream",
                                 "extension": extension, "size": len(data), "blob_id": app.store.put_blob(data),
                                 "owner": flux["owner"]})
    return attachment_id


def _extract_xml(syntax: str, data: bytes) -> etree._Element:
    """The CII XML of one file, checked against its XSD."""
    if syntax == "IN_DP_E2_CII_FACTURX":
        if not data.startswith(b"%PDF"):
            raise FileError("Le fichier n'est pas un PDF")
        try:
            _, xml_bytes = facturx.get_xml_from_pdf(data, check_xsd=False)
        except Exception as exc:  # noqa: BLE001 — any PDF parsing failure is a technical error
            raise FileError(f"PDF illisible : {exc}") from None
        if not xml_bytes:
            raise FileError("Le PDF ne contient pas de XML Factur-X (factur-x.xml)")
    else:
        if data.lstrip().startswith(b"%PDF"):
            raise FileError("Un fichier XML CII est attendu, pas un PDF")
        xml_bytes = data
    try:
        xml = etree.fromstring(xml_bytes, SAFE_PARSER)
    except etree.XMLSyntaxError as exc:
        raise FileError(f"XML mal formé : {exc}") from None
    if not xml.tag.endswith("}CrossIndustryInvoice"):
        raise FileError("Le XML n'est pas une CrossIndustryInvoice (CII D16B)")
    if syntax == "IN_DP_E2_CII_FACTURX":
        try:
            level = facturx.get_level(xml, "factur-x")
        except Exception as exc:  # noqa: BLE001
            raise FileError(f"Profil Factur-X illisible : {exc}") from None
        if level not in assumptions.FACTURX_ACCEPTED_LEVELS:
            raise FileError(f"Profil Factur-X {level} non accepté")
    else:
        level = assumptions.CII_16B_XSD_LEVEL
    try:
        facturx.xml_check_xsd(xml, flavor="factur-x", level=level)
    except Exception as exc:  # noqa: BLE001 — the library raises a bare Exception on XSD failure
        raise FileError(f"Le XML n'est pas conforme au XSD : {exc}") from None
    return xml


# --- reading the CII ----------------------------------------------------------------------------------------

def _text(node: etree._Element, path: str) -> str | None:
    found = node.xpath(path, namespaces=NS)
    if not found:
        return None
    value = found[0] if isinstance(found[0], str) else found[0].text
    return value.strip() if value and value.strip() else None


def _amount(node: etree._Element, path: str, currency: str | None = None) -> Decimal | None:
    for element in node.xpath(path, namespaces=NS):
        if currency and element.get("currencyID") not in (None, currency):
            continue
        try:
            return money(element.text)
        except ApiError:
            raise FileError(f"Montant illisible : {element.text!r}") from None
    return None


def _party_siret(party_path: str, header: etree._Element) -> str | None:
    """SIRET of a trade party: legal organisation ID (scheme 0002 or none), else GlobalID scheme 0009."""
    siret = _text(header, f"{party_path}/ram:SpecifiedLegalOrganization/ram:ID")
    if siret and siret.isdigit() and len(siret) == 14:
        return siret
    return _text(header, f"{party_path}/ram:GlobalID[@schemeID='0009']") or siret


def draft_from_cii(xml: etree._Element) -> tuple[rules.Draft, dict]:
    """The rules' view of a CII invoice (BT numbers of EN 16931), and the fields stored on the invoice."""
    trade = "rsm:SupplyChainTradeTransaction"
    agreement = f"{trade}/ram:ApplicableHeaderTradeAgreement"
    settlement = f"{trade}/ram:ApplicableHeaderTradeSettlement"
    totals = f"{settlement}/ram:SpecifiedTradeSettlementHeaderMonetarySummation"
    currency = _text(xml, f"{settlement}/ram:InvoiceCurrencyCode") or "EUR"
    issue = _text(xml, "rsm:ExchangedDocument/ram:IssueDateTime/udt:DateTimeString")
    try:
        invoice_date = dt.datetime.strptime(issue, "%Y%m%d").date() if issue else None
    except ValueError:
        raise FileError(f"Date de facture illisible : {issue!r}") from None
    type_code = _text(xml, "rsm:ExchangedDocument/ram:TypeCode")

    lines = []
    for index, item in enumerate(xml.xpath(f"{trade}/ram:IncludedSupplyChainTradeLineItem", namespaces=NS), 1):
        ht = _amount(item, "ram:SpecifiedLineTradeSettlement/ram:SpecifiedTradeSettlementLineMonetarySummation"
                           "/ram:LineTotalAmount") or Decimal("0")
        rate = _amount(item, "ram:SpecifiedLineTradeSettlement/ram:ApplicableTradeTax/ram:RateApplicablePercent")
        lines.append({
            "numero": index,
            "reference": _text(item, "ram:SpecifiedTradeProduct/ram:SellerAssignedID"),
            "denomination": _text(item, "ram:SpecifiedTradeProduct/ram:Name"),
            "quantite": _amount(item, "ram:SpecifiedLineTradeDelivery/ram:BilledQuantity"),
            "unite": None,
            "prix": _amount(item, "ram:SpecifiedLineTradeAgreement/ram:NetPriceProductTradePrice/ram:ChargeAmount"),
            "remise": None,
            "taux_code": None,
            "taux": rate,
            "ht": ht,
            "tva": rules.cents(ht * (rate or 0) / 100),
        })
    vat = [
        {"code": None, "rate": _amount(t, "ram:RateApplicablePercent"),
         "base": _amount(t, "ram:BasisAmount") or Decimal("0"),
         "amount": _amount(t, "ram:CalculatedAmount") or Decimal("0")}
        for t in xml.xpath(f"{settlement}/ram:ApplicableTradeTax", namespaces=NS)
    ]
    ht_total = _amount(xml, f"{totals}/ram:TaxBasisTotalAmount")
    tva_total = _amount(xml, f"{totals}/ram:TaxTotalAmount", currency) or Decimal("0")
    ttc_total = _amount(xml, f"{totals}/ram:GrandTotalAmount")
    to_pay = _amount(xml, f"{totals}/ram:DuePayableAmount")
    ej = _text(xml, f"{agreement}/ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID")
    draft = rules.Draft(
        supplier_siret=_party_siret(f"{agreement}/ram:SellerTradeParty", xml),
        recipient_siret=_party_siret(f"{agreement}/ram:BuyerTradeParty", xml),
        service_code=_text(xml, f"{agreement}/ram:BuyerReference"),
        ej=ej,
        numero=_text(xml, "rsm:ExchangedDocument/ram:ID"),
        invoice_date=invoice_date,
        type_facture="AVOIR" if type_code == "381" else "FACTURE",
        origin_number=_text(xml, f"{settlement}/ram:InvoiceReferencedDocument/ram:IssuerAssignedID"),
        payment_means_required=True,
        payment_means=_text(xml, f"{settlement}/ram:SpecifiedTradeSettlementPaymentMeans/ram:TypeCode"),
        lines=[rules.Line(line["ht"], line["taux"]) for line in lines],
        vat=[rules.VatLine(v["base"], v["amount"], v["rate"]) for v in vat],
        ht_total=ht_total,
        tva_total=tva_total,
        ttc_total=ttc_total,
        allowances=_amount(xml, f"{totals}/ram:AllowanceTotalAmount") or Decimal("0"),
        charges=_amount(xml, f"{totals}/ram:ChargeTotalAmount") or Decimal("0"),
        prepaid=_amount(xml, f"{totals}/ram:TotalPrepaidAmount") or Decimal("0"),
        to_pay=to_pay,
    )
    data = {
        "numeroFacture": draft.numero,
        "typeFacture": draft.type_facture,
        "devise": currency,
        "numeroMarche": _text(xml, f"{agreement}/ram:ContractReferencedDocument/ram:IssuerAssignedID"),
        "numeroBonCommande": ej,
        "numeroFactureOrigine": draft.origin_number,
        "modePaiement": "VIREMENT" if draft.payment_means in ("30", "58") else "AUTRE",
        "dateFacture": invoice_date.isoformat() if invoice_date else None,
        "montantHT": ht_total,
        "montantTVA": tva_total,
        "montantTTC": ttc_total,
        "montantAPayer": to_pay if to_pay is not None else ttc_total,
        "lines": lines,
        "vat": vat,
    }
    return draft, data


OPERATIONS = {"deposer/flux": deposer_flux}
