"""Works payment requests — ``/cpro/facturesTravaux/v1/`` (reference §12). MODELLED, NOT CONFIRMED.

Only ``rechercher`` is confirmed on PISTE (§12.1). ``soumettre``, ``consulter`` and ``traiter`` are the
sandbox's model of the works circuit: request shapes, the way a piece names its MOE and MOA, and the status
sequence all come from assumptions.py (WORKS_*), so they can be corrected in one place once qualification shows
the real ones. A works ``soumettre`` body is the Factures ``soumettre`` body (same Swagger checks) with a works
framework (A4, A7, A8, A10, A11, A13, A14) and the blocks ``moe{codeStructureMoe, codeServiceMoe}`` and
``moa{codeStructureMoa, codeServiceMoa}``; ``destinataire`` defaults to the MOA. The MOE is required where the
titulaire deposits (A4, A7, A8) and optional on A10/A11/A13/A14, which name their validator instead
(``assumptions.WORKS_MOE_REQUIRED_FRAMEWORKS``). ``modeDepot`` works as in Factures ``soumettre``: in
``SAISIE_API`` Chorus Pro numbers the piece and ignores ``numeroFactureSaisi``; in ``DEPOT_PDF_API`` it keeps it
(unique per supplier) and requires the date and the main attachment.
"""

from __future__ import annotations

from typing import Any

from . import assumptions, contract, factures, lifecycle, rules
from .core import ApiError, App, Ctx, date_only, no_result, paginate, service_of


def _structure_and_service(app: App, block: Any, role: str, error: str) -> tuple[dict, dict | None]:
    block = block if isinstance(block, dict) else {}
    siret = block.get(f"codeStructure{role}")
    structure = app.structure_by_siret(siret) if isinstance(siret, str) else None
    if structure is None or not structure["active"]:
        raise ApiError(error)
    code = block.get(f"codeService{role}")
    service = service_of(structure, code=code) if code else None
    if code and (service is None or not service["active"]):
        raise ApiError("SERVICE_INACTIVE")
    return structure, service


def soumettre(ctx: Ctx, body: dict) -> dict:
    cadre = (body.get("cadreDeFacturation") or {}).get("codeCadreFacturation")
    if cadre not in assumptions.WORKS_SUBMIT_FRAMEWORKS:
        raise ApiError("WORKS_FRAMEWORK_NOT_ALLOWED", status=400, cadre=cadre)
    # Same contract as Factures soumettre for everything but the framework enum.
    without_framework = {**body, "cadreDeFacturation": {**body["cadreDeFacturation"],
                                                        "codeCadreFacturation": "A1_FACTURE_FOURNISSEUR"}}
    errors = contract.request_errors("factures", "soumettre",
                                     factures.normalise_aliases("soumettre", without_framework))
    if errors:
        raise ApiError("INVALID_FIELD", status=400, field=errors[0][0], detail=errors[0][1])
    moe, moe_service = None, None
    if body.get(assumptions.WORKS_MOE_FIELD):
        moe, moe_service = _structure_and_service(ctx.app, body.get(assumptions.WORKS_MOE_FIELD), "Moe",
                                                  "MOE_UNKNOWN")
    elif cadre in assumptions.WORKS_MOE_REQUIRED_FRAMEWORKS:
        raise ApiError("MOE_MANDATORY")
    moa, moa_service = _structure_and_service(ctx.app, body.get(assumptions.WORKS_MOA_FIELD), "Moa", "MOA_UNKNOWN")
    if not moa["flags"]["getaMoa"]:
        raise ApiError("MOA_UNKNOWN")
    body = factures.normalise_aliases("soumettre", body)
    if not (body.get("destinataire") or {}).get("codeDestinataire"):
        body["destinataire"] = {"codeDestinataire": moa["siret"],
                                **({"codeServiceExecutant": moa_service["code"]} if moa_service else {})}
    draft, data = factures.draft_from_soumettre(ctx.app, body)
    resolved = rules.check(ctx.app, ctx.account["sirets"], draft, assumptions.WORKS_FRAMEWORKS_WITH_VALIDATOR,
                           works=True)
    previous = body.get("idPiecePrecedente")
    if previous is not None:
        factures.own_invoice(ctx, previous)
    data.update({
        "typeDemandePaiement": "FACTURE_TRAVAUX",
        "typeFactureTravaux": assumptions.WORKS_SUBMIT_FRAMEWORKS[cadre],
        "moe_id": moe["id"] if moe else None, "moe_service_id": moe_service["id"] if moe_service else None,
        "moa_id": moa["id"], "moa_service_id": moa_service["id"] if moa_service else None,
        "piece_precedente_id": previous,
    })
    status = "A_VALIDER_1" if cadre in assumptions.WORKS_FRAMEWORKS_WITH_VALIDATOR else "DEPOSEE"
    invoice = factures.create_invoice(ctx.app, ctx.account["login"], resolved, data, status)
    receipt = factures.deposit_receipt(invoice)
    return {"idFactureTravaux": invoice["id"], "numeroFactureTravaux": invoice["numeroFacture"],
            "statutFactureTravaux": invoice["statut"], "dateDepotFactureTravaux": receipt["dateDepot"],
            **receipt}


#: Which structure of a piece the account must hold for each search role (§12.1; both validator spellings).
ROLE_KEYS = {"FOURNISSEUR": ("supplier_id",), "MOE": ("moe_id",), "MOA": ("moa_id", "recipient_id"),
             "DESTINATAIRE": ("recipient_id",), "VALIDATEUR": ("validator_id",), "VALIDEUR": ("validator_id",)}


def _visible(ctx: Ctx, invoice: dict, keys: tuple[str, ...]) -> bool:
    own = ctx.own_structure_ids()
    return invoice["typeDemandePaiement"] == "FACTURE_TRAVAUX" and any(invoice.get(k) in own for k in keys)


def _item(app: App, invoice: dict) -> dict:
    item = {
        "idFactureTravaux": invoice["id"],
        "numeroFactureTravaux": invoice["numeroFacture"],
        "cadreFacturation": invoice["cadre"],
        "typeFactureTravaux": invoice["typeFactureTravaux"],
        "statut": invoice["statut"],
        "dateDepot": date_only(invoice["dateDepot"]),
        "dateHeureEtatCourant": invoice["dateHeureEtatCourant"],
        "commentaireEtatCourant": invoice["commentaireEtatCourant"],
        "montantHT": invoice["montantHT"],
        "montantTTC": invoice["montantTTC"],
        "montantAPayer": invoice["montantAPayer"],
        "idStructureFournisseur": invoice["supplier_id"],
        "identifiantFournisseur": invoice["supplier_siret"],
        "idDestinataire": invoice["recipient_id"],
        "codeDestinataire": invoice["recipient_siret"],
    }
    for role, key in (("Moe", "moe_id"), ("Moa", "moa_id")):
        structure = app.structure(invoice.get(key))
        if structure:
            item.update({f"idStructure{role}": structure["id"], f"identifiant{role}": structure["siret"],
                         f"designation{role}": structure["name"]})
    return item


def rechercher(ctx: Ctx, body: dict) -> dict:
    role = body.get("roleUtilisateur", "FOURNISSEUR")
    if role not in ROLE_KEYS:
        raise ApiError("INVALID_FIELD", status=400, field="roleUtilisateur", detail=f"valeur {role!r} inconnue")
    filters = {"supplier_id": body.get("idStructureFournisseur"), "moe_id": body.get("idStructureMoe"),
               "moa_id": body.get("idStructureMoa"), "recipient_id": body.get("idDestinataire"),
               "cadre": body.get("cadreFacturation"), "numeroFacture": body.get("numeroFactureTravaux"),
               "numeroFluxDepot": body.get("numeroFluxDepot"), "numeroMarche": body.get("numeroMarche")}
    found = [
        i for i in ctx.store.all("invoice")
        if _visible(ctx, i, ROLE_KEYS[role])
        and all(value in (None, "") or i.get(key) == value for key, value in filters.items())
        and (not body.get("listeStatutCourant") or i["statut"] in body["listeStatutCourant"])
        and factures.matches(i, {"periodeDateHeureEtatCourantDu": body.get("periodeDateHeureEtatCourantDu"),
                                 "periodeDateHeureEtatCourantAu": body.get("periodeDateHeureEtatCourantAu"),
                                 "periodeDateDepotDu": body.get("periodeDateDepotDu"),
                                 "periodeDateDepotAu": body.get("periodeDateDepotAu")})
    ]
    params = body.get("rechercheFactureTravaux") or {}
    page, retour = paginate(found, params.get("pageResultatDemandee"), params.get("nbResultatsParPage"))
    if not found:
        return no_result("WORKS_NO_RESULT", listeFacturesTravaux=[], parametresRetour=retour)
    return {"listeFacturesTravaux": [_item(ctx.app, i) for i in page], "parametresRetour": retour}


def _piece_for(ctx: Ctx, body: dict, keys: tuple[str, ...]) -> dict:
    invoice = ctx.app.invoice(body.get("idFactureTravaux"))
    if not _visible(ctx, invoice, keys):
        raise ApiError("UNKNOWN_INVOICE")
    return invoice


def consulter(ctx: Ctx, body: dict) -> dict:
    invoice = _piece_for(ctx, body, ("supplier_id", "moe_id", "moa_id", "recipient_id", "validator_id"))
    return {"factureTravaux": factures.full_view(ctx.app, invoice, body)}


def traiter(ctx: Ctx, body: dict) -> dict:
    """MOE and MOA actions on a piece (modelled): see assumptions.WORKS_ACTIONS."""
    action = body.get("action")
    if action not in assumptions.WORKS_ACTIONS:
        raise ApiError("INVALID_FIELD", status=400, field="action", detail=f"valeur {action!r} inconnue")
    keys = ("moe_id",) if action in ("PRISE_EN_COMPTE_MOE", "TRANSMISSION_MOA", "REFUS_MOE") else ("moa_id",
                                                                                                    "recipient_id")
    invoice = _piece_for(ctx, body, keys)
    allowed, target = assumptions.WORKS_ACTIONS[action]
    if invoice["statut"] not in allowed:
        raise ApiError("STATUS_FORBIDS_ACTION")
    reason = body.get("motifRefus")
    if action.startswith("REFUS"):
        if reason not in assumptions.WORKS_REFUSAL_REASONS:
            raise ApiError("MOTIF_MANDATORY")
        if action == "REFUS_MOE" and reason == "MONTANT":
            raise ApiError("MOE_AMOUNT_REFUSAL")
    comment = factures.check_comment(body.get("commentaire")) or reason
    lifecycle.set_status(ctx.app, invoice, target, comment, actor=ctx.account["login"])
    return {"idFactureTravaux": invoice["id"], "numeroFactureTravaux": invoice["numeroFacture"],
            "statutFactureTravaux": invoice["statut"]}


class NotServed(ApiError):
    """The works family switched off (``Config.works_api``): PISTE's 404 for a route it does not expose."""

    def __init__(self) -> None:
        super().__init__("UNKNOWN_INVOICE", status=404)

    def body(self) -> dict:
        return {"error": "API non trouvée"}


def _served(handler):
    def run(ctx: Ctx, body: dict) -> dict:
        if not ctx.app.config.works_api:
            raise NotServed()
        return handler(ctx, body)

    run.__doc__ = handler.__doc__
    return run


OPERATIONS = {name: _served(handler) for name, handler in
              {"soumettre": soumettre, "rechercher": rechercher, "consulter": consulter, "traiter": traiter}.items()}
