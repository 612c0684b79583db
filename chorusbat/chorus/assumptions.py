"""Behaviours of Chorus Pro the reference marks UNCONFIRMED, decided here and nowhere else.

When qualification shows otherwise, correct this file (and the sandbox's switch of the same name).
Each rule cites the section of ``chorus-pro-api.md`` it rests on.
"""

from __future__ import annotations

from chorusbat.chorus.messages import fold

# §14.1, §14.2: searches that find nothing answer HTTP 200 with these codes; they mean "empty", not "error".
EMPTY_RESULT_CODES = frozenset({20000, 20007})
EMPTY_RESULT_LIBELLES = frozenset({"TRA_MSG_00.015", "GFT_MSG_01.075"})

# §14.1 / §19: business refusals arrive as HTTP 200 with codeRetour ≠ 0 *or* as HTTP 400 (or another 4xx) with a
# {codeRetour, libelle} body. Which one is used is UNCONFIRMED, so both are treated the same way: any response
# whose JSON body has a non-zero codeRetour is a BusinessError, whatever the 2xx/4xx status.

# §3.2, §4: the body Chorus Pro returns for an expired technical password is UNCONFIRMED ("expect HTTP 401").
# A 401 is taken to mean "password expired" when its body (JSON or text, compared case-insensitively and without
# accents) speaks of expiry *and* of the password — so "access token expired" from the gateway does not count.
EXPIRY_MARKERS = ("expir", "perime")
PASSWORD_MARKERS = ("mot de passe", "motdepasse", "mot_de_passe", "password")

# §3.1: an API 401 that is not clearly about the technical account may be a stale or revoked token (sporadic 401s
# were observed on quickly chained calls). The client renews the token once and retries once. The request was
# refused at the gateway, so this single retry is safe even for calls that create something.
# A 401 is "about the token" when the gateway says ``invalid_token`` (RFC 6750, in ``WWW-Authenticate`` or in an
# OAuth-style body ``{"error": "invalid_token"}``), "about the technical account" when its body names the account
# or the cpro-account header, and ambiguous otherwise (then treated like a token problem: one renewal, one retry).
TOKEN_401_MARKERS = ("invalid_token",)
ACCOUNT_401_MARKERS = ("cpro-account", "compte technique", "technical account", "compte_technique")

# §3.1 (observed): the token endpoint sometimes answers ``invalid_client`` for valid credentials. A refusal is
# asked again once, after a back-off, before being reported as wrong credentials.
TOKEN_REFUSAL_ATTEMPTS = 2

# §3.1: the token endpoint answers 400 or 401 with an OAuth2 body ``{error, error_description}`` for a refused
# client; the exact status per case is UNCONFIRMED, so any 400/401 from it means "application refused".

# §16 (rate limits UNCONFIRMED): a 429 comes from the PISTE gateway before the request reaches Chorus Pro, so a
# throttled request is taken as *not* delivered.
THROTTLED_MAYBE_DELIVERED = False


def looks_like_expired_password(body_text: str) -> bool:
    """Whether a 401 body says the technical password expired (see ``EXPIRY_MARKERS``)."""
    folded = fold(body_text)
    return any(m in folded for m in EXPIRY_MARKERS) and any(m in folded for m in PASSWORD_MARKERS)


def classify_401(www_authenticate: str, body_text: str) -> str:
    """``"expired"``, ``"account"``, ``"token"`` or ``"unknown"`` for an API 401 (see the markers above)."""
    gateway_text = f"{www_authenticate or ''} {body_text or ''}".lower()
    if any(marker in gateway_text for marker in TOKEN_401_MARKERS):
        return "token"
    if looks_like_expired_password(body_text):
        return "expired"
    if any(marker in fold(body_text) for marker in ACCOUNT_401_MARKERS):
        return "account"
    return "unknown"


# --- Works pieces and other decisions of the fidelity review (issue 11), UNCONFIRMED unless said otherwise -------
#
# B1 (decided): works pieces are submitted with ``modeDepot: DEPOT_PDF_API``, ``numeroFactureSaisi`` = the
#   situation's number and the Factur-X PDF as ``pieceJointePrincipale``, so that Chorus Pro keeps chorusbat's own
#   number (in ``SAISIE_API`` it numbers the piece itself and ignores ``numeroFactureSaisi``: confirmed for invoices
#   by the COMM example and a real qualification answer; assumed the same for works pieces). A piece is looked up
#   by that number, then by supplier + market number + framework + deposit window + amounts (TTC and payable).
# B4 / U17: an A4 names its MOE (``moe{codeStructureMoe}``); an A10 / A13 names its validator (titulaire /
#   mandataire, ``cadreDeFacturation.codeStructureValideur``) and no MOE. Block names UNCONFIRMED (U1).
# B5: the works operations for complete / recycle / acknowledge (``completerFactureTravaux``,
#   ``recyclerFactureTravaux``…) exist but their PISTE paths are UNCONFIRMED: the actions are refused on works
#   pieces with a French message; the invoice operations are never called with a works id.
# B8 / U1: a 404 on a works operation means "not served in this environment": the transmission is held for a
#   person (``WorksApiUnavailable``), never failed; the works search runs before any upload.
# U3: the status field of works search items may be ``statut``, ``statutFactureTravaux`` or ``statutCourant``.
# U6: a business error (HTTP 200 or 4xx with codeRetour) whose libelle speaks of an expired password is
#   ``PasswordExpired`` (same markers as the 401 rule above).
# U10: the invoice history is asked with ``paramRechercheHistoStatuts`` (100 a page, by date of passage,
#   "Ascendant") and every page is read.
# U13: how Chorus Pro takes a negative projet de décompte is unknown (an AVOIR needs an original invoice number a
#   monthly piece has not): a works piece with a negative total is held for a person, nothing is sent.
# U15: numeric codes are read per operation (``messages.CODE_MESSAGES`` keyed by (operation, code)).

#: Every UNCONFIRMED assumption the qualification probe (``probe.py``) reports on, with what it observed. The
#: French description of each is ``messages.UNCONFIRMED_ASSUMPTIONS[key]``.
UNCONFIRMED = (
    "works_search",
    "works_subscription",
    "works_status_field",
    "works_submit",
    "works_deposit_mode",
    "works_moe_blocks",
    "works_actions",
    "negative_works_piece",
    "no_result_codes",
    "business_error_status",
    "expired_password_answer",
    "meaning_of_403",
    "history_paging",
    "flux_error_states",
)
