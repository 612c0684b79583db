"""Every Chorus Pro return code and wording the reference documents, as a clear French message for users.

This module is pure (no Django): the French texts live here, in tables, and nowhere else in
``chorusbat.chorus``. Reference: chorus-pro-api.md §14 (return codes), §3 (authentication), §15 (recipient
rules). Codes whose meaning Chorus Pro never published (marked UNCONFIRMED there) get a cautious message that
still shows the code, so a user can quote it to support.

Lookup order in :func:`message_for`: exact ``libelle`` code, then numeric ``codeRetour``, then a known wording
contained in the ``libelle``, then a generic fallback that shows the code and the label.
"""

from __future__ import annotations

import unicodedata

# Success labels (§6, §14.2): never shown as errors.
SUCCESS_LIBELLES = frozenset({"TRA_MSG_00.000", "GCU_MSG_01_000", "CODE PAR DEFAUT"})

# Exact ``libelle`` codes (§14.2).
LIBELLE_MESSAGES: dict[str, str] = {
    "TRA_MSG_00.015": "Aucun résultat ne correspond à cette recherche dans Chorus Pro.",
    "GFT_MSG_01.075": "Aucune facture de travaux ne correspond à cette recherche dans Chorus Pro.",
    "GDP_MSG_11.022": (
        "Le fichier déposé est trop volumineux pour Chorus Pro (10 Mo par facture, 30 Mo par dépôt compressé)."
    ),
    "GDP_MSG_11.001": (
        "Le statut actuel de la facture dans Chorus Pro ne permet pas cette action. "
        "Actualisez le suivi de la facture avant de réessayer."
    ),
}

# Numeric ``codeRetour`` values, keyed by (operation, code): the annex of Chorus Pro defines codes per service, so
# one number means different things on different operations (fidelity review U15). ``None`` as the operation means
# "any operation" and is used only for the "no result" codes, whose meaning is the same on every search. A code not
# listed for the operation that answered falls back to the known wordings, then to Chorus Pro's own ``libelle``.
# Operations are named as ``Operation.name`` (the path after ``/cpro/``).
SEARCH_ANY = None
OP_UPLOAD = "transverses/v1/ajouter/fichier"
OP_DEPOSIT_FLUX = "factures/v1/deposer/flux"
OP_SUBMIT = "factures/v1/soumettre"
OP_RECYCLE = "factures/v1/recycler"
OP_WORKS_SUBMIT = "facturesTravaux/v1/soumettre"

# Confirmed meanings (§14.2).
CODE_MESSAGES: dict[tuple[str | None, int], str] = {
    (SEARCH_ANY, 20000): LIBELLE_MESSAGES["TRA_MSG_00.015"],
    (SEARCH_ANY, 20007): LIBELLE_MESSAGES["GFT_MSG_01.075"],
    (OP_UPLOAD, 20003): "La pièce jointe dépasse la taille maximale de 10 Mo acceptée par Chorus Pro.",
    # 20001 / GDP_MSG_11.022 comes from a third-party source only (review U15): UNCONFIRMED, kept for deposits.
    (OP_DEPOSIT_FLUX, 20001): LIBELLE_MESSAGES["GDP_MSG_11.022"],
}

# Codes the reference lists for an operation without publishing their meaning (UNCONFIRMED, §14.2, §10.9, §12.2).
# The message says which kind of request was refused and is followed by Chorus Pro's own label.
_RECYCLE_REFUSED = "Chorus Pro a refusé le recyclage de la facture (destinataire, service ou engagement juridique)."
_SUBMIT_REFUSED = "Chorus Pro a refusé le dépôt de la facture."
_WORKS_REFUSED = "Chorus Pro a refusé le dépôt de la pièce de travaux."
UNCONFIRMED_CODE_MESSAGES: dict[tuple[str | None, int], str] = {
    **{(OP_RECYCLE, code): _RECYCLE_REFUSED for code in range(20004, 20015)},  # recycler
    # ANNEX V4.10: the error codes of soumettreFactureTravaux.
    **{(OP_WORKS_SUBMIT, code): _WORKS_REFUSED
       for code in (20003, 20004, 20005, 20042, 20064, 20065, 20127, 20128, 20129, 20131, 20132, 20133, 20134)},
    **{(OP_SUBMIT, code): _SUBMIT_REFUSED for code in (20013, 20303, 20304, 20305)},  # soumettre
}

# Known wordings (§14.3), matched inside the ``libelle`` ignoring case and accents. Numeric codes are UNCONFIRMED.
_SERVICE_REQUIRED = "Le code service exécutant est obligatoire pour ce destinataire : renseignez-le sur le marché."
_EJ_REQUIRED = (
    "Le numéro d'engagement juridique (EJ, bon de commande) est obligatoire ou invalide pour ce destinataire."
)
WORDING_MESSAGES: tuple[tuple[str, str], ...] = (
    ("performing service is mandatory", _SERVICE_REQUIRED),
    ("service executant est obligatoire", _SERVICE_REQUIRED),
    (
        "recipient not located or inactive",
        "Le destinataire est introuvable ou inactif dans Chorus Pro : vérifiez le SIRET de l'acheteur.",
    ),
    (
        "code service de la structure publique destinataire est inconnu ou inactif",
        "Le code service du destinataire est inconnu ou inactif dans Chorus Pro : vérifiez-le sur le marché.",
    ),
    (
        "code service ou le numero d'engagement juridique est obligatoire",
        "Ce destinataire exige un code service exécutant ou un numéro d'engagement juridique (EJ).",
    ),
    ("engagement juridique", _EJ_REQUIRED),
    ("legal commitment", _EJ_REQUIRED),
    (
        "n'est pas reference dans notre systeme",
        "Votre entreprise n'est pas référencée dans Chorus Pro sous cet identifiant : vérifiez votre SIRET.",
    ),
    (
        "consistency checks performed on the payment request are not valid",
        "Les montants de la facture sont incohérents (lignes, récapitulatif de TVA ou totaux).",
    ),
    ("header synthesis is not correct", "Le récapitulatif en tête de facture (totaux) est incorrect."),
    ("of unknown type does not exist", "Une pièce jointe est introuvable dans Chorus Pro ou d'un type inconnu."),
)

GENERIC_BUSINESS = "Chorus Pro a refusé la demande."

# Messages of the error classes in ``errors.py`` (one table, §3, §14.1).
ERROR_MESSAGES: dict[str, str] = {
    "authentication": (
        "L'application PISTE a été refusée (identifiant client ou secret PISTE incorrect). "
        "Vérifiez la configuration PISTE de la plateforme ou de votre entreprise."
    ),
    "technical_account_refused": (
        "Chorus Pro a refusé le compte technique : identifiant ou mot de passe incorrect."
    ),
    "password_expired": (
        "Le mot de passe du compte technique Chorus Pro a expiré. Aucun envoi n'est possible tant qu'un "
        "nouveau mot de passe n'a pas été enregistré."
    ),
    "not_subscribed": (
        "Accès refusé par Chorus Pro : application non abonnée ou compte technique sans droits sur cette "
        "structure. Vérifiez l'abonnement de l'application PISTE à cette API (et l'acceptation de ses conditions "
        "d'utilisation sur piste.gouv.fr), puis les droits du compte technique sur la structure dans Chorus Pro."
    ),
    "transient": "Chorus Pro est momentanément indisponible. Réessayez dans quelques minutes.",
    "transient_maybe_delivered": (
        "Chorus Pro n'a pas confirmé la réception de la demande : elle a peut-être été enregistrée. "
        "chorusbat vérifiera dans Chorus Pro avant toute nouvelle tentative."
    ),
    "throttled": "Chorus Pro limite le nombre de demandes. Réessayez dans quelques minutes.",
    "unreachable": "Chorus Pro est injoignable (pas de réponse). Réessayez dans quelques minutes.",
    "timeout": "Chorus Pro n'a pas répondu à temps. Réessayez dans quelques minutes.",
    "invalid_response": (
        "Chorus Pro a renvoyé une réponse inattendue (page d'erreur ou données illisibles). "
        "Réessayez plus tard ; si le problème persiste, contactez le support."
    ),
    "request_rejected": "Chorus Pro a refusé la requête (erreur HTTP {status}).",
    "not_found": "Ce service Chorus Pro est introuvable : l'adresse de l'environnement est peut-être incorrecte.",
    "works_not_found": (
        "Dépôt de pièces de travaux non disponible par API dans cet environnement : Chorus Pro ne sert pas "
        "l'opération de factures de travaux demandée. L'envoi est suspendu ; déposez la pièce sur le portail "
        "Chorus Pro ou attendez que le service soit confirmé (commande « chorusbat chorus probe »)."
    ),
    "too_large": "Le fichier envoyé est trop volumineux pour Chorus Pro.",
    "unsupported_media": "Chorus Pro a refusé le format de la requête.",
    "environment_refused": (
        "L'environnement de production Chorus Pro est refusé : cette installation de chorusbat fonctionne "
        "avec une configuration locale. Choisissez la qualification ou le bac à sable."
    ),
    "missing_application": (
        "Aucune application PISTE n'est configurée : renseignez l'identifiant et le secret PISTE de la "
        "plateforme ou de votre entreprise."
    ),
}


def message_for(code_retour: int | None, libelle: str | None, operation: str | None = None) -> str:
    """French message for a Chorus Pro ``codeRetour``/``libelle`` pair answered by ``operation``; names the code.

    Order: a documented label code (``GDP_MSG_11.001``, possibly followed by text), a confirmed (operation, code),
    a documented wording, a code of unpublished meaning for that operation, then the generic message. Whenever
    the message is not specific, Chorus Pro's own label is quoted so the user still learns the reason.
    """
    label = (libelle or "").strip()
    suffix = _code_suffix(code_retour, label)
    label_code = next((key for key in LIBELLE_MESSAGES if label.startswith(key)), None)
    if label_code:
        return LIBELLE_MESSAGES[label_code] + _code_suffix(code_retour, label_code)
    confirmed = _by_operation(CODE_MESSAGES, operation, code_retour)
    if confirmed:
        return confirmed + suffix
    folded = fold(label)
    for wording, message in WORDING_MESSAGES:
        if wording in folded:
            return message + suffix
    base = _by_operation(UNCONFIRMED_CODE_MESSAGES, operation, code_retour) or GENERIC_BUSINESS
    if label and not _is_code_like(label):
        return f"{base} Motif donné par Chorus Pro : « {label} »{suffix}"
    return base + suffix


def is_known(code_retour: int | None, libelle: str | None, operation: str | None = None) -> bool:
    """Whether :func:`message_for` has a specific message (not the generic fallback) for this pair."""
    label = (libelle or "").strip()
    if any(label.startswith(key) for key in LIBELLE_MESSAGES):
        return True
    if _by_operation(CODE_MESSAGES, operation, code_retour) or _by_operation(
            UNCONFIRMED_CODE_MESSAGES, operation, code_retour):
        return True
    return any(wording in fold(label) for wording, _ in WORDING_MESSAGES)


def _by_operation(table: dict, operation: str | None, code: int | None) -> str | None:
    if code is None:
        return None
    return table.get((operation, code)) or table.get((SEARCH_ANY, code))


def fold(text: str) -> str:
    """Lower case without accents, to match wordings whatever their accents."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def _is_code_like(label: str) -> bool:
    return " " not in label


def _code_suffix(code_retour: int | None, label: str) -> str:
    parts = [str(code_retour)] if code_retour is not None else []
    if label and _is_code_like(label) and label != str(code_retour):
        parts.append(label)  # a code-like label such as GDP_MSG_11.001
    return f" (code {' / '.join(parts)})" if parts else ""


# Outcomes of the connection check ("Tester la connexion", issue 4 item 3): what happened, and what to do.
CONNECTION_MESSAGES: dict[str, tuple[str, str]] = {
    "verified": (
        "Connexion à Chorus Pro vérifiée.",
        "Aucune action nécessaire.",
    ),
    "refused": (
        "Identifiants refusés : Chorus Pro ne reconnaît pas ce compte technique ou ce mot de passe.",
        "Vérifiez l'identifiant du compte technique (TECH_…@cpro.fr) et recopiez le mot de passe affiché par "
        "Chorus Pro. En cas de doute, le gestionnaire principal de la structure peut réinitialiser le mot de "
        "passe sur le portail Chorus Pro (Raccordements › Compte technique), puis enregistrez-le ici.",
    ),
    "expired": (
        "Mot de passe expiré : le mot de passe du compte technique Chorus Pro n'est plus valable.",
        "Le gestionnaire principal de la structure doit réinitialiser le mot de passe du compte technique sur "
        "le portail Chorus Pro (Raccordements › Compte technique), puis enregistrer le nouveau mot de passe ici. "
        "Les envois sont suspendus d'ici là.",
    ),
    "not_attached": (
        "SIRET non rattaché au compte technique : ce compte technique ne peut pas facturer pour ce SIRET.",
        "Vérifiez le SIRET de l'entreprise, puis demandez au gestionnaire principal de la structure de créer "
        "le compte technique depuis cette structure sur le portail Chorus Pro.",
    ),
    "unknown_siret": (
        "SIRET inconnu de Chorus Pro dans cet environnement.",
        "Vérifiez le SIRET et l'environnement choisi (qualification ou production) : les structures de "
        "qualification diffèrent de celles de production.",
    ),
    "unreachable": (
        "Chorus Pro injoignable : la vérification n'a pas pu aboutir.",
        "Réessayez dans quelques minutes. Si le problème persiste, consultez la disponibilité de Chorus Pro "
        "ou contactez le support de chorusbat.",
    ),
    "garbled": (
        "Chorus Pro injoignable : le service a renvoyé une réponse illisible (page d'erreur au lieu de données).",
        "Réessayez dans quelques minutes : Chorus Pro ou sa passerelle PISTE est probablement en maintenance.",
    ),
    "misconfigured": (
        "Configuration refusée par Chorus Pro (application PISTE ou abonnement aux API).",
        "Vérifiez l'identifiant et le secret de l'application PISTE, son abonnement aux API Factures, "
        "Structures, Utilisateurs et Transverses, et le raccordement déclaré dans Chorus Pro.",
    ),
}


# The qualification probe (``probe.py``, ``chorusbat chorus probe``): its French report.
PROBE_MESSAGES: dict[str, str] = {
    "title": "Sonde de qualification Chorus Pro — {company} — plateforme : {environment} (lecture seule)",
    "answered": "a répondu",
    "refused": "a répondu par un refus",
    "no_answer": "pas de réponse exploitable",
    "step_token": "Jeton PISTE",
    "step_health": "Disponibilité (health-check)",
    "step_structure": "Structure de l'entreprise (recherche par SIRET)",
    "step_structure_consult": "Structure de l'entreprise (consultation)",
    "step_buyer": "Recherche d'un acheteur",
    "step_invoices": "Recherche de factures",
    "step_works": "Recherche de pièces de travaux",
    "step_history": "Historique d'une facture (paginé, trié par date)",
    "history_answered": "l'historique répond à une demande paginée et triée (champs : {fields}).",
    "history_refused": "l'historique refuse la demande paginée et triée : {error}",
    "fields_seen": "Champs vus dans la réponse : {fields} ; dans une pièce : {items}",
    "works_confirmed": (
        "API factures de travaux : confirmée sur cette plateforme (la recherche de pièces de travaux répond). "
        "Le dépôt d'une pièce (soumettre) reste à vérifier par un premier envoi réel."
    ),
    "works_not_confirmed": (
        "API factures de travaux : NON confirmée sur cette plateforme. Les pièces de travaux vers la production "
        "restent suspendues."
    ),
    "assumptions_title": "Hypothèses non confirmées et ce que la sonde a observé :",
    "observed": "Observé :",
    "not_observable": "non observable par une sonde en lecture seule.",
    "works_search_answered": "la recherche de pièces de travaux répond (HTTP {status}, codeRetour {code}).",
    "works_search_failed": "la recherche de pièces de travaux ne répond pas (HTTP {status}) : {error}",
    "works_subscribed": "l'application PISTE a accès à la famille facturesTravaux.",
    "works_403": "HTTP 403 : application non abonnée à la famille facturesTravaux, ou compte sans droits.",
    "works_fields_seen": "champs d'une pièce : {fields} ; champ de statut présent : {status}.",
    "works_no_item": "aucune pièce de travaux dans la réponse : noms des champs non observés.",
    "no_result_seen": "« aucun résultat » reçu ainsi : {detail}.",
    "business_status_seen": "refus reçus avec : {detail}.",
    "no_refusal": "aucun refus métier pendant la sonde : non observé.",
    "seen_403": "HTTP 403 reçu sur : {operations}.",
}

# The UNCONFIRMED assumptions (``assumptions.UNCONFIRMED``), in French, for the probe's report.
UNCONFIRMED_ASSUMPTIONS: dict[str, str] = {
    "works_search": "La recherche de pièces de travaux est POST /cpro/facturesTravaux/v1/rechercher (confirmée par "
                    "des clients en production, à vérifier sur cette plateforme).",
    "works_subscription": "L'abonnement PISTE couvre la famille facturesTravaux (pas d'API « Factures de travaux » "
                          "distincte à souscrire).",
    "works_status_field": "Le statut d'une pièce de travaux est lu dans « statut », « statutFactureTravaux » ou "
                          "« statutCourant ».",
    "works_submit": "Le dépôt d'une pièce de travaux est POST /cpro/facturesTravaux/v1/soumettre avec le corps de "
                    "factures/v1/soumettre et un cadre A4/A10/A13.",
    "works_deposit_mode": "En DEPOT_PDF_API, Chorus Pro garde le numéro de chorusbat (numeroFactureSaisi) pour une "
                          "pièce de travaux ; en SAISIE_API il la numérote lui-même.",
    "works_moe_blocks": "Une A4 nomme sa maîtrise d'œuvre (bloc moe) ; une A10/A13 nomme son valideur et pas de "
                        "maîtrise d'œuvre ; la maîtrise d'ouvrage est le bloc moa.",
    "works_actions": "Compléter, recycler et traiter un rejet d'une pièce de travaux passent par des opérations "
                     "propres aux travaux : refusés par API d'ici leur confirmation.",
    "negative_works_piece": "Une pièce de travaux de total négatif n'est pas envoyée (suspendue pour une personne).",
    "no_result_codes": "« Aucun résultat » arrive en HTTP 200 avec 20000/TRA_MSG_00.015 ou 20007/GFT_MSG_01.075.",
    "business_error_status": "Un refus métier arrive en HTTP 200 ou 400 avec codeRetour et libelle.",
    "expired_password_answer": "Un mot de passe technique expiré est signalé par un 401 ou un refus dont le "
                               "libellé parle d'expiration du mot de passe.",
    "meaning_of_403": "Un 403 signifie application non abonnée ou compte technique sans droits sur la structure.",
    "history_paging": "L'historique des statuts accepte paramRechercheHistoStatuts (pagination et tri par date).",
    "flux_error_states": "Un flux en IN_INCIDENTE, IN_ERREUR_INTERNE, QP_IRRECEVABLE ou QP_RECEVABLE_AVEC_ERREUR "
                         "peut encore évoluer ; chorusbat attend un délai de grâce puis demande une personne.",
}
