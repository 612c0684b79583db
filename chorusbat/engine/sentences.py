"""Validation issues and every French message of the engine, in one table.

An issue names where the problem is (situation, line, field) and what it is (a stable ``code`` that programs
and tests rely on); ``message`` is the French sentence shown to the user, built from the tables below, e.g.
« Situation F2026-0093, ligne 7.1, avancement : le pourcentage doit être compris entre 0 et 100 (reçu 120). »

``field`` is a dotted path in the situation file's vocabulary, relative to its situation or line when those
are given: ``progress``, ``unit_price``, ``market.revision.base_index``, ``penalties[0].amount``…
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Detail of each problem, by code. Placeholders are filled from the keyword arguments of ``issue()``.
MESSAGES: dict[str, str] = {
    # structure and types of the situation file
    "missing": "champ obligatoire manquant",
    "unknown_field": "champ inconnu (vérifiez l'orthographe)",
    "not_an_object": "doit être un objet JSON {{…}} (reçu {got})",
    "not_a_list": "doit être une liste JSON […] (reçu {got})",
    "not_a_text": "doit être un texte entre guillemets (reçu {got})",
    "not_an_integer": "doit être un nombre entier (reçu {got})",
    "not_a_boolean": "doit valoir true ou false (reçu {got})",
    "empty_text": "ne doit pas être vide",
    "decimal_not_string": "les nombres décimaux s'écrivent entre guillemets, par exemple \"12.50\" (reçu {got})",
    "not_a_number": "« {value} » n'est pas un nombre décimal (format attendu : 1234.56, point décimal)",
    "not_finite": "le nombre doit être fini (reçu {value})",
    "out_of_bounds": "le nombre doit avoir au plus 15 chiffres avant la virgule et 12 après (reçu {value})",
    "bad_period": "la période doit être au format AAAA-MM (reçu « {value} »)",
    "bad_date": "la date doit être une date existante au format AAAA-MM-JJ (reçu « {value} »)",
    "bad_siret": "le SIRET doit comporter exactement 14 chiffres (reçu « {value} »)",
    "siret_checksum": "ce SIRET n'est pas valide : sa clé de contrôle est fausse (reçu « {value} »)",
    "bad_iban": "cet IBAN n'est pas valide (format ou clé de contrôle faux ; reçu « {value} »)",
    "bad_vat_number": "ce numéro de TVA intracommunautaire n'est pas valide (reçu « {value} »)",
    "text_too_long": "le texte est trop long (au plus {max} caractères)",
    "unknown_kind": "la nature doit être « forfait » ou « unitaire » (reçu « {value} »)",
    # contract rules (situation-rules.md §2)
    "no_lines": "le marché doit comporter au moins une ligne",
    "duplicate_line_ref": "référence de ligne en double dans le marché",
    "negative_unit_price": "le prix unitaire ne doit pas être négatif (reçu {value})",
    "unit_price_precision": "le prix unitaire a au plus 4 décimales (reçu {value})",
    "negative_contract_quantity": "la quantité du marché ne doit pas être négative (reçu {value})",
    "vat_rate_out_of_range": "le taux de TVA doit être compris entre 0 et 100 (reçu {value})",
    "base_index_not_positive": "l'indice de base doit être strictement positif (reçu {value})",
    "retention_rate_out_of_range": "le taux de retenue de garantie doit être compris entre 0 et 0.05 (reçu {value})",
    "advance_rate_out_of_range": "le taux d'avance doit être compris entre 0 et 0.60 (reçu {value})",
    "advance_start_not_before_end": (
        "le seuil de début de remboursement ({start}) doit être inférieur au seuil de fin ({end})"
    ),
    # situation rules (situation-rules.md §3)
    "percentage_out_of_range": "le pourcentage doit être compris entre 0 et 100 (reçu {value})",
    "negative_quantity": "la quantité ne doit pas être négative (reçu {value})",
    "unknown_line": "cette ligne n'existe pas dans le marché",
    "line_not_in_force": "cette ligne n'existe qu'à partir de la période {since} (avenant)",
    "duplicate_amendment_number": "numéro d'avenant en double (« {value} »)",
    "empty_change": "la modification doit donner un nouveau prix unitaire, une nouvelle quantité ou les deux",
    "missing_index": "l'indice est obligatoire car les prix du marché sont révisables",
    "index_not_positive": "l'indice doit être strictement positif (reçu {value})",
    "duplicate_number": "ce numéro de situation est déjà utilisé par une situation précédente",
    "period_not_increasing": (
        "la période doit être postérieure à celle de la situation précédente {previous} ({previous_period})"
    ),
    "final_not_last": (
        "seul le dernier décompte du marché peut être le projet de décompte final : aucune situation ne peut le suivre"
    ),
    "money_precision": "un montant a au plus 2 décimales (reçu {value})",
    "negative_amount": "le montant ne doit pas être négatif (reçu {value})",
    # limits (chorusbat/engine/limits.py)
    "amount_too_large": "le montant doit être au plus {max} € (reçu {value})",
    "unit_price_too_large": "le prix unitaire doit être au plus {max} € (reçu {value})",
    "quantity_too_large": "la quantité doit être au plus {max} (reçu {value})",
    "quantity_precision": "une quantité a au plus {places} décimales (reçu {value})",
    "fraction_out_of_range": "la valeur doit être comprise entre 0 et 1 (reçu {value})",
    "index_out_of_range": "l'indice doit être compris entre {min} et {max} (reçu {value})",
    "date_out_of_range": "la date doit être comprise entre le {min} et le {max} (reçu {value})",
    "period_out_of_range": "la période doit être comprise entre {min} et {max} (reçu {value})",
    "duration_out_of_range": "la durée doit être comprise entre {min} et {max} mois (reçu {value})",
    "line_total_too_large": (
        "le montant de la ligne (prix unitaire × quantité) dépasse le maximum de {max} € (reçu {value} €)"
    ),
    "result_too_large": (
        "le montant calculé « {name} » dépasse le maximum de {max} € en valeur absolue ({value} €) : "
        "vérifiez les prix, les quantités et l'avancement"
    ),
    "coefficient_too_large": (
        "le coefficient de révision calculé ({value}) dépasse {max} : vérifiez l'indice et l'indice de base"
    ),
    # reading the file (command line)
    "file_unreadable": "impossible de lire « {path} » : {reason}",
    "not_utf8": "« {path} » n'est pas un texte encodé en UTF-8",
    "invalid_json": "« {path} » n'est pas un JSON valide (erreur ligne {lineno}, colonne {colno})",
    "unusable_json": "« {path} » n'est pas un JSON exploitable (nombre trop long ou imbrication trop profonde)",
    "file_too_large": "« {path} » est trop volumineux (au plus {max} Mo)",
}

# French names of the fields, by the last key of the path (list items use ITEM_LABELS with their number).
FIELD_LABELS: dict[str, str] = {
    "supplier": "titulaire",
    "buyer": "acheteur",
    "moe": "maître d'œuvre",
    "market": "marché",
    "situations": "situations",
    "lines": "lignes",
    "penalties": "pénalités",
    "name": "nom",
    "siret": "SIRET",
    "vat_number": "numéro de TVA",
    "iban": "IBAN",
    "service_code": "code service",
    "number": "numéro",
    "engagement": "engagement juridique",
    "title": "objet",
    "framework": "cadre de facturation",
    "start_date": "date de début",
    "duration_months": "durée en mois",
    "ref": "référence",
    "label": "libellé",
    "kind": "nature",
    "unit": "unité",
    "unit_price": "prix unitaire",
    "quantity": "quantité",
    "vat_rate": "taux de TVA",
    "revision": "révision des prix",
    "fixed": "partie fixe",
    "variable": "partie variable",
    "base_index": "indice de base",
    "advance": "avance",
    "rate": "taux",
    "start": "seuil de début",
    "end": "seuil de fin",
    "retention_rate": "taux de retenue de garantie",
    "period": "période",
    "date": "date",
    "index": "indice",
    "progress": "avancement",
    "amount": "montant",
    "advance_paid": "avance versée",
    "file": "fichier",
    "contract": "montants du marché",
    "result": "montants calculés",
    "coefficient": "coefficient de révision",
    "amendments": "avenants",
    "changes": "modifications",
    "object": "objet",
    "extra_work": "travaux supplémentaires (ordre de service)",
    "final": "projet de décompte final",
}
ITEM_LABELS: dict[str, str] = {"situations": "situation", "lines": "ligne", "penalties": "pénalité",
                               "amendments": "avenant", "changes": "modification"}

SITUATION_PREFIX = "Situation {situation}"
LINE_PREFIX = "ligne {line}"
CONTRACT_PREFIX = "Marché"
ISSUE_TEMPLATE = "{where} : {detail}."

_PATH_PART = re.compile(r"^(?P<name>[^\[\]]*)(?:\[(?P<index>\d+)\])?$")


@dataclass(frozen=True)
class ValidationIssue:
    situation: str | None
    line: str | None
    field: str
    code: str
    message: str


class SituationValidationError(Exception):
    """Raised with every issue found at once; nothing has been computed."""

    def __init__(self, errors: list[ValidationIssue]):
        self.errors = list(errors)
        super().__init__("\n".join(error.message for error in self.errors))


def field_label(path: str) -> str:
    """French name of a dotted field path: ``penalties[0].amount`` → « pénalité n° 1, montant »."""
    labels = []
    for part in path.split("."):
        match = _PATH_PART.match(part)
        name, index = (match["name"], match["index"]) if match else (part, None)
        if index is not None:
            labels.append(f"{ITEM_LABELS.get(name, FIELD_LABELS.get(name, name))} n° {int(index) + 1}")
        else:
            labels.append(FIELD_LABELS.get(name, f"« {name} »"))
    return ", ".join(labels)


def sentence(code: str, **values) -> str:
    """A message that concerns no particular field, as a full sentence."""
    detail = MESSAGES[code].format(**values)
    return f"{detail[:1].upper()}{detail[1:]}."


def issue(code: str, field: str, *, situation: str | None = None, line: str | None = None, **values) -> ValidationIssue:
    """Build an issue and its French message: where (situation, line, field), then what."""
    where = []
    if situation is not None:
        where.append(SITUATION_PREFIX.format(situation=situation))
    elif line is not None:
        where.append(CONTRACT_PREFIX)
    if line is not None:
        where.append(LINE_PREFIX.format(line=line))
    where.append(field_label(field))
    text = ", ".join(where)
    detail = MESSAGES[code].format(**values)
    message = ISSUE_TEMPLATE.format(where=text[:1].upper() + text[1:], detail=detail)
    return ValidationIssue(situation=situation, line=line, field=field, code=code, message=message)
