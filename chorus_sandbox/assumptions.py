"""Every behaviour of the sandbox that the reference marks UNCONFIRMED, in one place.

The reference is ``chorus-pro-api.md`` (section numbers below point into it). When qualification shows that
Chorus Pro behaves differently, correct the value here; no other module hard-codes these choices.
Each item says which section it comes from and why this value was chosen.
"""

from __future__ import annotations

# --- PISTE OAuth2 (§3.1, §18.2) -----------------------------------------------------------------------------

#: Token lifetime in seconds. Confirmed value is 3600; the sandbox lets tests shorten it (--token-lifetime).
DEFAULT_TOKEN_LIFETIME = 3600

#: HTTP status of ``invalid_client`` on the token endpoint. §3.1 says "400 or 401"; RFC 6749 §5.2 allows 401
#: when the client authenticated, PISTE was observed answering 400. UNCONFIRMED: we answer 401.
INVALID_CLIENT_STATUS = 401

# --- Gateway (§3.2, §14.1, §18.3) ----------------------------------------------------------------------------

#: Body of a 401 for a missing, unknown or expired bearer token (PISTE gateway body; exact shape UNCONFIRMED).
BEARER_REJECTED_BODY = {"error": "invalid_token", "error_description": "Jeton d'accès absent, inconnu ou expiré"}

#: 403 for an API family the PISTE application is not subscribed to: "sometimes with an empty body" (§3.2).
NOT_SUBSCRIBED_BODY = b""

#: 401 for a bad ``cpro-account`` header (missing, not base64, no colon, unknown login, wrong password).
#: The real body is UNCONFIRMED ("gateway body, possibly empty"); we send a Chorus-style envelope.
BAD_ACCOUNT_BODY = {"codeRetour": 401, "libelle": "Compte technique inconnu ou mot de passe incorrect"}

#: 401 for a technical account whose password has expired. The real body is UNCONFIRMED (§4, §14.3, §19);
#: the libelle must say clearly, and differently from BAD_ACCOUNT_BODY, that the password expired.
EXPIRED_PASSWORD_BODY = {
    "codeRetour": 402,
    "libelle": "Le mot de passe du compte technique a expiré : demandez sa réinitialisation sur Chorus Pro",
}

#: Another HTTP method on a known route (TRACE, PUT, OPTIONS, HEAD…). The PISTE gateway's answer is UNCONFIRMED;
#: we answer 405 with an ``Allow`` header and a Chorus-style JSON body (RFC 9110 §15.5.6), never an HTML page.
METHOD_NOT_ALLOWED_STATUS = 405

#: Values a Java service cannot hold (integers beyond 64 bits, or beyond 32 bits on a Swagger ``int32`` field,
#: non-finite numbers, lone surrogates): a 400 naming the field, like any contract violation (guard.py). The
#: platform's exact code and libelle are UNCONFIRMED; its answer is a 4xx, not a 5xx (issue 11).

#: ``structures/v1/rechercher`` → ``restreindreStructuresPrivees`` follows AIFE's rule, quoted by Pastell's
#: CPPWrapper.php (fidelity review B6): absent or true → matching public structures plus only the private ones
#: attached to the calling technical account; false → every public and private structure. Not a guess: no switch.

#: §4: validity period of a technical-account password, used for accounts added without an explicit expiry.
PASSWORD_VALIDITY_DAYS = 365

#: §4/§19: whether ``structures/v1/consulter`` fills ``dateExpirationMotPasseCompteTech`` when the technical
#: account consults one of its own structures. UNCONFIRMED; filled, as the issue asks.
FILL_PASSWORD_EXPIRY_ON_OWN_STRUCTURE = True

# --- Return codes (§14.2, §14.3, §18.5) ----------------------------------------------------------------------

#: HTTP status for functional rejections (business rules). §18.5: global switch, 400 by default; 200 is the
#: other behaviour seen in production. Searches without result are always HTTP 200 (see NO_RESULT).
BUSINESS_ERROR_STATUS = 400

#: ``codeRetour`` / ``libelle`` pairs. Only SUCCESS, NO_RESULT, WORKS_NO_RESULT and FILE_TOO_LARGE (20003) are
#: confirmed; every other numeric code and wording is UNCONFIRMED (§14.2, §14.3, §19) and chosen to be plausible.
#: The invented numeric codes live in 29101-29199, a range no annex of Chorus Pro assigns (fidelity review B7: the
#: annex V4.10 gives 20127-20129 and 20131-20134 to soumettreFactureTravaux, so invented codes there would make a
#: client show a works refusal for an unrelated error). Their labels stay plausible wordings.
CODES: dict[str, tuple[int, str]] = {
    "SUCCESS": (0, "GCU_MSG_01_000"),
    "NO_RESULT": (20000, "TRA_MSG_00.015"),
    "WORKS_NO_RESULT": (20007, "GFT_MSG_01.075"),
    "FILE_TOO_LARGE": (20003, "La taille de la pièce jointe dépasse la limite autorisée de 10 Mo"),
    "FLUX_TOO_LARGE": (20001, "GDP_MSG_11.022 : la taille du flux dépasse la limite autorisée"),
    "STATUS_FORBIDS_ACTION": (29101, "GDP_MSG_11.001 : le statut courant de la facture ne permet pas cette action"),
    "MALFORMED_JSON": (29102, "La requête n'est pas un JSON valide"),
    "INVALID_FIELD": (29103, "Valeur invalide pour le champ {field} : {detail}"),
    "MISSING_FIELD": (29104, "Le champ {field} est obligatoire"),
    "INVALID_BASE64": (29105, "Le contenu du fichier n'est pas un base64 valide"),
    "FILE_NAME_TOO_LONG": (29106, "Le nom du fichier dépasse 50 caractères"),
    "UNKNOWN_STRUCTURE": (29107, "Structure inconnue"),
    "UNKNOWN_SERVICE": (29108, "Service inconnu pour cette structure"),
    "SUPPLIER_NOT_ATTACHED": (29109, "La structure fournisseur n'est pas rattachée au compte technique"),
    "UNKNOWN_SUPPLIER": (29110, "L'identifiant fournisseur {siret} n'est pas reference dans notre systeme"),
    "BANK_ACCOUNT_INVALID": (29111, "Les coordonnées bancaires ne sont pas valides pour ce fournisseur"),
    "RECIPIENT_NOT_FOUND": (29112, "Recipient not located or inactive"),
    "SERVICE_MANDATORY": (29113, "Performing service is mandatory for this recipient"),
    "SERVICE_INACTIVE": (
        29114,
        "Le code service de la structure publique destinataire est inconnu ou inactif dans Chorus Pro",
    ),
    "SERVICE_RESERVED": (29115, "Le service FACTURES_PUBLIQUES est réservé aux factures entre entités publiques"),
    "EJ_MANDATORY": (
        29116,
        "Le numéro d'engagement juridique est obligatoire pour ce destinataire "
        "(BT-13 BuyerOrderReferencedDocument/IssuerAssignedID, numeroBonCommande)",
    ),
    "EJ_OR_SERVICE_MANDATORY": (29117, "Le code service ou le numéro d'engagement juridique est obligatoire"),
    "EJ_UNKNOWN": (29118, "L'engagement juridique {ej} n'existe pas dans Chorus Pro"),
    "EJ_TOO_LONG": (29119, "Le numéro d'engagement juridique dépasse 50 caractères"),
    "VALIDATOR_MANDATORY": (29120, "La structure valideur est obligatoire pour ce cadre de facturation"),
    "VALIDATOR_UNKNOWN": (29121, "La structure valideur est inconnue ou inactive"),
    "INVOICE_NUMBER_MANDATORY": (29122, "Le numéro de facture est obligatoire"),
    "INVOICE_DATE_INVALID": (29123, "La date de facture est absente ou postérieure à la date de dépôt"),
    "ATTACHMENT_UNKNOWN": (29124, "Attachment {id} of unknown type does not exist"),
    "DUPLICATE_NUMBER": (29125, "Le numéro de facture {numero} existe déjà pour ce fournisseur"),
    "TOTALS_INCONSISTENT": (
        29126,
        "The consistency checks performed on the payment request are not valid: {detail}",
    ),
    "ORIGIN_MANDATORY": (29127, "Le numéro de la facture d'origine est obligatoire pour un avoir"),
    "PAYMENT_MEANS_MISSING": (29128, "Le moyen de paiement est absent"),
    "MOA_ONLY": (29129, "Ce destinataire est maître d'ouvrage uniquement et ne reçoit pas de factures"),
    "UNKNOWN_INVOICE": (29130, "Facture inconnue"),
    "UNKNOWN_FLUX": (29131, "Numéro de flux de dépôt inconnu"),
    "MOTIF_MANDATORY": (29132, "Le motif est obligatoire pour ce statut"),
    "STATUS_NOT_ALLOWED": (29133, "Le statut {statut} ne peut pas être positionné par le destinataire"),
    "UNSUPPORTED_SYNTAX": (29134, "La syntaxe de flux {syntaxe} n'est pas prise en charge par le bac à sable"),
    "MOE_MANDATORY": (29135, "La maîtrise d'œuvre (MOE) est obligatoire pour ce cadre de facturation"),
    "MOE_UNKNOWN": (29136, "La maîtrise d'œuvre est inconnue ou inactive"),
    "MOA_UNKNOWN": (29137, "La maîtrise d'ouvrage est inconnue, inactive ou n'est pas MOA"),
    "MOE_AMOUNT_REFUSAL": (
        29138,
        "Depuis le 19 février 2025 la MOE ne peut plus refuser un projet de décompte pour erreur de montant",
    ),
    "WORKS_FRAMEWORK_NOT_ALLOWED": (29139, "Le cadre de facturation {cadre} n'est pas accepté par cette opération"),
}

# --- Files and fluxes (§7, §10.2, §16) -----------------------------------------------------------------------

#: ``ajouter/fichier``: 10 MB, code 20003 (confirmed). Name <= 50 characters, HTTP 400 (observed).
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_FILE_NAME_LENGTH = 50

#: ``deposer/flux``: 10 MB per invoice file, 30 MB for a compressed flux (UNCONFIRMED, §10.2).
MAX_FLUX_INVOICE_BYTES = 10 * 1024 * 1024
MAX_FLUX_ARCHIVE_BYTES = 30 * 1024 * 1024

#: Syntaxes whose content the sandbox really checks. Other Swagger values are refused with UNSUPPORTED_SYNTAX.
SUPPORTED_FLUX_SYNTAXES = ("IN_DP_E2_CII_FACTURX", "IN_DP_E1_CII_16B")

#: Factur-X profiles Chorus Pro accepts for IN_DP_E2_CII_FACTURX, each checked against its own XSD.
#: MINIMUM and BASIC WL are not invoices in EN 16931 terms. UNCONFIRMED list.
FACTURX_ACCEPTED_LEVELS = ("basic", "en16931", "extended")

#: XSD used for a plain CII D16B file (E1): the Factur-X EXTENDED XSD is the most complete D16B schema shipped
#: with the factur-x library.
CII_16B_XSD_LEVEL = "extended"

#: Where unreadable content (PDF without XML, XML failing the XSD) is reported. Chorus Pro accepts the deposit
#: and rejects the flux while processing it (IN_REJETE with listeErreurTechnique). Base64 that does not decode
#: and size limits are refused synchronously by ``deposer/flux``. UNCONFIRMED split.
FILE_ERRORS_ARE_ASYNCHRONOUS = True

#: Flux end states the fault rules can force (``faults.py`` ``flux_state``; review B2, U11). Chorus Pro's error
#: states are known from client libraries (Tryton, OCA); their error lists and whether they may still move on are
#: UNCONFIRMED. The sandbox fills listeErreurTechnique for IN_INCIDENTE / IN_ERREUR_INTERNE and listeErreurDP for
#: QP_IRRECEVABLE / QP_RECEVABLE_AVEC_ERREUR, and leaves the flux there. IN_TRAITE_SE_CPP creates the invoice but
#: the flux stays in that state (some clients treat it as final).
FLUX_FAULT_STATES = ("IN_INCIDENTE", "IN_ERREUR_INTERNE", "QP_IRRECEVABLE", "QP_RECEVABLE_AVEC_ERREUR",
                     "IN_TRAITE_SE_CPP")
FLUX_FAULT_ERRORS = {
    "IN_INCIDENTE": ("INCIDENT_TRAITEMENT", "Incident lors du traitement du flux"),
    "IN_ERREUR_INTERNE": ("ERREUR_INTERNE", "Erreur interne lors du traitement du flux"),
    "QP_IRRECEVABLE": ("FLUX_IRRECEVABLE", "Flux irrecevable : contrôles de recevabilité non satisfaits"),
    "QP_RECEVABLE_AVEC_ERREUR": ("FLUX_RECEVABLE_AVEC_ERREUR", "Flux recevable avec erreurs"),
}

#: ``codeInterfaceDepotFlux`` reported by consulterCRDetaille per syntax (§7 gives FSO1110A as an example).
FLUX_INTERFACE_CODES = {"IN_DP_E2_CII_FACTURX": "FSO1110A", "IN_DP_E1_CII_16B": "FSO1100A"}

#: ``modeDepot`` shown for invoices created from a flux (§13.5: EDI or EDI_*; UNCONFIRMED).
FLUX_MODE_DEPOT = {"IN_DP_E2_CII_FACTURX": "EDI_MIXTE", "IN_DP_E1_CII_16B": "EDI_XML_STRUCT"}

# --- Life cycle (§13.1, §10.8, §11.4, §18.10) ----------------------------------------------------------------

#: Happy path of an A1/A2 invoice once DEPOSEE. The optional steps and their order are UNCONFIRMED (§13.1);
#: we include PRISE_EN_COMPTE_DESTINATAIRE and SERVICE_FAIT so clients meet them.
INVOICE_HAPPY_PATH = (
    "DEPOSEE",
    "EN_COURS_ACHEMINEMENT",
    "MISE_A_DISPOSITION",
    "PRISE_EN_COMPTE_DESTINATAIRE",
    "SERVICE_FAIT",
    "MANDATEE",
    "MISE_EN_PAIEMENT",
)

#: A9/A12 invoices wait for their validator first; the clock validates them (VALIDEE_1) then routes them on.
VALIDATOR_PATH = ("A_VALIDER_1", "VALIDEE_1", "DEPOSEE")

#: Statuses a recipient may set through ``traiter/recue`` (Swagger description, §11.4), plus SERVICE_FAIT and
#: PRISE_EN_COMPTE_DESTINATAIRE whose settability is UNCONFIRMED (allowed here so the clock can use the route).
RECIPIENT_SETTABLE_STATUSES = (
    "MISE_A_DISPOSITION",
    "SUSPENDUE",
    "REJETEE",
    "MANDATEE",
    "MISE_EN_PAIEMENT",
    "COMPTABILISEE",
    "MISE_A_DISPOSITION_COMPTABLE",
    "A_RECYCLER",
    "PRISE_EN_COMPTE_DESTINATAIRE",
    "SERVICE_FAIT",
)

#: Statuses for which ``traiter/recue`` requires a ``motif`` (§11.4).
MOTIF_REQUIRED_STATUSES = ("SUSPENDUE", "REJETEE")

#: Status after ``completer`` (§10.8): COMPLETEE (default) or MISE_A_DISPOSITION. UNCONFIRMED.
STATUS_AFTER_COMPLETER = "COMPLETEE"

#: Status after ``recycler`` (§10.9): the invoice is routed again. UNCONFIRMED.
STATUS_AFTER_RECYCLER = "DEPOSEE"

#: Maximum comment length (§16: 200 UNCONFIRMED; another client truncates at 1000). Longer comments are refused.
MAX_COMMENT_LENGTH = 200

#: Length of one clock tick in seconds at --clock-speed 1. With 8 steps from a flux deposit to
#: MISE_EN_PAIEMENT, speed 1 shows the whole path in about a minute.
BASE_TICK_SECONDS = 6.0

# --- Works (§12) — MODELLED, not confirmed --------------------------------------------------------------------

#: Paths of the works operations other than ``rechercher`` are UNCONFIRMED (§12.2). The sandbox serves
#: ``facturesTravaux/v1/soumettre``, ``consulter``, ``rechercher`` and ``traiter`` (MOE/MOA actions).
WORKS_ENABLED = True

#: Frameworks the works ``soumettre`` accepts, and the ``typeFactureTravaux`` each produces (§12.4, §13.6).
#: The final statements of a subcontractor (A11) and of a co-contractor (A14) are accepted with the same checks as
#: their monthly counterparts (A10 / A13); the ``typeFactureTravaux`` they produce is UNCONFIRMED (modelled as the
#: titulaire's A7, ``PROJET_DECOMPTE_FINAL``).
WORKS_SUBMIT_FRAMEWORKS = {
    "A4_PROJET_DECOMPTE_MENSUEL_FOURNISSEUR": "PROJET_DECOMPTE_MENSUEL",
    "A7_PROJET_DECOMPTE_FINAL_FOURNISSEUR": "PROJET_DECOMPTE_FINAL",
    "A8_DECOMPTE_GENERAL_DEFINITIF_FOURNISSEUR": "DECOMPTE_GENERAL_SIGNE",
    "A10_PROJET_DECOMPTE_MENSUEL_SOUSTRAITANT": "DP_DE_SOUSTRAITANT_TRAVAUX",
    "A11_PROJET_DECOMPTE_FINAL_SOUSTRAITANT": "PROJET_DECOMPTE_FINAL",  # UNCONFIRMED typeFactureTravaux
    "A13_PROJET_DECOMPTE_MENSUEL_COTRAITANT": "PROJET_DECOMPTE_MENSUEL",
    "A14_PROJET_DECOMPTE_FINAL_COTRAITANT": "PROJET_DECOMPTE_FINAL",  # UNCONFIRMED typeFactureTravaux
}

#: Frameworks deposited by a subcontractor / co-contractor: they need a validator (titulaire / mandataire), for the
#: final statement (A11 / A14) as for the monthly one (A10 / A13) — works-billing-background.md §15.3; that A11 /
#: A14 name the same validator is UNCONFIRMED.
WORKS_FRAMEWORKS_WITH_VALIDATOR = (
    "A10_PROJET_DECOMPTE_MENSUEL_SOUSTRAITANT", "A11_PROJET_DECOMPTE_FINAL_SOUSTRAITANT",
    "A13_PROJET_DECOMPTE_MENSUEL_COTRAITANT", "A14_PROJET_DECOMPTE_FINAL_COTRAITANT",
)

#: How an A4 names the MOE and the MOA is UNCONFIRMED (§12.4). The sandbox reads request fields
#: ``moe{codeStructureMoe, codeServiceMoe}`` and ``moa{codeStructureMoa, codeServiceMoa}`` and reports them with
#: the Swagger output names of ``CadreDeFacturationOutput`` (idMoe, identifiantMoe, …).
WORKS_MOE_FIELD = "moe"
WORKS_MOA_FIELD = "moa"

#: Frameworks whose works ``soumettre`` requires the MOE block (fidelity review B4, U17; UNCONFIRMED). The
#: titulaire's pieces (A4, A7, A8) go straight to the MOE and name it. A subcontractor's (A10) or co-contractor's
#: (A13) piece names its validator (titulaire / mandataire, ``codeStructureValideur``), who forwards it into the
#: MOE circuit: the MOE block is accepted there but not required. Decision of 2026-12 until qualification shows
#: the real rule.
WORKS_MOE_REQUIRED_FRAMEWORKS = (
    "A4_PROJET_DECOMPTE_MENSUEL_FOURNISSEUR",
    "A7_PROJET_DECOMPTE_FINAL_FOURNISSEUR",
    "A8_DECOMPTE_GENERAL_DEFINITIF_FOURNISSEUR",
)

#: ``modeDepot`` of works pieces behaves as in Factures ``soumettre`` (reference §10.1, review B1): in
#: ``SAISIE_API`` the platform numbers the piece and ignores ``numeroFactureSaisi``; in ``DEPOT_PDF_API`` it keeps
#: ``numeroFactureSaisi`` (unique per supplier, a second deposit with the same number is refused) and requires
#: ``dateFacture`` and ``pieceJointePrincipale``. Confirmed for invoices (COMM example, SANDBOX-OBS); assumed the
#: same for works pieces (UNCONFIRMED).
WORKS_DEPOSIT_MODES = ("SAISIE_API", "DEPOT_PDF_API", "DEPOT_PDF_SIGNE_API")

#: Modelled MOE → MOA circuit of a works piece (§12.4, §12.6, §18.11). The status sequence is UNCONFIRMED.
WORKS_PATH = (
    "DEPOSEE",
    "MISE_A_DISPOSITION_MOE",
    "PRISE_EN_COMPTE_MOE",
    "TRANSMISE_MOA",
    "MISE_A_DISPOSITION_MOA",
    "PRISE_EN_COMPTE_MOA",
    "MANDATEE",
    "MISE_EN_PAIEMENT",
)
#: Frameworks with a validator start here, then join WORKS_PATH.
WORKS_VALIDATOR_PATH = ("A_VALIDER_1", "VALIDEE_1", "DEPOSEE")

#: Actions of ``facturesTravaux/v1/traiter`` (modelled): action → (allowed current statuses, new status).
WORKS_ACTIONS = {
    "PRISE_EN_COMPTE_MOE": (("MISE_A_DISPOSITION_MOE",), "PRISE_EN_COMPTE_MOE"),
    "TRANSMISSION_MOA": (("PRISE_EN_COMPTE_MOE",), "TRANSMISE_MOA"),
    "REFUS_MOE": (("MISE_A_DISPOSITION_MOE", "PRISE_EN_COMPTE_MOE"), "REFUSEE_MOE"),
    "MISE_A_DISPOSITION_MOA": (("TRANSMISE_MOA",), "MISE_A_DISPOSITION_MOA"),
    "PRISE_EN_COMPTE_MOA": (("MISE_A_DISPOSITION_MOA",), "PRISE_EN_COMPTE_MOA"),
    "REFUS_MOA": (("MISE_A_DISPOSITION_MOA", "PRISE_EN_COMPTE_MOA"), "REFUSEE_MOA"),
    "MANDATEMENT": (("PRISE_EN_COMPTE_MOA",), "MANDATEE"),
    "MISE_EN_PAIEMENT": (("MANDATEE",), "MISE_EN_PAIEMENT"),
}

#: Refusal reasons (§12.2 recupererMotifsRefusFactureTravaux) plus MONTANT, which the sandbox refuses for a MOE
#: since 19 February 2025 (§12.4).
WORKS_REFUSAL_REASONS = ("AUTRE", "MAUVAIS_VALIDEUR", "MAUVAISE_MOE", "MAUVAISE_MOA", "MONTANT")

# --- Transverses (§7, §13.8) ---------------------------------------------------------------------------------

#: VAT codes served by ``recuperer/tauxtva``. The complete table is UNCONFIRMED (§13.8); TVA1, TVA5 and TVA20
#: are seen in clients, the others follow the same pattern.
VAT_RATES = (
    ("TVA1", "Art 293B (Franchise en base)", "0"),
    ("TVA2", "Taux particulier 2,1 %", "2.1"),
    ("TVA3", "Taux réduit 5,5 %", "5.5"),
    ("TVA4", "Taux intermédiaire 10 %", "10"),
    ("TVA5", "Taux normal 20 %", "20"),
    ("TVA20", "Taux normal 20 %", "20"),
)

#: Billing frameworks per payment-request type (``recuperer/cadrefacturation``, §7).
FRAMEWORKS_BY_REQUEST_TYPE = {
    "FACTURE": ("A1_FACTURE_FOURNISSEUR", "A2_FACTURE_FOURNISSEUR_DEJA_PAYEE", "A9_FACTURE_SOUSTRAITANT",
                "A12_FACTURE_COTRAITANT"),
    "FACTURE_TRAVAUX": tuple(WORKS_SUBMIT_FRAMEWORKS),
}

#: Default page size when a search gives no paging object (§18.13).
DEFAULT_PAGE_SIZE = 10
