"""Buyer lookup: what Chorus Pro requires to route an invoice to a public buyer (issue 4 item 5).

Sequence (chorus-pro-api.md §17 B, §15): ``structures/v1/rechercher`` by SIRET → ``structures/v1/consulter`` for
the routing flags → ``structures/v1/rechercher/services`` (every page) → ``structures/v1/consulter/service`` for
each active service's own "EJ required" flag.

The per-company cache (with its refresh date) lives on the Django side; :class:`BuyerInfo` converts to and from
a JSON-ready dict for it (:meth:`BuyerInfo.to_json_dict`, :meth:`BuyerInfo.from_json_dict`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from chorusbat.chorus.client import ChorusClient
from chorusbat.chorus.enums import PUBLIC_ONLY_SERVICE_CODE, STRUCTURE_ACTIVE
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
    ej_required: bool = False  # consulter/service → parametres.numeroEngagement


class BuyerInfo(BaseModel):
    model_config = ConfigDict(frozen=True)

    siret: str
    found: bool
    refreshed_at: datetime
    structure_id: int | None = None  # idStructureCPP
    name: str = ""
    active: bool = False
    rule: BuyerRule = BuyerRule.NONE
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

    def to_json_dict(self) -> dict:
        return self.model_dump(mode="json")

    @classmethod
    def from_json_dict(cls, data: dict) -> BuyerInfo:
        return cls.model_validate(data)


def lookup_buyer(
    client: ChorusClient,
    siret: str,
    *,
    supplier_is_private: bool = True,
    now: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
) -> BuyerInfo:
    """Everything chorusbat needs to know about the buyer with this SIRET. Raises :class:`ChorusError`."""
    structure = client.find_structure_by_siret(siret)
    if structure is None:
        return BuyerInfo(siret=siret, found=False, refreshed_at=now())

    details = client.consult_structure(structure.id_structure_cpp)
    general = details.general
    active, inactive = [], []
    for service in client.iter_services(structure.id_structure_cpp):
        code = service.code or ""
        if supplier_is_private and code == PUBLIC_ONLY_SERVICE_CODE:
            continue  # reserved for invoices between public bodies (§15)
        if not service.active:
            inactive.append(BuyerService(id=service.id, code=code, name=service.name or ""))
            continue
        service_details = client.consult_service(structure.id_structure_cpp, service.id)
        active.append(
            BuyerService(
                id=service.id,
                code=code,
                name=service.name or "",
                ej_required=service_details.parameters.ej_required,
            )
        )
    name = structure.name or (general.company_name if general else None) or (general.label if general else None)
    return BuyerInfo(
        siret=siret,
        found=True,
        refreshed_at=now(),
        structure_id=structure.id_structure_cpp,
        name=name or "",
        active=structure.status in (None, STRUCTURE_ACTIVE),
        rule=rule_from_parameters(details.parameters),
        is_moa=details.parameters.is_moa,
        is_moa_only=details.parameters.is_moa_only,
        services=tuple(active),
        inactive_services=tuple(inactive),
    )
