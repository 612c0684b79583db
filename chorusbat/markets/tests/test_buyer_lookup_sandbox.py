"""The market form's buyer check against the sandbox running as a real process (no replaced lookup)."""

import time
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from chorusbat.accounts.chorus_access import verify_subscription
from chorusbat.markets.models import Market
from chorusbat.markets.tests.test_market_views import market_data


@pytest.fixture
def verified(subscription):
    assert verify_subscription(subscription).ok
    return subscription


def post(client, **overrides):
    return client.post(reverse("markets:create"), market_data(**overrides))


def test_buyer_requiring_a_service_code(admin_client, verified):
    r = post(admin_client, buyer_service_code="")
    assert r.status_code == 200 and not Market.objects.exists()
    assert "code service" in r.content.decode()
    r = post(admin_client, buyer_service_code="DIR_BATIMENTS")
    assert r.status_code == 302 and Market.objects.count() == 1


def test_unknown_buyer_siret(admin_client, verified):
    r = post(admin_client, buyer_siret="73282932000017", number="2026-TX-099")  # valid SIRET, unknown to Chorus Pro
    assert r.status_code == 200 and not Market.objects.exists()
    html = r.content.decode()
    assert "Chorus Pro ne connaît pas ce SIRET" in html


def test_inactive_buyer(admin_client, verified):
    r = post(admin_client, buyer_siret="20000001600010", buyer_service_code="", number="2026-TX-098")
    assert r.status_code == 200 and not Market.objects.exists()
    assert "inactif" in r.content.decode()


# --- a buyer with hundreds of services (fidelity review B3) ------------------------------------------------------

LARGE_BUYER_SIRET = "26440050800018"  # 324 services in the sandbox seed
CONSULT_SERVICE = "/cpro/structures/v1/consulter/service"


def calls_during(sandbox, action):
    """(result, API calls received by the sandbox during ``action``, per path, seconds taken)."""
    before = sandbox.requests()
    started = time.monotonic()
    result = action()
    elapsed = time.monotonic() - started
    after = sandbox.requests()
    return result, {path: n - before.get(path, 0) for path, n in after.items() if n != before.get(path, 0)}, elapsed


def test_large_buyer_costs_a_few_calls_whatever_its_number_of_services(admin_client, verified, chorus):
    data = {"buyer_siret": LARGE_BUYER_SIRET, "buyer_name": "CHR de l'Estuaire", "number": "CHR-2026-001"}
    response, calls, elapsed = calls_during(chorus, lambda: post(admin_client, buyer_service_code="DIR_ACHATS",
                                                                  action="lookup", **data))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'value="UF_320"' in page and 'value="DIR_TRAVAUX"' in page  # the whole list is offered
    assert "FACTURES_PUBLIQUES" not in page and "ANCIEN_SERVICE_TECHNIQUE" not in page
    assert "Le service DIR_ACHATS exige un numéro d&#x27;engagement juridique" in page  # its own rule was read
    assert calls.get(CONSULT_SERVICE) == 1, calls  # only the chosen service, never one call per service
    assert sum(calls.values()) <= 6, calls  # token, rechercher, consulter, one page of services, the service
    assert elapsed < 15, elapsed

    # Saved with another service: the buyer comes from the cache, only the newly chosen service is consulted.
    response, calls, _ = calls_during(chorus, lambda: post(admin_client, buyer_service_code="UF_250", **data))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert calls == {CONSULT_SERVICE: 1}
    market = Market.objects.get()
    assert market.buyer_service_code == "UF_250" and market.buyer_checked_at is not None

    # Showing the form again asks nothing of Chorus Pro.
    response, calls, _ = calls_during(chorus, lambda: admin_client.get(reverse("markets:edit", args=[market.pk])))
    assert response.status_code == 200 and calls == {}


def test_refresh_re_consults_only_the_services_chosen_before(admin_client, verified, chorus):
    from chorusbat.accounts.buyer_cache import refresh_stale_lookups
    from chorusbat.accounts.models import BuyerLookup

    post(admin_client, buyer_siret=LARGE_BUYER_SIRET, buyer_service_code="UF_007", number="CHR-2026-002")
    BuyerLookup.objects.update(refreshed_at=timezone.now() - timedelta(days=2))
    result, calls, _ = calls_during(chorus, refresh_stale_lookups)
    assert result == (1, 0)
    assert calls.get(CONSULT_SERVICE) == 1 and calls.get("/cpro/structures/v1/rechercher/services") == 1, calls
    info = BuyerLookup.objects.get().data
    consulted = [s["code"] for s in info["services"] if s["ej_required"] is not None]
    assert consulted == ["UF_007"] and len(info["services"]) == 322  # 324 less the inactive and reserved ones


def test_a_private_third_party_siret_is_never_looked_up(admin_client, verified, chorus):
    """The MOE of an A4 market is a private structure the supplier's account is not attached to: Chorus Pro's
    search does not show it (restreindreStructuresPrivees absent), so chorusbat must not rely on the search for it."""
    response, calls, _ = calls_during(chorus, lambda: post(
        admin_client, framework="A4", buyer_siret="27440045600019", buyer_name="OPH 44",
        buyer_service_code="MAITRISE_OUVRAGE", number="OPH-2026-001",
        validator_name="Atelier d'architecture Ouest", validator_siret="44306184100013"))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert calls.get("/cpro/structures/v1/rechercher") == 1  # the buyer only


def test_the_chosen_service_can_be_checked_again_before_a_transmission(admin_client, verified, chorus, company):
    from chorusbat.accounts.buyer_cache import check_market_service

    post(admin_client, buyer_siret=LARGE_BUYER_SIRET, buyer_service_code="DIR_ACHATS", engagement="EJ-1",
         number="CHR-2026-003")
    info, calls, _ = calls_during(chorus, lambda: check_market_service(company, LARGE_BUYER_SIRET, "DIR_ACHATS"))
    assert calls == {CONSULT_SERVICE: 1}
    assert info.service("DIR_ACHATS").ej_required is True


def test_a_private_siret_is_not_taken_for_a_buyer(admin_client, verified):
    """Chorus Pro's search shows the private structures attached to the caller: the company's own SIRET typed as
    the buyer's is found, but a private structure cannot receive invoices."""
    r = post(admin_client, buyer_siret="73282932000074", buyer_service_code="", number="2026-TX-097")
    assert r.status_code == 200 and not Market.objects.exists()
    assert "structure privée dans Chorus Pro" in r.content.decode()
