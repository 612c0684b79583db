"""Fixtures shared by the markets and situations tests (imported by both conftest files)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from chorusbat.chorus.buyers import BuyerInfo, BuyerService
from chorusbat.markets import buyer_checks
from chorusbat.situations.demo import HOUSING_MARKET, NANTES_MARKET, create_market


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


def buyer_info(**fields) -> BuyerInfo:
    """A Chorus Pro buyer as ``chorusbat.chorus.buyers.lookup_buyer`` returns it (found and active by default)."""
    defaults = {"siret": "21440109300015", "found": True, "active": True, "refreshed_at": timezone.now()}
    return BuyerInfo(**{**defaults, **fields})


NANTES_SERVICES = (
    BuyerService(id=5101, code="DIR_BATIMENTS", name="Direction des bâtiments"),
    BuyerService(id=5102, code="DIR_VOIRIE", name="Direction de la voirie", ej_required=True),
)


@pytest.fixture
def fake_buyer(monkeypatch):
    """``fake_buyer(info)`` makes every buyer lookup answer ``info``; returns the list of looked-up SIRETs."""
    calls: list[str] = []

    def install(info):
        def lookup(company, siret, service_code=""):
            calls.append(siret)
            return info

        monkeypatch.setattr(buyer_checks, "lookup_buyer", lookup)
        return calls

    return install
