"""Amendments on the screens: adding one from a month after the validated situations, its effect on the draft's
décompte and invoice, the market's initial / amended / current amounts, deleting, and who may do it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from chorusbat.contracts.market_amendments import market_amounts
from chorusbat.markets.models import Amendment, ContractLine
from chorusbat.markets.tests.fixtures import market_with_situations  # noqa: F401
from chorusbat.situations.models import Situation
from chorusbat.situations.services import decompte

pytestmark = pytest.mark.django_db


def post(client, market, **overrides):
    line = market.lines.get(ref="7.2")
    data = {"number": "1", "date": "2026-11-05", "object": "Sol souple porté à 50 €/m², reprise de plinthes",
            "period": "2026-11", "change_line_0": str(line.pk), "change_price_0": "50",
            "new0-ref": "OS1", "new0-label": "Reprise des plinthes (ordre de service n° 1)", "new0-kind": "unitaire",
            "new0-unit": "ml", "new0-unit_price": "30", "new0-quantity": "10", "new0-vat_rate": "20",
            "new0-extra_work": "on"}
    data.update(overrides)
    return client.post(f"/contrats/marche/{market.pk}/avenants/nouveau/", data)


def test_an_amendment_changes_the_draft_not_the_validated_situations(admin_client, market_with_situations):
    market = market_with_situations
    validated = {s.number: s.net_amount for s in market.situations.filter(status="validated")}
    response = post(admin_client, market)
    assert response.status_code == 302, response.context and (response.context["problems"],
                                                                 response.context["form"].errors)
    amendment = Amendment.objects.get(market=market)
    new_line = ContractLine.objects.get(market=market, ref="OS1")
    assert new_line.amendment == amendment and new_line.extra_work
    # The validated situations keep their figures; the November draft uses 50 €/m² for 7.2.
    assert {s.number: s.net_amount for s in market.situations.filter(status="validated")} == validated
    draft = Situation.objects.get(number="F2026-0110")
    rows = {row.line.ref: row for row in decompte(draft).lines}
    assert (rows["7.2"].cumulative, rows["7.2"].previous, rows["7.2"].period) == (
        Decimal("15500.00"), Decimal("14880.00"), Decimal("620.00"))  # 310 m² × 50 − 310 m² × 48
    assert rows["7.2"].unit_price == Decimal("50") and "OS1" in rows
    # The invoice of the draft prints the amended unit price.
    from chorusbat.invoicing.services import invoice_data_for

    invoice_lines = {line.ref: line for line in invoice_data_for(draft).lines}
    assert invoice_lines["7.2"].unit_price == Decimal("50")
    # Initial, amendment, current amounts: +600 (7.2: 300 m² × 2 €) + 300 (OS1) = +900 excl. VAT.
    page = admin_client.get(f"/contrats/marche/{market.pk}/avenants/").content.decode()
    assert "28\u00a0270,00" in page and "+900,00" in page and "29\u00a0170,00" in page
    detail = admin_client.get(f"/situations/{draft.pk}/").content.decode()
    assert "market-amounts" in detail and "29\u00a0170,00" in detail
    assert "OS1" in admin_client.get(f"/marches/{market.pk}/").content.decode()


def test_an_amendment_cannot_reach_back_into_a_validated_situation(admin_client, market_with_situations):
    response = post(admin_client, market_with_situations, period="2026-10")
    assert response.status_code == 200 and "10/2026" in " ".join(response.context["problems"])
    assert not Amendment.objects.exists() and not ContractLine.objects.filter(ref="OS1").exists()


def test_bad_amendments_are_explained(admin_client, market_with_situations):
    market = market_with_situations
    empty = post(admin_client, market, change_line_0="", change_price_0="", **{
        "new0-ref": "", "new0-label": "", "new0-kind": "", "new0-unit": "", "new0-unit_price": "",
        "new0-quantity": "", "new0-vat_rate": "", "new0-extra_work": ""})
    assert empty.status_code == 200 and empty.context["problems"]
    taken = post(admin_client, market, **{"new0-ref": "7.1"})
    assert taken.context["line_forms"][0].errors["ref"]
    no_value = post(admin_client, market, change_price_0="")
    assert no_value.context["form"].errors["change_price_0"]
    assert not Amendment.objects.exists()
    post(admin_client, market)
    again = post(admin_client, market, **{"new0-ref": "OS2"})
    assert again.context["form"].errors["number"]


def test_delete_and_permissions(admin_client, member_user, market_with_situations):
    from django.test import Client

    market = market_with_situations
    post(admin_client, market)
    amendment = Amendment.objects.get()
    draft = Situation.objects.get(number="F2026-0110")
    # Progress on the new line in the draft: the amendment cannot be deleted under it.
    draft.progress.create(line=ContractLine.objects.get(ref="OS1"), value=Decimal("4"))
    response = admin_client.post(f"/contrats/marche/{market.pk}/avenants/{amendment.pk}/supprimer/")
    assert response.status_code == 302 and Amendment.objects.exists()
    draft.progress.filter(line__ref="OS1").delete()
    client = Client()
    client.force_login(member_user)
    assert client.get(f"/contrats/marche/{market.pk}/avenants/").status_code == 200
    assert client.get(f"/contrats/marche/{market.pk}/avenants/nouveau/").status_code == 403
    assert client.post(f"/contrats/marche/{market.pk}/avenants/{amendment.pk}/supprimer/").status_code == 403
    admin_client.post(f"/contrats/marche/{market.pk}/avenants/{amendment.pk}/supprimer/")
    assert not Amendment.objects.exists() and not ContractLine.objects.filter(ref="OS1").exists()
    assert decompte(draft).lines[1].unit_price == Decimal("48")


def test_site_managers_see_no_administrator_link(admin_client, member_user, market_with_situations):
    import re

    from django.test import Client
    from django.urls import Resolver404, resolve

    post(admin_client, market_with_situations)
    member = Client()
    member.force_login(member_user)
    for url in (f"/contrats/marche/{market_with_situations.pk}/avenants/", "/contrats/taux-bce/",
                "/contrats/indices/", "/contrats/interets-moratoires/", f"/marches/{market_with_situations.pk}/"):
        html = member.get(url).content.decode()
        for target in re.findall(r'(?:href|action)="(/[^"#?]*)', html):
            try:
                view = resolve(target).func
            except Resolver404:
                continue
            assert not getattr(view, "admin_only", False), f"{url}: {target} is for administrators"


@pytest.mark.django_db
def test_the_demo_has_a_market_with_an_amendment(company, admin_user, admin_client):
    from chorusbat.contracts.demo import create_demo_amendment
    from chorusbat.situations.demo import create_demo_markets

    create_demo_markets(company, admin_user)
    amendment = create_demo_amendment(company, admin_user)
    assert create_demo_amendment(company, admin_user) == amendment  # idempotent
    market = amendment.market
    amounts = market_amounts(market)
    assert [row.amendment for row in amounts.rows] == [amendment]
    # 40 m² × 32.50 (5.5 %) + 2,800.00 (10 %) excl. VAT more than the initial amount.
    assert amounts.current_ht - amounts.initial_ht == Decimal("1300.00") + Decimal("2800.00")
    page = admin_client.get(reverse("markets:detail", args=[market.pk])).content.decode()
    assert "Avenant" in page or "avenant" in page
    draft = market.situations.get(number="F2026-0109")
    assert admin_client.get(reverse("situations:detail", args=[draft.pk])).status_code == 200
