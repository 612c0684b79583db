"""Market screens: creation and its rules, buyer lookup, permissions, tenancy, CSRF, list without N+1."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from chorusbat.accounts.models import Company, Membership
from chorusbat.chorus.buyers import BuyerRule, BuyerService
from chorusbat.chorus.errors import ChorusUnreachable
from chorusbat.markets import buyer_checks
from chorusbat.markets.models import Market
from chorusbat.markets.tests.fixtures import NANTES_SERVICES, buyer_info
from chorusbat.situations.demo import NANTES_MARKET, create_market

pytestmark = pytest.mark.django_db


def market_data(**overrides) -> dict:
    data = {
        "title": "Lot 02 Menuiseries, groupe scolaire",
        "buyer_name": "Ville de Nantes",
        "buyer_siret": "214 401 093 00015",
        "buyer_service_code": "DIR_BATIMENTS",
        "number": "2026-TX-011",
        "engagement": "",
        "framework": "A1",
        "validator_name": "",
        "validator_siret": "",
        "start_date": "2026-09-01",
        "duration_months": "6",
        "revision_index_name": "BT01",
        "revision_fixed": "0,125",
        "revision_variable": "0,875",
        "revision_base_index": "118,4",
        "payment_delay_days": "30",
        "advance_percent": "10",
        "advance_start_percent": "65",
        "advance_end_percent": "80",
        "retention_percent": "5",
        "action": "save",
    }
    data.update(overrides)
    return data


def post_market(client, **overrides):
    return client.post(reverse("markets:create"), market_data(**overrides))


def test_admin_creates_a_market_with_french_decimals(admin_client, company):
    response = post_market(admin_client)
    market = Market.objects.get(company=company)
    assert response.status_code == 302 and response.url == reverse("markets:detail", args=[market.pk])
    assert market.buyer_siret == "21440109300015"
    assert market.number == "2026-TX-011"
    assert (market.revision_fixed, market.revision_variable, market.revision_base_index) == (
        Decimal("0.125"), Decimal("0.875"), Decimal("118.4"))
    assert (market.advance_rate, market.advance_start, market.advance_end, market.retention_rate) == (
        Decimal("0.10"), Decimal("0.65"), Decimal("0.80"), Decimal("0.05"))
    assert market.created_by.username == "claire"
    page = admin_client.get(response.url).content.decode()
    assert "2026-TX-011" in page and "Lignes du marché" in page


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"number": ""}, "number", "Ce champ est obligatoire."),
        ({"number": "X" * 51}, "number", "au plus 50 caractères"),
        ({"engagement": "E" * 51}, "engagement", "au plus 50 caractères"),
        ({"buyer_siret": "21440109300016"}, "buyer_siret", "SIRET"),
        ({"buyer_siret": "2144010930001"}, "buyer_siret", "14"),
        ({"framework": "A4"}, "validator_name", "Le cadre A4 exige le maître d'œuvre"),
        ({"framework": "A10", "validator_name": "BGO"}, "validator_siret", "Le cadre A10 exige le titulaire"),
        ({"framework": "A13", "validator_name": "BGO", "validator_siret": "55210055400048"}, "validator_siret",
         "SIRET"),
        ({"reverse_charge": "on"}, "reverse_charge", "sous-traitant (A10)"),
        ({"revision_variable": "0,8"}, "revision_variable", "doivent totaliser 1"),
        ({"revision_base_index": ""}, "revision_base_index", "laissez les trois vides"),
        ({"revision_base_index": "0"}, "revision_base_index", "supérieur à 0"),
        ({"retention_percent": "6"}, "retention_percent", "inférieure ou égale à 5"),
        ({"advance_percent": "61"}, "advance_percent", "inférieure ou égale à 60"),
        ({"advance_start_percent": "80", "advance_end_percent": "65"}, "advance_end_percent", "au-dessus du seuil"),
        ({"advance_percent": "1e309"}, "advance_percent", "Saisissez un nombre, par exemple 12,5."),
        ({"revision_fixed": "NaN"}, "revision_fixed", "Saisissez un nombre"),
        ({"duration_months": "0"}, "duration_months", "supérieure ou égale à 1"),
        ({"payment_delay_days": "45"}, "payment_delay_days", "choix valide"),
    ],
)
def test_bad_market_input_is_refused_with_a_french_message_and_nothing_saved(
    admin_client, company, overrides, field, message
):
    response = post_market(admin_client, **overrides)
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors.get(field, []))
    assert message in errors, response.context["form"].errors
    assert not Market.objects.exists()


def test_market_identifier_is_unique_per_company_and_buyer(admin_client, company, other_company):
    post_market(admin_client)
    response = post_market(admin_client, title="Autre")
    assert "déjà un marché portant ce numéro" in response.context["form"].errors["number"][0]
    assert Market.objects.count() == 1
    # Same identifier with another buyer, or in another company: allowed.
    assert post_market(admin_client, buyer_siret="21440107700018", buyer_service_code="").status_code == 302
    Market.objects.create(company=other_company, title="x", buyer_name="x", buyer_siret="21440109300015",
                          number="2026-TX-012", start_date="2026-01-01", duration_months=1)
    assert post_market(admin_client, number="2026-TX-012").status_code == 302


def test_member_cannot_create_or_edit_a_market(member_client, market):
    assert member_client.get(reverse("markets:create")).status_code == 403
    assert member_client.post(reverse("markets:create"), market_data()).status_code == 403
    assert member_client.post(reverse("markets:edit", args=[market.pk]), market_data()).status_code == 403
    assert member_client.get(reverse("markets:detail", args=[market.pk])).status_code == 200
    assert Market.objects.count() == 1


def test_another_companys_market_is_a_404(client, market):
    other = Company.objects.create(legal_name="AUTRE", siret="55210055400047")
    intruder = User.objects.create_user(username="intrus")
    Membership.objects.create(user=intruder, company=other, role=Membership.Role.ADMIN)
    client.force_login(intruder)
    for name in ("markets:detail", "markets:edit", "markets:line_create", "markets:line_import"):
        assert client.get(reverse(name, args=[market.pk])).status_code == 404
    assert client.post(reverse("markets:edit", args=[market.pk]), market_data()).status_code == 404


def test_csrf_is_enforced(admin_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    assert client.post(reverse("markets:create"), market_data()).status_code == 403
    assert not Market.objects.exists()


def test_buyer_lookup_rules(admin_client, company, fake_buyer):
    calls = fake_buyer(buyer_info(found=False))
    response = post_market(admin_client)
    assert "ne connaît pas ce SIRET" in response.context["form"].errors["buyer_siret"][0]
    assert calls[-1] == "21440109300015"

    fake_buyer(buyer_info(active=False))
    assert "inactif" in post_market(admin_client).context["form"].errors["buyer_siret"][0]

    fake_buyer(buyer_info(rule=BuyerRule.SERVICE, services=NANTES_SERVICES))
    errors = post_market(admin_client, buyer_service_code="").context["form"].errors
    assert errors["buyer_service_code"] == ["Ce destinataire exige un code service."]
    errors = post_market(admin_client, buyer_service_code="ANCIEN_SERVICE").context["form"].errors
    assert "n'est pas un service actif" in errors["buyer_service_code"][0]
    errors = post_market(admin_client, buyer_service_code="DIR_VOIRIE").context["form"].errors
    assert errors["engagement"] == ["Le service DIR_VOIRIE exige un numéro d'engagement juridique (EJ)."]

    fake_buyer(buyer_info(rule=BuyerRule.EJ))
    errors = post_market(admin_client, buyer_service_code="").context["form"].errors
    assert errors["engagement"] == ["Ce destinataire exige un numéro d'engagement juridique (EJ)."]

    fake_buyer(buyer_info(rule=BuyerRule.SERVICE_OR_EJ))
    errors = post_market(admin_client, buyer_service_code="").context["form"].errors
    assert "exige un code service ou un numéro d'engagement" in errors["buyer_service_code"][0]

    fake_buyer(buyer_info(is_moa_only=True, services=NANTES_SERVICES))
    errors = post_market(admin_client).context["form"].errors
    assert "factures simples (A1)" in errors["framework"][0]
    assert not Market.objects.exists()

    fake_buyer(buyer_info(rule=BuyerRule.SERVICE, services=NANTES_SERVICES))
    assert post_market(admin_client).status_code == 302
    assert Market.objects.get().buyer_checked_at is not None


def test_chorus_pro_failure_blocks_the_save_with_its_reason(admin_client, monkeypatch):
    def failing(company, siret, service_code=""):
        raise ChorusUnreachable("timeout", maybe_delivered=False)

    monkeypatch.setattr(buyer_checks, "lookup_buyer", failing)
    response = post_market(admin_client)
    message = response.context["form"].errors["buyer_siret"][0]
    assert message.startswith("Le destinataire n'a pas pu être vérifié dans Chorus Pro : ")
    assert ChorusUnreachable("x", maybe_delivered=False).user_message in message
    assert not Market.objects.exists()


def test_service_is_picked_among_the_buyers_active_services(admin_client, fake_buyer):
    reserved = BuyerService(id=5104, code="FACTURES_PUBLIQUES", name="Factures publiques")
    fake_buyer(buyer_info(rule=BuyerRule.SERVICE, services=NANTES_SERVICES + (reserved,)))
    response = post_market(admin_client, action="lookup", buyer_service_code="")
    page = response.content.decode()
    assert '<select name="buyer_service_code"' in page
    assert 'value="DIR_BATIMENTS"' in page and 'value="DIR_VOIRIE"' in page
    assert "FACTURES_PUBLIQUES" not in page
    assert not Market.objects.exists()  # a lookup never saves


def test_without_verified_subscription_nothing_is_looked_up(admin_client, company):
    # The real seam: no ChorusSubscription → no Chorus Pro call, and the market saves.
    assert post_market(admin_client, buyer_service_code="").status_code == 302


def test_financial_terms_are_frozen_once_a_situation_is_validated(admin_client, market_with_situations):
    market = market_with_situations
    url = reverse("markets:edit", args=[market.pk])
    response = admin_client.post(url, market_data(
        title="Titre corrigé", number=market.number, engagement="1300045678", retention_percent="0",
        advance_percent="0", revision_fixed="0,2", revision_variable="0,8"))
    assert response.status_code == 302
    market.refresh_from_db()
    assert market.title == "Titre corrigé"
    assert market.retention_rate == Decimal("0.05") and market.advance_rate == Decimal("0.10")
    assert market.revision_fixed == Decimal("0.125")


def test_market_list_shows_billed_and_remaining(admin_client, market_with_situations):
    response = admin_client.get(reverse("markets:list"))
    row = response.context["page"].object_list[0]
    # Validated: F2026-0093 and F2026-0107 (the draft F2026-0110 does not count).
    assert row.billed_ht == Decimal("28614.43")  # a(1) + a(2) = cumulative décompte of F2026-0107
    assert row.billed_ttc == Decimal("13458.96") + Decimal("20979.59")
    assert row.remaining_ht == Decimal("28270.00") - Decimal("28614.43")
    assert row.situation_count == 3
    assert "34\xa0438,55" in response.content.decode()


def test_market_list_query_count_does_not_grow_with_rows(admin_client, company, admin_user,
                                                         django_assert_max_num_queries):
    create_market(company, admin_user, NANTES_MARKET)
    with django_assert_max_num_queries(8) as one:
        admin_client.get(reverse("markets:list"))
    for i in range(29):
        definition = {**NANTES_MARKET, "market": {**NANTES_MARKET["market"], "number": f"M-{i}"},
                      "situations": [(f"F2026-{i:04d}",) + NANTES_MARKET["situations"][0][1:]]}
        create_market(company, admin_user, definition)
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = admin_client.get(reverse("markets:list"))
    assert len(response.context["page"].object_list) == 25
    assert response.context["page"].paginator.count == 30

