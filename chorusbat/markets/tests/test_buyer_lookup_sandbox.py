"""The market form's buyer check against the sandbox running as a real process (no replaced lookup)."""

import pytest
from django.urls import reverse

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
