"""Fixtures shared by the markets and situations tests (imported by both conftest files)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from chorusbat.markets import buyers
from chorusbat.markets.demo import HOUSING_MARKET, NANTES_MARKET, create_market


@pytest.fixture
def market(company, admin_user):
    """The example contract of situation-rules.md (A1, Ville de Nantes), without situations."""
    return create_market(company, admin_user, NANTES_MARKET, with_situations=False)


@pytest.fixture
def market_with_situations(company, admin_user):
    """The example contract with F2026-0093 and F2026-0107 validated and F2026-0110 in draft."""
    return create_market(company, admin_user, NANTES_MARKET)


@pytest.fixture
def firm_market(company, admin_user):
    """The A4 demo market (firm prices, advance 5 %), without situations."""
    return create_market(company, admin_user, HOUSING_MARKET, with_situations=False)


@dataclass
class FakeService:
    code: str
    label: str
    ej_required: bool = False


@dataclass
class FakeBuyerInfo:
    """Same attributes as ``chorusbat.chorus`` ``BuyerInfo`` that the markets code reads."""

    found: bool = True
    active: bool = True
    service_required: bool = False
    ej_required: bool = False
    service_or_ej: bool = False
    active_services: list = field(default_factory=list)


NANTES_SERVICES = [
    FakeService("DIR_BATIMENTS", "Direction des bâtiments"),
    FakeService("DIR_VOIRIE", "Direction de la voirie", ej_required=True),
    FakeService("FACTURES_PUBLIQUES", "Factures publiques"),
]


@pytest.fixture
def fake_buyer(monkeypatch):
    """``fake_buyer(info)`` makes every buyer lookup answer ``info``; returns the list of looked-up SIRETs."""
    calls: list[str] = []

    def install(info):
        def lookup(company, siret):
            calls.append(siret)
            return info

        monkeypatch.setattr(buyers, "lookup_buyer", lookup)
        return calls

    return install
