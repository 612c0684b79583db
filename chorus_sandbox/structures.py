"""Structures API — ``/cpro/structures/v1/`` (reference §8, Swagger ``structures.swagger.json``)."""

from __future__ import annotations

import datetime as dt

from . import assumptions
from .core import ApiError, Ctx, date_iso, no_result, paginate, service_of

SORT_KEYS = {
    "IdentifiantStructure": lambda s: s["siret"],
    "DesignationStructure": lambda s: s["name"],
    "TypeIdentifiantStructure": lambda s: s["id_type"],
    "Statut": lambda s: s["active"],
}
SERVICE_SORT_KEYS = {
    "CodeService": lambda s: s["code"],
    "LibelleService": lambda s: s["label"],
    "EstActif": lambda s: s["active"],
}


def structure_id_from(body: dict, *names: str) -> int:
    """Clients differ on ``idStructure`` / ``idStructureCPP`` (§8.2); accept the first given."""
    for name in names:
        if body.get(name) is not None:
            if not isinstance(body[name], int) or isinstance(body[name], bool):
                raise ApiError("INVALID_FIELD", field=name, detail="entier attendu")
            return body[name]
    raise ApiError("MISSING_FIELD", field=names[0])


def known_structure(ctx: Ctx, struct_id: int) -> dict:
    structure = ctx.app.structure(struct_id)
    if structure is None:
        raise ApiError("UNKNOWN_STRUCTURE")
    return structure


def rechercher(ctx: Ctx, body: dict) -> dict:
    criteria = body.get("structure") or {}
    found = [s for s in ctx.store.all("structure") if _matches(s, criteria) and _visible(ctx, s, body)]
    return _sorted_page(found, body.get("parametres") or {}, SORT_KEYS, "IdentifiantStructure", "listeStructures",
                        lambda s: {
                            "idStructureCPP": s["id"],
                            "identifiantStructure": s["siret"],
                            "designationStructure": s["name"],
                            "typeIdentifiantStructure": s["id_type"],
                            "statut": "ACTIVE" if s["active"] else "INACTIVE",
                        })


def _visible(ctx: Ctx, structure: dict, body: dict) -> bool:
    """AIFE's rule for ``restreindreStructuresPrivees`` (fidelity review B6, quoted in Pastell's CPPWrapper).

    Absent or true: every matching public structure, and only the private structures attached to the calling
    technical account. False: every public and private structure.
    """
    if structure["type"] == "PUBLIQUE" or body.get("restreindreStructuresPrivees") is False:
        return True
    return bool(ctx.account) and structure["siret"] in ctx.account["sirets"]


def _sorted_page(items: list[dict], params: dict, sort_keys: dict, default_sort: str, list_name: str,
                 to_item) -> dict:
    """Sort (triColonne/triSens), page, and shape a search answer; an empty search is a 20000 "no result"."""
    items = sorted(items, key=sort_keys.get(params.get("triColonne"), sort_keys[default_sort]),
                   reverse=params.get("triSens") == "Descendant")
    page, retour = paginate(items, params.get("pageResultatDemandee"), params.get("nbResultatsParPage"))
    if not items:
        return no_result(**{list_name: []}, parametresRetour=retour)
    return {list_name: [to_item(item) for item in page], "parametresRetour": retour}


def _matches(structure: dict, criteria: dict) -> bool:
    def contains(value: str | None, wanted: str | None) -> bool:
        return not wanted or (value or "").lower().find(wanted.lower()) >= 0

    address = structure.get("address") or {}
    checks = [
        not criteria.get("identifiantStructure") or structure["siret"] == criteria["identifiantStructure"],
        not criteria.get("typeIdentifiantStructure") or structure["id_type"] == criteria["typeIdentifiantStructure"],
        contains(structure["name"], criteria.get("raisonSocialeStructure")),
        contains(structure["name"], criteria.get("libelleStructure")),
        contains(structure["name"], criteria.get("nomStructure")),
        not criteria.get("adresseCodePostal") or address.get("codePostal") == criteria["adresseCodePostal"],
        contains(address.get("ville"), criteria.get("adresseVille")),
        not criteria.get("adresseCodePays") or address.get("pays", "FR") == criteria["adresseCodePays"],
        not criteria.get("typeStructure") or structure["type"] == criteria["typeStructure"],
        not criteria.get("statutStructure") or structure["active"] == (criteria["statutStructure"] == "ACTIF"),
        criteria.get("estMOA") is None or structure["flags"]["getaMoa"] == criteria["estMOA"],
        criteria.get("estMOAUniquement") is None
        or structure["flags"]["estMoaUniquement"] == criteria["estMOAUniquement"],
    ]
    return all(checks)


def consulter(ctx: Ctx, body: dict) -> dict:
    structure = known_structure(ctx, structure_id_from(body, "idStructureCPP", "idStructure"))
    address = structure.get("address") or {}
    info = {
        "idStructureCPP": structure["id"],
        "identifiantStructure": structure["siret"],
        "typeIdentifiantStructure": structure["id_type"],
        "libelleStructure": structure["name"],
        "raisonSocialeStructure": structure["name"],
        "structurePriveePublique": structure["type"],
        "estValideurDeleguee": structure["flags"]["estValideurDelegue"],
        "listeStructureDupliquees": [],
    }
    for key, name in (("email", "emailStructure"), ("rcs", "numeroRcsStructure"), ("tva", "numeroTVA")):
        if structure.get(key):
            info[name] = structure[key]
    own = bool(ctx.account) and structure["siret"] in ctx.account["sirets"]
    if assumptions.FILL_PASSWORD_EXPIRY_ON_OWN_STRUCTURE and own:
        expires = dt.date.fromisoformat(ctx.account["password_expires"])
        info["dateExpirationMotPasseCompteTech"] = date_iso(
            dt.datetime.combine(expires, dt.time(23, 59, 59)).astimezone()
        )
    return {
        "informationGenerales": info,
        "adressePostaleDuSiege": {
            "adresse": address.get("adresse", ""),
            "codePostal": address.get("codePostal", ""),
            "ville": address.get("ville", ""),
            "pays": address.get("pays", "FR"),
        },
        "parametres": dict(structure["flags"]),
    }


def rechercher_services(ctx: Ctx, body: dict) -> dict:
    if "parametres" in body and "parametresRechercherServicesStructure" not in body:
        # Observed: a generic paging object is rejected; the name must be the specific one (§8.3).
        raise ApiError("INVALID_FIELD", field="parametres",
                       detail="utiliser parametresRechercherServicesStructure")
    structure = known_structure(ctx, structure_id_from(body, "idStructure", "idStructureCPP"))
    return _sorted_page(list(structure.get("services", [])), body.get("parametresRechercherServicesStructure") or {},
                        SERVICE_SORT_KEYS, "CodeService", "listeServices",
                        lambda s: {
                            "idService": s["id"],
                            "codeService": s["code"],
                            "libelleService": s["label"],
                            "estActif": s["active"],
                            "statutService": "ACTIF" if s["active"] else "INACTIF",
                        })


def consulter_service(ctx: Ctx, body: dict) -> dict:
    structure = known_structure(ctx, structure_id_from(body, "idStructure", "idStructureCPP"))
    service_id = body.get("idService")
    service = service_of(structure, service_id=service_id) if isinstance(service_id, int) else None
    if service is None:
        raise ApiError("UNKNOWN_SERVICE")
    address = structure.get("address") or {}
    return {
        "informationsGenerales": {
            "codeService": service["code"],
            "nomService": service["label"],
            "descriptionService": service["label"],
        },
        "parametres": {"numeroEngagement": service["ej_required"], "miseEnPaiement": True},
        "adressePostale": {
            "adresse": address.get("adresse", ""),
            "codePostal": address.get("codePostal", ""),
            "ville": address.get("ville", ""),
            "pays": address.get("pays", "FR"),
        },
        "pageCourante": 1,
        "pages": 1,
        "nbResultatsParPage": 1,
        "total": 1,
    }


OPERATIONS = {
    "rechercher": rechercher,
    "consulter": consulter,
    "rechercher/services": rechercher_services,
    "consulter/service": consulter_service,
}
