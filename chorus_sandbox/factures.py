"""Factures API — ``/cpro/factures/v1/`` (reference §10, §11; Swagger ``factures.swagger.json``).

Supplier operations: ``soumettre``, ``rechercher/fournisseur``, ``consulter/fournisseur``,
``consulter/historique``, ``completer``, ``recycler``, ``traiterRejet``. Recipient operation: ``traiter/recue``
(the clock and demos move invoices through it). ``deposer/flux`` lives in flux.py.

Invoices are stored with internal keys (``supplier_id``, ``lines``, …) plus the Chorus numbers and statuses; the
functions ``search_item`` and ``full_view`` produce the Swagger shapes.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from decimal import Decimal
from typing import Any

from . import assumptions, lifecycle, rules
from .core import (
    ApiError,
    App,
    Ctx,
    date_iso,
    date_minutes,
    date_only,
    money,
    no_result,
    paginate,
    parse_date,
    service_of,
    stored_datetime,
)

SOUMETTRE_VALIDATOR_FRAMEWORKS = ("A9_FACTURE_SOUSTRAITANT", "A12_FACTURE_COTRAITANT")

#: Consult paging objects: a Go client drops the ``get`` prefix (§10.5); both spellings are accepted.
ALIASES = {
    "consulter/fournisseur": {"pLigneRecapTva": "getpLigneRecapTva", "pListePiecesJointes": "getpListePiecesJointes",
                              "pLignesPoste": "getpLignesPoste"},
}


def normalise_aliases(operation: str, body: dict) -> dict:
    """Accept the spellings clients differ on (§18.4) before the contract check."""
    body = dict(body)
    for alias, name in ALIASES.get(operation, {}).items():
        if alias in body and name not in body:
            body[name] = body.pop(alias)
    main = body.get("pieceJointePrincipale")
    if operation == "soumettre" and isinstance(main, list):
        if len(main) != 1:
            raise ApiError("INVALID_FIELD", status=400, field="pieceJointePrincipale",
                           detail="un seul document principal attendu")
        body["pieceJointePrincipale"] = main[0]
    return body


# --- creation ------------------------------------------------------------------------------------------------

def create_invoice(app: App, owner: str, resolved: rules.Resolved, data: dict, status: str, comment: str = "") -> dict:
    """Store a new payment request in ``status`` with its first history entry."""
    invoice_id = app.store.next_id("invoice", 8420531)
    numero = data.get("numeroFacture") or f"{app.today().year}{app.store.next_id('saisie_api', 1):016d}"
    invoice = {
        "id": invoice_id,
        "owner": owner,
        "numeroFacture": numero,
        "typeDemandePaiement": "FACTURE",
        "cadre": "A1_FACTURE_FOURNISSEUR",
        "modeDepot": "SAISIE_API",
        "statut": status,
        "dateHeureEtatCourant": date_iso(app.now()),
        "commentaireEtatCourant": "",
        "rejetTraite": False,
        "supplier_id": resolved.supplier["id"],
        "supplier_siret": resolved.supplier["siret"],
        "supplier_service_id": None,
        "bank_account_id": None,
        "recipient_id": resolved.recipient["id"],
        "recipient_siret": resolved.recipient["siret"],
        "recipient_service_id": resolved.service["id"] if resolved.service else None,
        "validator_id": resolved.validator["id"] if resolved.validator else None,
        "typeFacture": "FACTURE",
        "typeTva": None,
        "motifExonerationTva": None,
        "devise": "EUR",
        "numeroMarche": None,
        "numeroBonCommande": None,
        "numeroFactureOrigine": None,
        "modePaiement": None,
        "dateFacture": date_only(app.today()),
        "dateDepot": date_iso(app.now()),
        "montantHT": Decimal("0"),
        "montantTVA": Decimal("0"),
        "montantTTC": Decimal("0"),
        "montantRemise": None,
        "motifRemise": None,
        "montantAPayer": Decimal("0"),
        "lines": [],
        "vat": [],
        "main_attachment_id": None,
        "attachments": [],
        "numeroFluxDepot": None,
        "commentaire": None,
        "history": [],
        "actions": [],
        "moe_id": None,
        "moe_service_id": None,
        "moa_id": None,
        "moa_service_id": None,
        "typeFactureTravaux": None,
        "piece_precedente_id": None,
    }
    invoice.update({k: v for k, v in data.items() if k != "numeroFacture"})
    lifecycle.set_status(app, invoice, status, comment, actor=owner)
    return invoice


def soumettre(ctx: Ctx, body: dict) -> dict:
    draft, data = draft_from_soumettre(ctx.app, body)
    resolved = rules.check(ctx.app, ctx.account["sirets"], draft, SOUMETTRE_VALIDATOR_FRAMEWORKS)
    status = "A_VALIDER_1" if draft.cadre in SOUMETTRE_VALIDATOR_FRAMEWORKS else "DEPOSEE"
    invoice = create_invoice(ctx.app, ctx.account["login"], resolved, data, status)
    return deposit_receipt(invoice)


def deposit_receipt(invoice: dict) -> dict:
    fingerprint = hashlib.sha256(f"{invoice['id']}|{invoice['numeroFacture']}|{invoice['dateDepot']}".encode())
    return {
        "identifiantFactureCPP": invoice["id"],
        "numeroFacture": invoice["numeroFacture"],
        "statutFacture": invoice["statut"],
        "dateDepot": date_only(invoice["dateDepot"]),
        "identifiantStructure": invoice["supplier_siret"],
        "empreinteCertificatDepot": base64.b64encode(fingerprint.digest()).decode("ascii"),
    }


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def check_comment(comment: Any) -> str | None:
    comment = _text(comment)
    if comment and len(comment) > assumptions.MAX_COMMENT_LENGTH:
        raise ApiError("INVALID_FIELD", field="commentaire",
                       detail=f"plus de {assumptions.MAX_COMMENT_LENGTH} caractères")
    return comment


def vat_rate(code: str | None, manual: Any, field_name: str) -> Decimal | None:
    if code:
        if code not in rules.VAT_BY_CODE:
            raise ApiError("INVALID_FIELD", field=field_name, detail=f"code TVA {code!r} inconnu")
        return rules.VAT_BY_CODE[code]
    return money(manual, field_name)


def draft_from_soumettre(app: App, body: dict) -> tuple[rules.Draft, dict]:
    """The rules' view of a ``soumettre`` body, and the fields stored on the invoice."""
    mode = body.get("modeDepot")
    if not mode:
        raise ApiError("MISSING_FIELD", field="modeDepot")
    cadre_in = body.get("cadreDeFacturation") or {}
    if not cadre_in.get("codeCadreFacturation"):
        raise ApiError("MISSING_FIELD", field="cadreDeFacturation.codeCadreFacturation")
    supplier_in = body.get("fournisseur") or {}
    if supplier_in.get("idFournisseur") is None:
        raise ApiError("MISSING_FIELD", field="fournisseur.idFournisseur")
    recipient_in = body.get("destinataire") or {}
    if not _text(recipient_in.get("codeDestinataire")):
        raise ApiError("MISSING_FIELD", field="destinataire.codeDestinataire")
    refs = body.get("references") or {}
    totals = body.get("montantTotal") or {}
    pdf_mode = mode != "SAISIE_API"
    main = body.get("pieceJointePrincipale") or {}
    date = parse_date(body.get("dateFacture"))

    lines = []
    for index, line in enumerate(body.get("lignePoste") or [], start=1):
        name = f"lignePoste[{index}]"
        quantity = money(line.get("lignePosteQuantite"), name) or Decimal("0")
        price = money(line.get("lignePosteMontantUnitaireHT"), name) or Decimal("0")
        discount = money(line.get("lignePosteMontantRemiseHT"), name) or Decimal("0")
        rate = vat_rate(line.get("lignePosteTauxTva"), line.get("lignePosteTauxTvaManuel"), name)
        lines.append({**line, "ht": rules.cents(quantity * price - discount), "rate": rate})
    vat_lines = []
    for index, vat in enumerate(body.get("ligneTva") or [], start=1):
        name = f"ligneTva[{index}]"
        vat_lines.append({
            "code": vat.get("ligneTvaTaux"),
            "rate": vat_rate(vat.get("ligneTvaTaux"), vat.get("ligneTvaTauxManuel"), name),
            "base": money(vat.get("ligneTvaMontantBaseHtParTaux"), name) or Decimal("0"),
            "amount": money(vat.get("ligneTvaMontantTvaParTaux"), name) or Decimal("0"),
        })
    others = [a.get("pieceJointeComplementaireId") for a in body.get("pieceJointeComplementaire") or []
              if a.get("pieceJointeComplementaireId") is not None]

    draft = rules.Draft(
        supplier_id=supplier_in["idFournisseur"],
        bank_account_id=supplier_in.get("codeCoordonneesBancairesFournisseur"),
        recipient_siret=_text(recipient_in.get("codeDestinataire")),
        service_code=_text(recipient_in.get("codeServiceExecutant")),
        ej=_text(refs.get("numeroBonCommande")),
        cadre=cadre_in["codeCadreFacturation"],
        validator_siret=_text(cadre_in.get("codeStructureValideur")),
        numero=_text(body.get("numeroFactureSaisi")) if pdf_mode else None,
        numero_required=pdf_mode,
        invoice_date=date.date() if date else None,
        date_required=pdf_mode,
        type_facture=refs.get("typeFacture") or "FACTURE",
        origin_number=_text(refs.get("numeroFactureOrigine")),
        main_attachment_id=main.get("pieceJointePrincipaleId"),
        main_attachment_required=pdf_mode,
        attachment_ids=others,
        lines=[rules.Line(line["ht"], line["rate"]) for line in lines],
        vat=[rules.VatLine(v["base"], v["amount"], v["rate"]) for v in vat_lines],
        ht_total=money(totals.get("montantHtTotal"), "montantHtTotal"),
        tva_total=money(totals.get("montantTVA"), "montantTVA"),
        ttc_total=money(totals.get("montantTtcTotal"), "montantTtcTotal"),
        global_discount=money(totals.get("montantRemiseGlobaleTTC"), "montantRemiseGlobaleTTC") or Decimal("0"),
        to_pay=money(totals.get("montantAPayer"), "montantAPayer"),
    )
    data = {
        "numeroFacture": draft.numero,
        "cadre": draft.cadre,
        "modeDepot": mode,
        "supplier_service_id": supplier_in.get("idServiceFournisseur"),
        "bank_account_id": draft.bank_account_id,
        "typeFacture": draft.type_facture,
        "typeTva": refs.get("typeTva"),
        "motifExonerationTva": refs.get("motifExonerationTva"),
        "devise": refs.get("deviseFacture") or "EUR",
        "numeroMarche": _text(refs.get("numeroMarche")),
        "numeroBonCommande": draft.ej,
        "numeroFactureOrigine": draft.origin_number,
        "modePaiement": refs.get("modePaiement"),
        "dateFacture": date_only(date) if date else date_only(app.today()),
        "montantHT": draft.ht_total,
        "montantTVA": draft.tva_total,
        "montantTTC": draft.ttc_total,
        "montantRemise": money(totals.get("montantRemiseGlobaleTTC")),
        "motifRemise": totals.get("motifRemiseGlobaleTTC"),
        "montantAPayer": draft.to_pay if draft.to_pay is not None else draft.ttc_total,
        "lines": [_stored_line(i, line) for i, line in enumerate(lines, start=1)],
        "vat": vat_lines,
        "main_attachment_id": draft.main_attachment_id,
        "attachments": [
            {"id": a.get("pieceJointeComplementaireId"), "designation": a.get("pieceJointeComplementaireDesignation"),
             "type": a.get("pieceJointeComplementaireType")}
            for a in body.get("pieceJointeComplementaire") or []
        ],
        "commentaire": check_comment(body.get("commentaire")),
    }
    return draft, data


def _stored_line(number: int, line: dict) -> dict:
    rate = line["rate"] or Decimal("0")
    return {
        "numero": line.get("lignePosteNumero", number),
        "reference": line.get("lignePosteReference"),
        "denomination": line.get("lignePosteDenomination"),
        "quantite": money(line.get("lignePosteQuantite")),
        "unite": line.get("lignePosteUnite"),
        "prix": money(line.get("lignePosteMontantUnitaireHT")),
        "remise": money(line.get("lignePosteMontantRemiseHT")),
        "taux_code": line.get("lignePosteTauxTva"),
        "taux": line["rate"],
        "ht": line["ht"],
        "tva": rules.cents(line["ht"] * rate / 100),
    }


# --- search and consult --------------------------------------------------------------------------------------

def own_invoice(ctx: Ctx, invoice_id: Any) -> dict:
    invoice = ctx.app.invoice(invoice_id)
    if invoice["supplier_siret"] not in ctx.account["sirets"]:
        raise ApiError("UNKNOWN_INVOICE")
    return invoice


SORTS = {
    "NumeroFacture": lambda i: i["numeroFacture"],
    "DateDepot": lambda i: i["dateDepot"],
    "DateFacture": lambda i: i["dateFacture"],
    "Statut": lambda i: i["statut"],
    "NumeroFluxDepot": lambda i: i.get("numeroFluxDepot") or "",
    "ModeDepot": lambda i: i["modeDepot"],
    "MontantTTC": lambda i: i["montantTTC"],
    "CodeDestinataire": lambda i: i["recipient_siret"],
}


def _in_period(value: str, start: Any, end: Any) -> bool:
    moment = stored_datetime(value) if "T" in value else dt.datetime.fromisoformat(value)
    low, high = parse_date(start), parse_date(end)
    if high is not None and isinstance(end, str) and len(end.strip()) == 10:
        high = high + dt.timedelta(days=1) - dt.timedelta(microseconds=1)
    return (low is None or moment >= low) and (high is None or moment <= high)


def matches(invoice: dict, body: dict) -> bool:
    def same(key: str, value: Any) -> bool:
        return value in (None, "") or invoice.get(key) == value

    def between(amount: Decimal, low: Any, high: Any) -> bool:
        return (low is None or amount >= Decimal(str(low))) and (high is None or amount <= Decimal(str(high)))

    recipients = body.get("listeDestinataire") or []
    recipient_ok = not recipients or any(
        r.get("idDestinataire") in (None, invoice["recipient_id"])
        and (not r.get("listeIdServiceExecutant") or invoice["recipient_service_id"] in r["listeIdServiceExecutant"])
        for r in recipients
    )
    return all([
        recipient_ok,
        same("numeroFacture", body.get("numeroFacture")),
        same("numeroFluxDepot", body.get("numeroFluxDepot")),
        same("supplier_id", body.get("idFournisseur")),
        same("supplier_service_id", body.get("idServiceFournisseur")),
        same("validator_id", body.get("idStructureValideur")),
        same("cadre", body.get("cadreFacturation")),
        same("typeFacture", body.get("typeFacture")),
        same("numeroMarche", body.get("numeroMarche")),
        same("numeroBonCommande", body.get("numeroBonCommande")),
        same("numeroFactureOrigine", body.get("numeroFactureOrigine")),
        same("modeDepot", body.get("modeDepot")),
        same("bank_account_id", body.get("coordonneeBancaire")),
        body.get("rejetTraite") is None or invoice["rejetTraite"] == body["rejetTraite"],
        not body.get("statutCourant") or invoice["statut"] in body["statutCourant"],
        _in_period(invoice["dateDepot"], body.get("periodeDateDepotDu"), body.get("periodeDateDepotAu")),
        _in_period(invoice["dateFacture"], body.get("periodeDateFactureDu"), body.get("periodeDateFactureAu")),
        _in_period(invoice["dateHeureEtatCourant"], body.get("periodeDateHeureEtatCourantDu"),
                   body.get("periodeDateHeureEtatCourantAu")),
        between(invoice["montantHT"], body.get("montantHTMin"), body.get("montantHTMax")),
        between(invoice["montantTTC"], body.get("montantTTCMin"), body.get("montantTTCMax")),
        between(invoice["montantAPayer"], body.get("montantApayerMin"), body.get("montantApayerMax")),
    ])


def rechercher_fournisseur(ctx: Ctx, body: dict) -> dict:
    found = [i for i in ctx.store.all("invoice") if i["supplier_siret"] in ctx.account["sirets"] and matches(i, body)]
    params = body.get("rechercheFactureParFournisseur") or {}
    found.sort(key=SORTS.get(params.get("triColonne"), lambda i: i["id"]),
               reverse=params.get("triSens") == "Descendant")
    if isinstance(params.get("nbResultatsMaximum"), int) and params["nbResultatsMaximum"] > 0:
        found = found[: params["nbResultatsMaximum"]]
    page, retour = paginate(found, params.get("pageResultatDemandee"), params.get("nbResultatsParPage"))
    if not found:
        return no_result(listeFactures=[], parametresRetour=retour)
    return {"parametresRetour": retour, "listeFactures": [search_item(ctx.app, i, body.get("recupererTaille"))
                                                          for i in page]}


def _service_code(structure: dict | None, service_id: int | None) -> tuple[str | None, str | None]:
    service = service_of(structure, service_id=service_id) if structure and service_id else None
    return (service["code"], service["label"]) if service else (None, None)


def search_item(app: App, invoice: dict, with_size: Any = False) -> dict:
    supplier = app.structure(invoice["supplier_id"])
    recipient = app.structure(invoice["recipient_id"])
    service_code, service_name = _service_code(recipient, invoice["recipient_service_id"])
    supplier_service, supplier_service_name = _service_code(supplier, invoice["supplier_service_id"])
    item = {
        "identifiantFactureCPP": invoice["id"],
        "typeDemandePaiement": invoice["typeDemandePaiement"],
        "codeFournisseur": supplier["siret"],
        "designationFournisseur": supplier["name"],
        "idDestinataire": recipient["id"],
        "codeDestinataire": recipient["siret"],
        "designationDestinataire": recipient["name"],
        "numeroFacture": invoice["numeroFacture"],
        "dateFacture": invoice["dateFacture"],
        "dateDepot": date_only(invoice["dateDepot"]),
        "montantHT": invoice["montantHT"],
        "montantTTC": invoice["montantTTC"],
        "montantAPayer": invoice["montantAPayer"],
        "devise": invoice["devise"],
        "statut": invoice["statut"],
        "modeDepot": invoice["modeDepot"],
        "dateHeureEtatCourant": invoice["dateHeureEtatCourant"],
        "commentaireEtatCourant": invoice["commentaireEtatCourant"],
        "rejetTraite": invoice["rejetTraite"],
    }
    optional = {
        "codeServiceFournisseur": supplier_service,
        "nomServiceFournisseur": supplier_service_name,
        "idServiceExecutant": invoice["recipient_service_id"],
        "codeServiceExecutant": service_code,
        "nomServiceExecutant": service_name,
        "numeroMarche": invoice["numeroMarche"],
        "numeroBonCommande": invoice["numeroBonCommande"],
        "numeroFluxDepot": invoice.get("numeroFluxDepot"),
        "numeroFactureOrigine": invoice["numeroFactureOrigine"],
    }
    item.update({k: v for k, v in optional.items() if v is not None})
    validator = app.structure(invoice["validator_id"])
    if validator:
        item.update({"typeIdentifiantValideur1": validator["id_type"], "codeValideur1": validator["siret"],
                     "raisonSocialeValideur1": validator["name"]})
    if with_size:
        item["taille"] = sum((app.store.get("attachment", a) or {}).get("size", 0) for a in _attachment_ids(invoice))
    return item


def _attachment_ids(invoice: dict) -> list[int]:
    ids = [invoice["main_attachment_id"]] if invoice["main_attachment_id"] else []
    return ids + [a["id"] for a in invoice["attachments"] if a.get("id")]


def consulter_fournisseur(ctx: Ctx, body: dict) -> dict:
    if body.get("identifiantFactureCPP") is None:
        raise ApiError("MISSING_FIELD", field="identifiantFactureCPP")
    invoice = own_invoice(ctx, body["identifiantFactureCPP"])
    return {"facture": full_view(ctx.app, invoice, body)}


def full_view(app: App, invoice: dict, body: dict) -> dict:
    """``FactureCppEmise`` (§10.5) with its three paged lists."""
    supplier = app.structure(invoice["supplier_id"])
    recipient = app.structure(invoice["recipient_id"])
    service_code, service_name = _service_code(recipient, invoice["recipient_service_id"])
    address = recipient.get("address") or {}
    bank = next((b for b in supplier.get("bank_accounts", []) if b["id"] == invoice["bank_account_id"]), None)

    destinataire = {
        "idDestinataire": recipient["id"],
        "codeDestinataire": recipient["siret"],
        "libelleDestinataire": recipient["name"],
        "designationDestinataire": recipient["name"],
        "adresseDestinataireDetail": address.get("adresse", ""),
        "adresseDestinataireCodePostal": address.get("codePostal", ""),
        "adresseDestinataireVille": address.get("ville", ""),
        "adresseDestinataireCodePays": address.get("pays", "FR"),
        "miseEnPaiementDestinataire": True,
    }
    if service_code:
        destinataire.update({"idServiceExecutant": invoice["recipient_service_id"],
                             "codeServiceExecutant": service_code, "libelleServiceExecutant": service_name})
    fournisseur = {
        "idFournisseur": supplier["id"],
        "typeIdentifiantFournisseur": supplier["id_type"],
        "codeFournisseur": supplier["siret"],
        "raisonSocialeFournisseur": supplier["name"],
        "designationFournisseur": supplier["name"],
    }
    if bank:
        fournisseur.update({"coordBancairesFournisseurId": bank["id"], "coordBancairesFournisseurType": "IBAN",
                            "coordBancairesFournisseurCompteBancaire": bank["iban"],
                            "coordBancairesBicSwift": bank["bic"], "coordBancairesFournisseurLibelle": bank["name"],
                            "coordBancairesFournisseurCodePays": bank["iban"][:2]})
    references = {
        "dateFacture": invoice["dateFacture"],
        "dateDepot": date_only(invoice["dateDepot"]),
        "codeDeviseFacture": invoice["devise"],
        "typeFacture": invoice["typeFacture"],
    }
    for key, name in (("typeTva", "typeTva"), ("motifExonerationTva", "motifExonerationTva"),
                      ("numeroMarche", "numeroMarche"), ("numeroBonCommande", "numeroBonCommande"),
                      ("numeroFactureOrigine", "numeroFactureOrigine"), ("modePaiement", "modePaiement"),
                      ("typeFactureTravaux", "typeFactureTravaux")):
        if invoice.get(key):
            references[name] = invoice[key]

    vat_params = body.get("getpLigneRecapTva") or {}
    vat_page, vat_ret = paginate(invoice["vat"], vat_params.get("pageResultatDemandeeListeRecapitulatifTVA"),
                                 vat_params.get("nbResultatsParPageListeListeRecapitulatifTVA"))
    pj_params = body.get("getpListePiecesJointes") or {}
    pieces = [_piece(app, a) for a in invoice["attachments"]]
    pj_page, pj_ret = paginate(pieces, pj_params.get("pageResultatDemandeeListePieceJointe"),
                               pj_params.get("nbResultatsParPageListePieceJointe"))
    line_params = body.get("getpLignesPoste") or {}
    line_page, line_ret = paginate(invoice["lines"], line_params.get("pageResultatDemandeeLignesPoste"),
                                   line_params.get("nbResultatsParPageLignesPoste"))

    facture = {
        "identifiantFactureCPP": invoice["id"],
        "numeroFacture": invoice["numeroFacture"],
        "statutFacture": invoice["statut"],
        "modeDepot": invoice["modeDepot"],
        "rejetTraite": invoice["rejetTraite"],
        "destinataire": destinataire,
        "fournisseur": fournisseur,
        "cadreDeFacturation": cadre_output(app, invoice),
        "references": references,
        "recapitulatifDeTva": {
            "ligneTva": [_vat_out(v) for v in vat_page],
            "pageCouranteLignesRecapitulativesTVA": vat_ret["pageCourante"],
            "pagesLignesRecapitulativesTVA": vat_ret["pages"],
            "nbResultatsParPageLignesRecapitulativesTVA": vat_ret["nbResultatsParPage"],
            "totalLignesRecapitulativesTVA": vat_ret["total"],
        },
        "montantTotal": {
            "montantHtTotal": invoice["montantHT"],
            "montantTVA": invoice["montantTVA"],
            "montantTtcAvantRemiseGlobalTTC": invoice["montantTTC"],
            "montantTtcTotal": invoice["montantTTC"],
            "montantAPayer": invoice["montantAPayer"],
        },
        "listeDesPiecesJointes": {
            "pieceJointe": pj_page,
            "pageCouranteListePiecesJointe": pj_ret["pageCourante"],
            "pagesListePiecesJointe": pj_ret["pages"],
            "nbResultatsParPageListePiecesJointe": pj_ret["nbResultatsParPage"],
            "totalListePiecesJointe": pj_ret["total"],
        },
        "lignesDePoste": {
            "lignePoste": [_line_out(line) for line in line_page],
            "pageCouranteLignesPoste": line_ret["pageCourante"],
            "pagesLignesPoste": line_ret["pages"],
            "nbResultatsParPageLignesPoste": line_ret["nbResultatsParPage"],
            "totalLignesPoste": line_ret["total"],
        },
    }
    if invoice["montantRemise"] is not None:
        facture["montantTotal"]["montantRemiseGlobaleTTC"] = invoice["montantRemise"]
    if invoice["main_attachment_id"]:
        facture["pieceJointePrincipale"] = {"idPieceJointePrincipale": invoice["main_attachment_id"],
                                            "idLiaisonPieceJointePrincipale": invoice["main_attachment_id"]}
    if invoice["commentaire"]:
        facture["commentaire"] = invoice["commentaire"]
    previous = app.store.get("invoice", invoice["piece_precedente_id"]) if invoice["piece_precedente_id"] else None
    if previous:
        facture["piecePrecedente"] = {"cadreFacturationPiecePrecedente": previous["cadre"],
                                      "idPiecePrecedente": previous["id"],
                                      "numeroPiecePrecedente": previous["numeroFacture"]}
    following = next((i for i in app.store.all("invoice") if i["piece_precedente_id"] == invoice["id"]), None)
    if following:
        facture["pieceSuivante"] = {"cadreFacturationPieceSuivante": following["cadre"],
                                    "idPieceSuivante": following["id"],
                                    "numeroPieceSuiante": following["numeroFacture"]}
    return facture


def cadre_output(app: App, invoice: dict) -> dict:
    """``CadreDeFacturationOutput``: framework, validator, MOE and MOA blocks."""
    out: dict[str, Any] = {"codeCadreFacturation": invoice["cadre"]}
    validator = app.structure(invoice["validator_id"])
    if validator:
        out.update({"idValideur1": validator["id"], "typeIdentifiantValideur1": validator["id_type"],
                    "codeValideur1": validator["siret"], "raisonSocialeValideur1": validator["name"]})
    for role, prefix in (("moe", "Moe"), ("moa", "Moa")):
        structure = app.structure(invoice.get(f"{role}_id"))
        if structure:
            out.update({f"id{prefix}": structure["id"], f"typeIdentifiant{prefix}": structure["id_type"],
                        f"identifiant{prefix}": structure["siret"], f"raisonSociale{prefix}": structure["name"],
                        f"designation{prefix}": structure["name"]})
            code, name = _service_code(structure, invoice.get(f"{role}_service_id"))
            if code:
                out.update({f"idService{prefix}": invoice[f"{role}_service_id"], f"codeService{prefix}": code,
                            f"nomService{prefix}": name})
    return out


def _piece(app: App, attachment: dict) -> dict:
    stored = app.store.get("attachment", attachment["id"]) or {}
    piece = {"pieceJointeId": attachment["id"], "pieceJointeIdLiaison": attachment["id"],
             "pieceJointeDesignation": attachment.get("designation") or stored.get("name", ""),
             "pieceJointeExtension": stored.get("extension", "")}
    if attachment.get("type"):
        piece["pieceJointeTypeCode"] = attachment["type"]
    return piece


def _vat_out(vat: dict) -> dict:
    out = {"ligneTvaMontantBaseHtParTaux": vat["base"], "ligneTvaMontantTvaParTaux": vat["amount"]}
    if vat.get("code"):
        out["ligneTvaTauxRefCode"] = vat["code"]
    if vat.get("rate") is not None:
        out["ligneTvaTauxRefValeur"] = vat["rate"]
    return out


def _line_out(line: dict) -> dict:
    out = {"lignePosteNumero": line["numero"], "lignePosteMontantHtApresRemise": line["ht"],
           "lignePosteMontantTva": line["tva"], "lignePosteMontantTtcApresRemise": line["ht"] + line["tva"]}
    for key, name in (("reference", "lignePosteReference"), ("denomination", "lignePosteDenomination"),
                      ("quantite", "lignePosteQuantite"), ("unite", "lignePosteUniteLibelle"),
                      ("prix", "lignePosteMontantUnitaireHT"), ("remise", "lignePosteMontantRemiseHT"),
                      ("taux_code", "lignePosteTauxTva"), ("taux", "lignePosteTauxTvaManuel")):
        if line.get(key) is not None:
            out[name] = line[key]
    return out


def consulter_historique(ctx: Ctx, body: dict) -> dict:
    if body.get("idFacture") is None:
        raise ApiError("MISSING_FIELD", field="idFacture")
    invoice = own_invoice(ctx, body["idFacture"])
    statuses = [
        {"histoStatutId": h["id"], "histoStatutCode": h["code"], "histoStatutDatePassage": date_minutes(
            stored_datetime(h["at"])), "histoStatutCommentaire": h["comment"], "histoStatutUtilisateurNom": h["actor"]}
        for h in invoice["history"]
    ]
    status_params = body.get("paramRechercheHistoStatuts") or {}
    # Order (SW-F ``triColonneListeHistoStatut`` / ``triSensListeHistoStatut``, review U10): by date of passage,
    # oldest first unless "Descendant" is asked; the real default order is UNCONFIRMED (chorusbat always asks).
    # The values are checked against the Swagger enums by the server; other columns sort by date of passage.
    if status_params.get("triColonneListeHistoStatut") == "HistoStatutCode":
        statuses.sort(key=lambda h: h["histoStatutCode"])
    if status_params.get("triSensListeHistoStatut") == "Descendant":
        statuses.reverse()
    status_page, status_ret = paginate(statuses, status_params.get("pageResultatDemandeeListeHistoStatut"),
                                       status_params.get("nbResultatsParPageListeHistoStatut") or 100)
    actions = [{"histoActionId": a["id"], "histoActionCode": a["code"], "histoActionDateHeure": a["at"],
                "histoActionUtilisateurNom": a["actor"]} for a in invoice["actions"]]
    result = {
        "idFacture": invoice["id"],
        "numeroFacture": invoice["numeroFacture"],
        "modeDepot": invoice["modeDepot"],
        "statutCourantCode": invoice["statut"],
        "historiquesDesStatuts": {
            "histoStatut": status_page,
            "pageCouranteHistoStatut": status_ret["pageCourante"],
            "pagesHistoStatut": status_ret["pages"],
            "nbResultatsParPageHistoStatut": status_ret["nbResultatsParPage"],
            "totalHistoStatut": status_ret["total"],
        },
        "historiquesDesEvenementsComplementaires": {"evenement": [], "pageCouranteEvenement": 1, "pagesEvenement": 1,
                                                    "nbResultatsParPageEvenement": 10, "totalEvenement": 0},
        "historiquesDesActionsUtilisateurs": {"histoAction": actions, "pageCouranteHistoAction": 1,
                                              "pagesHistoAction": 1,
                                              "nbResultatsParPageHistoAction": max(10, len(actions)),
                                              "totalHistoAction": len(actions)},
    }
    if actions:
        result["derniereAction"] = {"derniereActionId": actions[-1]["histoActionId"],
                                    "derniereActionCode": actions[-1]["histoActionCode"]}
    return result


# --- supplier actions on an existing invoice -----------------------------------------------------------------

def completer(ctx: Ctx, body: dict) -> dict:
    invoice = own_invoice(ctx, body.get("identifiantFactureCPP"))
    if invoice["statut"] != "SUSPENDUE":
        raise ApiError("STATUS_FORBIDS_ACTION")
    for piece in body.get("pieceJointeComplementaire") or []:
        attachment_id = piece.get("pieceJointeComplementaireId")
        if attachment_id is None or ctx.store.get("attachment", attachment_id) is None:
            raise ApiError("ATTACHMENT_UNKNOWN", id=attachment_id)
        invoice["attachments"].append({"id": attachment_id, "designation": piece.get(
            "pieceJointeComplementaireDesignation"), "type": piece.get("pieceJointeComplementaireType")})
    comment = check_comment(body.get("commentaire"))
    if comment:
        invoice["commentaire"] = comment
    lifecycle.add_action(ctx.app, invoice, "ACQUITTEMENT_SUSPENSION", ctx.account["login"])
    lifecycle.set_status(ctx.app, invoice, ctx.app.config.status_after_completer, comment, actor=ctx.account["login"])
    return {"identifiantFactureCPP": invoice["id"], "numeroFacture": invoice["numeroFacture"],
            "dateTraitement": date_iso(ctx.app.now()), "pageCourante": 1, "pages": 1, "nbResultatsParPage": 1,
            "total": 1}


def recycler(ctx: Ctx, body: dict) -> dict:
    invoice = own_invoice(ctx, body.get("identifiantFactureCPP"))
    if invoice["statut"] != "A_RECYCLER":
        raise ApiError("STATUS_FORBIDS_ACTION")
    new_recipient = body.get("destinataire") or {}
    reference = body.get("reference") or {}
    siret = _text(new_recipient.get("codeDestinataire")) or invoice["recipient_siret"]
    recipient = ctx.app.structure_by_siret(siret)
    if recipient is None or not recipient["active"] or recipient["type"] != "PUBLIQUE":
        raise ApiError("RECIPIENT_NOT_FOUND")
    ej = _text(reference.get("numeroBonCommande")) or invoice["numeroBonCommande"]
    service = rules.check_routing(recipient, _text(new_recipient.get("codeServiceExecutant")), ej)
    invoice.update({"recipient_id": recipient["id"], "recipient_siret": recipient["siret"],
                    "recipient_service_id": service["id"] if service else None, "numeroBonCommande": ej})
    if _text(reference.get("numeroMarche")):
        invoice["numeroMarche"] = reference["numeroMarche"]
    comment = check_comment(body.get("commentaire"))
    lifecycle.set_status(ctx.app, invoice, assumptions.STATUS_AFTER_RECYCLER, comment, actor=ctx.account["login"])
    return {"identifiantFactureCPP": invoice["id"], "numeroFacture": invoice["numeroFacture"],
            "statutFacture": invoice["statut"], "dateDepot": date_only(invoice["dateDepot"])}


def traiter_rejet(ctx: Ctx, body: dict) -> dict:
    requests = body.get("listeDemandePaiement") or []
    if not requests:
        raise ApiError("MISSING_FIELD", field="listeDemandePaiement")
    invoices = [own_invoice(ctx, r.get("idDemandePaiement")) for r in requests]
    for invoice in invoices:
        if invoice["statut"] != "REJETEE":
            raise ApiError("STATUS_FORBIDS_ACTION")
    for invoice in invoices:
        invoice["rejetTraite"] = True
        lifecycle.add_action(ctx.app, invoice, "TRAITEMENT_REJET", ctx.account["login"])
        ctx.store.put("invoice", invoice)
    return {}


# --- recipient side ------------------------------------------------------------------------------------------

#: Statuses in which the recipient holds the invoice and may set a new status.
RECIPIENT_HOLDS = {"MISE_A_DISPOSITION", "PRISE_EN_COMPTE_DESTINATAIRE", "SERVICE_FAIT", "COMPLETEE", "MANDATEE",
                   "COMPTABILISEE", "MISE_A_DISPOSITION_COMPTABLE", "EN_COURS_ACHEMINEMENT"}


def traiter_recue(ctx: Ctx, body: dict) -> dict:
    invoice = ctx.app.invoice(body.get("idFacture"))
    if invoice["recipient_siret"] not in ctx.account["sirets"]:
        raise ApiError("UNKNOWN_INVOICE")
    status = body.get("nouveauStatut")
    if not status:
        raise ApiError("MISSING_FIELD", field="nouveauStatut")
    if status not in assumptions.RECIPIENT_SETTABLE_STATUSES:
        raise ApiError("STATUS_NOT_ALLOWED", statut=status)
    motif = check_comment(body.get("motif"))
    if status in assumptions.MOTIF_REQUIRED_STATUSES and not motif:
        raise ApiError("MOTIF_MANDATORY")
    if invoice["statut"] not in RECIPIENT_HOLDS:
        raise ApiError("STATUS_FORBIDS_ACTION")
    lifecycle.set_status(ctx.app, invoice, status, motif, actor=ctx.account["login"])
    return {"idFacture": invoice["id"], "numeroFacture": invoice["numeroFacture"],
            "dateTraitement": date_iso(ctx.app.now()), "nouveauStatut": status}


OPERATIONS = {
    "soumettre": soumettre,
    "rechercher/fournisseur": rechercher_fournisseur,
    "consulter/fournisseur": consulter_fournisseur,
    "consulter/historique": consulter_historique,
    "completer": completer,
    "recycler": recycler,
    "traiterRejet": traiter_rejet,
    "traiter/recue": traiter_recue,
}
