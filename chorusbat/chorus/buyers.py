"""Buyer lookup: what Chorus Pro requires to route an invoice to a public buyer (issue 4 item 5).

Sequence (chorus-pro-api.md §17 B, §15): ``structures/v1/rechercher`` by SIRET → ``structures/v1/consulter`` for
the routing flags → ``structures/v1/rechercher/services`` (every page, in large pages) → ``structures/v1/consulter/
service`` only for the services asked for — the one chosen on the market — for its own "EJ required" flag. Large
buyers have hundreds of services: consulting each would mean hundreds of calls in one web request (fidelity
review B3). :func:`check_service` consults one service again, e.g. before a transmission (one call).

The per-company cache (with its refresh date) lives on the Django side; :class:`BuyerInfo` converts to and from
a JSON-ready dict for it (:meth:`BuyerInfo.to_json_dict`, :meth:`BuyerInfo.from_json_dict`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from chorusbat.chorus.client import ChorusClient
from chorusbat.chorus.enums import PUBLIC_ONLY_SERVICE_CODE, STRUCTURE_ACTIVE, StructureKind
from chorusbat.chorus.models import StructureParameters


class BuyerRule(StrEnum):
    """What a buyer requires on each invoice (§15, the main open-source connector's mapping)."""

    NONE = "none"
    SERVICE = "service"  # codeServiceDoitEtreRenseigne
    EJ = "ej"  # numeroEJDoitEtreRenseigne
    SERVICE_OR_EJ = "service_or_ej"  # gestionNumeroEJOuCodeService
    SERVICE_AND_EJ = "service_and_ej"  # both structure flags


def rule_from_parameters(parameters: StructureParameters) -> BuyerRule:
    if parameters.ej_or_service:
        return BuyerRule.SERVICE_OR_EJ
    if parameters.service_required and parameters.ej_required:
        return BuyerRule.SERVICE_AND_EJ
    if parameters.service_required:
        return BuyerRule.SERVICE
    if parameters.ej_required:
        return BuyerRule.EJ
    return BuyerRule.NONE


class BuyerService(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    code: str
    name: str = ""
    # consulter/service → parametres.numeroEngagement; None while the service has not been consulted.
    ej_required: bool | None = None


class BuyerInfo(BaseModel):
    model_config = ConfigDict(frozen=True)

    siret: str
    found: bool
    refreshed_at: datetime
    structure_id: int | None = None  # idStructureCPP
    name: str = ""
    active: bool = False
    rule: BuyerRule = BuyerRule.NONE
    # consulter → structurePriveePublique; None when Chorus Pro did not say. Only public structures receive invoices:
    # a private SIRET can be found only when it is attached to the caller's own technical account (review B6).
    is_public: bool | None = None
    is_moa: bool = False
    is_moa_only: bool = False  # acts only as contracting authority: cannot receive ordinary invoices
    services: tuple[BuyerService, ...] = ()  # active and usable by a private supplier
    inactive_services: tuple[BuyerService, ...] = ()

    @property
    def service_required(self) -> bool:
        return self.rule in (BuyerRule.SERVICE, BuyerRule.SERVICE_AND_EJ)

    @property
    def ej_required(self) -> bool:
        """The structure itself requires an EJ; a service may require one too (see ``services_requiring_ej``)."""
        return self.rule in (BuyerRule.EJ, BuyerRule.SERVICE_AND_EJ)

    @property
    def services_requiring_ej(self) -> tuple[BuyerService, ...]:
        return tuple(s for s in self.services if s.ej_required)

    def service(self, code: str) -> BuyerService | None:
        """The active service with this code, if any."""
        return next((s for s in self.services if s.code == code), None)

    @property
    def consulted_service_codes(self) -> tuple[str, ...]:
        """Codes of the services whose own flags were read (``ej_required`` known)."""
        return tuple(s.code for s in self.services if s.ej_required is not None)

    def with_service(self, service: BuyerService) -> BuyerInfo:
        """A copy where the active service with ``service.code`` is replaced by ``service``."""
        services = tuple(service if s.code == service.code else s for s in self.services)
        return self.model_copy(update={"services": services})

    def to_json_dict(self) -> dict:
        return self.model_dump(mode="json")

    @classmethod
    def from_json_dict(cls, data: dict) -> BuyerInfo:
        return cls.model_validate(data)


def lookup_buyer(
    client: ChorusClient,
    siret: str,
    *,
    service_codes: Iterable[str] = (),
    supplier_is_private: bool = True,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> BuyerInfo:
    """Everything chorusbat needs to know about the buyer with this SIRET. Raises :class:`ChorusError`.

    Only the active services whose code is in ``service_codes`` are consulted (one call each); the others are
    listed with ``ej_required`` unknown (None). The number of calls does not grow with the buyer's services.
    """
    structure = client.find_structure_by_siret(siret)
    if structure is None:
        return BuyerInfo(siret=siret, found=False, refreshed_at=now())

    details = client.consult_structure(structure.id_structure_cpp)
    general = details.general
    wanted = {code for code in service_codes if code}
    active, inactive = [], []
    for service in client.iter_services(structure.id_structure_cpp):
        code = service.code or ""
        if supplier_is_private and code == PUBLIC_ONLY_SERVICE_CODE:
            continue  # reserved for invoices between public bodies (§15)
        entry = BuyerService(id=service.id, code=code, name=service.name or "")
        if not service.active:
            inactive.append(entry)
            continue
        if code in wanted:
            entry = _consulted(client, structure.id_structure_cpp, entry)
        active.append(entry)
    name = structure.name or (general.company_name if general else None) or (general.label if general else None)
    return BuyerInfo(
        siret=siret,
        found=True,
        refreshed_at=now(),
        structure_id=structure.id_structure_cpp,
        name=name or "",
        active=structure.status in (None, STRUCTURE_ACTIVE),
        rule=rule_from_parameters(details.parameters),
        is_public=(general.kind == StructureKind.PUBLIQUE) if general and general.kind else None,
        is_moa=details.parameters.is_moa,
        is_moa_only=details.parameters.is_moa_only,
        services=tuple(active),
        inactive_services=tuple(inactive),
    )


def check_service(client: ChorusClient, info: BuyerInfo, code: str) -> BuyerInfo:
    """``info`` with the active service ``code`` consulted again (one ``consulter/service`` call).

    Unchanged when the buyer was not found or has no active service with this code. Raises :class:`ChorusError`.
    """
    service = info.service(code) if code and info.found and info.structure_id is not None else None
    if service is None:
        return info
    return info.with_service(_consulted(client, info.structure_id, service))


def _consulted(client: ChorusClient, structure_id: int, service: BuyerService) -> BuyerService:
    details = client.consult_service(structure_id, service.id)
    return service.model_copy(update={"ej_required": details.parameters.ej_required})
