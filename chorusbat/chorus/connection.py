"""The connection check behind "Tester la connexion" (issue 4 item 3; chorus-pro-api.md §17 A).

Steps, each proving one more layer:

1. token request — the PISTE application (client id/secret) is accepted;
2. ``transverses/v1/health-check`` — the token works and the application is subscribed;
3. ``structures/v1/rechercher`` by the company's SIRET with ``restreindreStructuresPrivees: false``, with the
   technical account — the account is accepted and the SIRET exists in this environment (gives
   ``idStructureCPP``); without the flag an unattached private SIRET would look unknown (AIFE's rule);
4. ``transverses/v1/recuperer/structures/actives/fournisseur`` — the account may invoice for that structure;
5. ``factures/v1/rechercher/fournisseur`` (one result at most) — the application is subscribed to Factures,
   without which every transmission would fail with HTTP 403 (§1: Factures, Structures, Transverses…);
6. ``structures/v1/consulter`` — reads ``dateExpirationMotPasseCompteTech`` when Chorus Pro fills it (UNCONFIRMED
   whether it does for the caller's own structure, §4); a failure of this last step does not fail the check.

The outcome is one of :class:`ConnectionOutcome`, with a French message and the action to take. This function
never raises a :class:`ChorusError`: every failure becomes an outcome.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from chorusbat.chorus.client import ChorusClient
from chorusbat.chorus.errors import (
    AuthenticationError,
    BusinessError,
    ChorusError,
    InvalidResponse,
    MissingApplication,
    NotSubscribed,
    PasswordExpired,
    RequestRejected,
    TechnicalAccountRefused,
)
from chorusbat.chorus.messages import CONNECTION_MESSAGES
from chorusbat.chorus.models import InvoiceSearchPaging, InvoiceSearchRequest

logger = logging.getLogger("chorusbat.chorus")


class ConnectionOutcome(StrEnum):
    VERIFIED = "verified"
    REFUSED = "refused"  # identifiants refusés
    EXPIRED = "expired"  # mot de passe expiré
    NOT_ATTACHED = "not_attached"  # SIRET non rattaché au compte technique
    UNREACHABLE = "unreachable"  # Chorus Pro injoignable
    MISCONFIGURED = "misconfigured"  # PISTE application refused / not subscribed


@dataclass(frozen=True)
class ConnectionCheck:
    outcome: ConnectionOutcome
    message: str  # French, what happened
    action: str  # French, what to do
    checked_at: datetime
    structure_id: int | None = None  # idStructureCPP of the company
    password_expires_at: datetime | None = None  # as reported by Chorus Pro, when it reports it
    detail: str = ""  # safe technical detail (error class, HTTP status, codeRetour), for support

    @property
    def ok(self) -> bool:
        return self.outcome is ConnectionOutcome.VERIFIED


def check_connection(
    client: ChorusClient, siret: str, *, now: Callable[[], datetime] = lambda: datetime.now(UTC)
) -> ConnectionCheck:
    """Run the checks above for the company whose SIRET is ``siret``; see the module docstring."""

    def result(outcome: ConnectionOutcome, key: str | None = None, **fields) -> ConnectionCheck:
        message, action = CONNECTION_MESSAGES[key or outcome.value]
        return ConnectionCheck(outcome=outcome, message=message, action=action, checked_at=now(), **fields)

    try:
        client.access_token()
        client.health_check()
        # Every structure, attached or not: the next step decides attachment; this one only tells an unknown
        # SIRET from one the account is not attached to (by default Chorus Pro hides unattached private ones).
        structure = client.find_structure_by_siret(siret, any_private=True)
        if structure is None:
            return result(ConnectionOutcome.NOT_ATTACHED, "unknown_siret", detail="SIRET not found")
        own_ids = {s.id_structure_cpp for s in client.own_supplier_structures()}
        if structure.id_structure_cpp not in own_ids:
            return result(
                ConnectionOutcome.NOT_ATTACHED,
                structure_id=structure.id_structure_cpp,
                detail="structure not among the account's supplier structures",
            )
        probe = InvoiceSearchRequest(id_supplier=structure.id_structure_cpp, paging=InvoiceSearchPaging(per_page=1))
        client.search_supplier_invoices(probe)
    except InvalidResponse as exc:
        return result(ConnectionOutcome.UNREACHABLE, "garbled", detail=str(exc))
    except ChorusError as exc:
        return result(_outcome_of(exc), detail=str(exc))

    expires_at = None
    try:
        details = client.consult_structure(structure.id_structure_cpp)
        if details.general is not None:
            expires_at = details.general.technical_password_expires_at
    except (PasswordExpired, TechnicalAccountRefused) as exc:
        return result(_outcome_of(exc), structure_id=structure.id_structure_cpp, detail=str(exc))
    except ChorusError as exc:
        logger.info("Chorus Pro password expiry not readable: %s", exc)
    return result(
        ConnectionOutcome.VERIFIED, structure_id=structure.id_structure_cpp, password_expires_at=expires_at
    )


def _outcome_of(error: ChorusError) -> ConnectionOutcome:
    if isinstance(error, PasswordExpired):
        return ConnectionOutcome.EXPIRED
    if isinstance(error, TechnicalAccountRefused):
        return ConnectionOutcome.REFUSED
    if isinstance(error, (AuthenticationError, NotSubscribed, MissingApplication, RequestRejected, BusinessError)):
        return ConnectionOutcome.MISCONFIGURED
    return ConnectionOutcome.UNREACHABLE  # TransientError, ChorusUnreachable, InvalidResponse
