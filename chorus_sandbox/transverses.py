"""Transverses API — ``/cpro/transverses/v1/`` (reference §7; no official Swagger, shapes from client libs).

Also the Utilisateurs credential probe (§9), which has the same kind of shape.
"""

from __future__ import annotations

import base64
import binascii
import io

from pypdf import PdfWriter

from . import assumptions
from .core import ApiError, Ctx, date_iso, date_only, no_result, paginate, stored_datetime

#: Attachment extensions accepted by the main open-source connector (§16).
ALLOWED_EXTENSIONS = set(
    "BMP GIF FAX ODT PPT TIFF XLS BZ2 GZ JPEG P7S RTF TXT XML CSV GZIP JPG PDF SVG XHTML XLSX DOC HTM ODP PNG TGZ "
    "XLC ZIP DOCX HTML ODS PPS TIF XLM PPTX".split()
)


def text_field(body: dict, name: str, required: bool = True) -> str | None:
    value = body.get(name)
    if value is None or value == "":
        if required:
            raise ApiError("MISSING_FIELD", field=name)
        return None
    if not isinstance(value, str):
        raise ApiError("INVALID_FIELD", field=name, detail="chaîne attendue")
    return value


def decode_base64(value: str) -> bytes:
    """Strict base64: anything else is a Chorus-style error, never a crash."""
    try:
        return base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ApiError("INVALID_BASE64") from None


def health_check(ctx: Ctx, body: dict) -> dict:
    return {"body": "Le service Chorus Pro (bac à sable) est disponible", "statusCodeValue": 200, "statusCode": "200"}


def ajouter_fichier(ctx: Ctx, body: dict) -> dict:
    content = text_field(body, "pieceJointeFichier")
    name = text_field(body, "pieceJointeNom")
    mime = text_field(body, "pieceJointeTypeMime")
    extension = text_field(body, "pieceJointeExtension")
    if len(name) > assumptions.MAX_FILE_NAME_LENGTH:
        raise ApiError("FILE_NAME_TOO_LONG", status=400)
    if extension.upper().lstrip(".") not in ALLOWED_EXTENSIONS:
        raise ApiError("INVALID_FIELD", field="pieceJointeExtension", detail=f"extension {extension!r} refusée")
    if len(content) * 3 // 4 > assumptions.MAX_ATTACHMENT_BYTES + 3:
        raise ApiError("FILE_TOO_LARGE")
    data = decode_base64(content)
    if len(data) > assumptions.MAX_ATTACHMENT_BYTES:
        raise ApiError("FILE_TOO_LARGE")
    attachment_id = ctx.store.next_id("attachment", 28205)
    ctx.store.put(
        "attachment",
        {
            "id": attachment_id,
            "name": name,
            "mime": mime,
            "extension": extension,
            "size": len(data),
            "blob_id": ctx.store.put_blob(data),
            "owner": ctx.account["login"],
        },
    )
    return {"libelle": "CODE PAR DEFAUT", "pieceJointeId": attachment_id}


def _flux(ctx: Ctx, body: dict) -> dict:
    number = text_field(body, "numeroFluxDepot")
    flux = next((f for f in ctx.store.all("flux") if f["numeroFluxDepot"] == number), None)
    if flux is None or flux["owner"] != ctx.account["login"]:
        raise ApiError("UNKNOWN_FLUX")
    return flux


def consulter_cr_detaille(ctx: Ctx, body: dict) -> dict:
    flux = _flux(ctx, body)
    return {
        "codeInterfaceDepotFlux": assumptions.FLUX_INTERFACE_CODES.get(flux["syntaxeFlux"], "FSO1110A"),
        "dateDepotFlux": date_iso(stored_datetime(flux["dateDepot"]).astimezone()),
        "dateHeureEtatCourantFlux": date_iso(stored_datetime(flux["state_at"]).astimezone()),
        "etatCourantDepotFlux": flux["state"],
        "nomFichier": flux["nomFichier"],
        "listeErreurDP": flux["errors_dp"],
        "listeErreurTechnique": flux["errors_tech"],
    }


def consulter_cr(ctx: Ctx, body: dict) -> dict:
    flux = _flux(ctx, body)
    return {
        "codeAppliPartenaire": "CPP",
        "codeInterfaceFlux": assumptions.FLUX_INTERFACE_CODES.get(flux["syntaxeFlux"], "FSO1110A"),
        "dateDepotFlux": date_only(flux["dateDepot"]),
        "dateHeureEtatCourantFlux": date_iso(stored_datetime(flux["state_at"]).astimezone()),
        "designationPartenaire": ctx.account["login"],
        "etatCourantFlux": flux["state"],
        "fichierCR": base64.b64encode(_report_pdf(flux)).decode("ascii"),
        "nomFichierFlux": flux["nomFichier"],
        "numeroFluxDepot": flux["numeroFluxDepot"],
    }


def _report_pdf(flux: dict) -> bytes:
    """A one-page PDF standing for Chorus Pro's acknowledgement; its metadata carries the flux state."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": f"Compte rendu {flux['numeroFluxDepot']}", "/Subject": flux["state"]})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _structure_list(structures: list[dict]) -> dict:
    items = [{"idStructureCPP": s["id"], "identifiant": s["siret"], "designationStructure": s["name"]}
             for s in structures if s["active"]]
    if not items:
        return no_result(listeStructures=[])
    return {"listeStructures": items}


def structures_actives_fournisseur(ctx: Ctx, body: dict) -> dict:
    return _structure_list(ctx.own_structures())


def structures_actives_facturetravaux(ctx: Ctx, body: dict) -> dict:
    return _structure_list(ctx.own_structures())


def coordonnees_bancaires_valides(ctx: Ctx, body: dict) -> dict:
    struct_id = body.get("idStructure", body.get("idStructureCPP"))
    if not isinstance(struct_id, int) or isinstance(struct_id, bool):
        raise ApiError("MISSING_FIELD", field="idStructure")
    structure = next((s for s in ctx.own_structures() if s["id"] == struct_id), None)
    if structure is None:
        raise ApiError("SUPPLIER_NOT_ATTACHED")
    accounts = [{"idCoordonneeBancaire": b["id"], "nomCoordonneeBancaire": b["name"]}
                for b in structure.get("bank_accounts", []) if b["valid"]]
    if not accounts:
        return no_result(listeCoordonneeBancaire=[])
    return {"listeCoordonneeBancaire": accounts}


def taux_tva(ctx: Ctx, body: dict) -> dict:
    language = body.get("codeLangue", "FR")
    if not isinstance(language, str) or language.upper() not in ("FR", "EN"):
        raise ApiError("INVALID_FIELD", field="codeLangue", detail="FR ou EN")
    return {
        "listeTauxTva": [
            {"codeTauxTva": code, "libelleTauxTva": label, "valeurTauxTva": float(value)}
            for code, label, value in assumptions.VAT_RATES
        ]
    }


def cadre_facturation(ctx: Ctx, body: dict) -> dict:
    kind = body.get("typeDemandePaiement", "FACTURE")
    if kind not in assumptions.FRAMEWORKS_BY_REQUEST_TYPE:
        raise ApiError("INVALID_FIELD", field="typeDemandePaiement", detail=f"valeur {kind!r} inconnue")
    return {"listeCadreFacturation": [{"codeCadreFacturation": c}
                                      for c in assumptions.FRAMEWORKS_BY_REQUEST_TYPE[kind]]}


def mon_compte_rattachements(ctx: Ctx, body: dict) -> dict:
    """utilisateurs/v1/monCompte/recuperer/rattachements — the credential probe (§9; shape UNCONFIRMED)."""
    params = body.get("parametresRecherche") or {}
    items = [{"idStructure": s["id"], "nomStructure": s["name"]} for s in ctx.own_structures()]
    page, retour = paginate(items, params.get("pageResultatDemandee"), params.get("nbResultatsParPage"))
    return {"listeRattachements": page, "parametresRetour": retour}


OPERATIONS = {
    "ajouter/fichier": ajouter_fichier,
    "consulterCR": consulter_cr,
    "consulterCRDetaille": consulter_cr_detaille,
    "recuperer/structures/actives/fournisseur": structures_actives_fournisseur,
    "recuperer/structures/actives/facturetravaux": structures_actives_facturetravaux,
    "recuperer/coordbanc/valides": coordonnees_bancaires_valides,
    "recuperer/tauxtva": taux_tva,
    "recuperer/cadrefacturation": cadre_facturation,
}
UTILISATEURS_OPERATIONS = {"monCompte/recuperer/rattachements": mon_compte_rattachements}
