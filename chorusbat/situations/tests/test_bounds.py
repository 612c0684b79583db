"""Bounded amounts, indices and dates on the screens and in the database (issue 13, items 1 and 5).

The largest values the limits allow are stored through the same services as the screens, then every page of the
market is rendered: none may fail. Values beyond the limits are refused by the forms with a French message and
by the database constraints whatever the path.
"""

from __future__ import annotations

import datetime
from decimal import Decimal as D

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from chorusbat.engine import limits
from chorusbat.markets.models import ContractLine, Market
from chorusbat.markets.services import refresh_totals
from chorusbat.situations.models import Penalty, Progress, Situation
from chorusbat.situations.services import SituationData, save_draft, validate_situation
from chorusbat.situations.tests.test_situation_views import FIRST, create, form_data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def stored_whatever_chorus_pro_accepts_today(monkeypatch):
    """The data at the limits is stored as it could have been before today's Chorus Pro checks (a future invoice
    date, an advance above what is due): what is stored must keep every page working, whatever validation says."""
    # The views bind ``chorus_problems`` when first imported: import them before patching, and patch them too, or
    # the first request made here would bind the patched function for every later test of the session.
    from chorusbat.situations import services, views

    monkeypatch.setattr(services, "chorus_problems", lambda situation, with_buyer=False: [])
    monkeypatch.setattr(views, "chorus_problems", lambda situation, with_buyer=False: [])
    monkeypatch.setattr("chorusbat.situations.chorus_checks.buyer_problems", lambda market: [])


def stuffed_market(company, user) -> Market:
    """A market at the limits: largest prices, rates, thresholds, dates, penalties and advance paid."""
    market = Market.objects.create(
        company=company, created_by=user, title="T" * 200, buyer_name="B" * 200, buyer_siret="21440109300015",
        buyer_service_code="S" * 100, number="N" * 50, engagement="E" * 50, framework="A1",
        start_date=datetime.date(2100, 1, 1), duration_months=limits.MAX_DURATION_MONTHS,
        revision_fixed=D("0"), revision_variable=D("1"), revision_base_index=D("100"),
        revision_index_name="I" * 30, advance_rate=limits.MAX_ADVANCE_RATE, advance_start=D("0"),
        advance_end=limits.MAX_FRACTION, retention_rate=limits.MAX_RETENTION_RATE,
    )
    # 833 333 333 333.30 excl. VAT → 999 999 999 999.96 incl. 20 % VAT: the largest contract the limits allow.
    ContractLine.objects.create(market=market, position=1, ref="R" * 30, label="L" * 300, kind="forfait",
                                unit="U" * 20, unit_price=D("833333333.3333"), quantity=D("1000"), vat_rate=D("20"))
    ContractLine.objects.create(market=market, position=2, ref="MAX", label="Prix maximal", kind="unitaire",
                                unit="u", unit_price=limits.MAX_UNIT_PRICE, quantity=D("0"), vat_rate=D("20"))
    ContractLine.objects.create(market=market, position=3, ref="QTY", label="Quantité maximale", kind="unitaire",
                                unit="u", unit_price=D("0"), quantity=limits.MAX_QUANTITY, vat_rate=D("0"))
    refresh_totals(market)
    lines = {line.ref: line.pk for line in market.lines.all()}
    first = SituationData(
        number="F2100-0001", period=datetime.date(2100, 11, 1), date=datetime.date(2100, 11, 30),
        # coefficient 0 + 1 × 99 999.9 / 100 = 999.999, the largest allowed
        index_value=D("99999.9"), advance_paid=limits.MAX_AMOUNT,
        progress={lines["R" * 30]: D("0.0001"), lines["MAX"]: D("0.0001"), lines["QTY"]: limits.MAX_QUANTITY},
        penalties=[("P" * 200, limits.MAX_AMOUNT)],
    )
    validate_situation(save_draft(market, first, user), user)
    second = SituationData(
        number="F2100-0002", period=datetime.date(2100, 12, 1), date=limits.MAX_DATE, index_value=D("100"),
        advance_paid=D("0"), progress={lines["R" * 30]: D("100"), lines["QTY"]: limits.MAX_QUANTITY},
    )
    save_draft(market, second, user)
    return market


def test_every_page_of_a_market_at_the_limits_renders(admin_client, company, admin_user):
    market = stuffed_market(company, admin_user)
    validated = market.situations.get(status="validated")
    draft = market.situations.get(status="draft")
    assert validated.coefficient == D("999.999")
    assert market.contract_ttc == D("999999999999.96")
    urls = [
        reverse("markets:list"), reverse("markets:detail", args=[market.pk]),
        reverse("markets:edit", args=[market.pk]), reverse("markets:line_create", args=[market.pk]),
        reverse("markets:line_import", args=[market.pk]),
        *[reverse("markets:line_edit", args=[market.pk, line.pk]) for line in market.lines.all()],
        reverse("situations:list", args=[market.pk]), reverse("situations:create", args=[market.pk]),
        reverse("situations:detail", args=[validated.pk]), reverse("situations:detail", args=[draft.pk]),
        reverse("situations:edit", args=[draft.pk]), reverse("gateway:dashboard"),
    ]
    for url in urls:
        response = admin_client.get(url)
        assert response.status_code in (200, 302), url
    draft_page = admin_client.get(reverse("situations:detail", args=[draft.pk]))
    assert not draft_page.context["decompte"].errors  # the draft computes within the limits too


def test_the_documents_of_a_market_at_the_limits_render(admin_client, company, admin_user):
    market = stuffed_market(company, admin_user)
    validated = market.situations.get(status="validated")
    for name in ("invoicing:preview", "invoicing:download"):
        response = admin_client.get(reverse(name, args=[validated.pk]))
        assert response.status_code in (200, 409), name  # 409: the document gate may refuse, never a 500


def test_a_line_of_ten_digit_price_and_quantity_is_refused_and_every_page_still_renders(admin_client, market):
    url = reverse("markets:line_create", args=[market.pk])
    response = admin_client.post(url, {"ref": "X", "label": "Énorme", "kind": "unitaire", "unit": "u",
                                       "unit_price": "9 999 999 999", "quantity": "9 999 999 999",
                                       "vat_rate": "20"})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "unit_price" in errors and "quantity" in errors
    assert not market.lines.filter(ref="X").exists()
    # Each one within its limit, but the line amount is not.
    response = admin_client.post(url, {"ref": "X", "label": "Énorme", "kind": "unitaire", "unit": "u",
                                       "unit_price": "999 999 999", "quantity": "999 999 999", "vat_rate": "20"})
    assert "dépasse le maximum de 999 999 999 999,99 €" in " ".join(response.context["form"].errors["quantity"])
    # Lines that fit one by one, but not together.
    for ref in ("A", "B"):
        response = admin_client.post(url, {"ref": ref, "label": "Gros", "kind": "forfait", "unit": "ens",
                                           "unit_price": "600 000 000", "quantity": "1000", "vat_rate": "20"})
    assert response.status_code == 200
    assert "montant total du marché dépasserait" in " ".join(response.context["form"].non_field_errors())
    assert market.lines.filter(ref="A").exists() and not market.lines.filter(ref="B").exists()
    for page in (reverse("markets:list"), reverse("markets:detail", args=[market.pk]),
                 reverse("situations:list", args=[market.pk])):
        assert admin_client.get(page).status_code == 200


def test_an_index_far_from_a_tiny_base_index_is_refused(admin_client, market):
    Market.objects.filter(pk=market.pk).update(revision_base_index=D("0.0001"))
    market.refresh_from_db()
    response = create(admin_client, market, FIRST, index_value="99999999,9999")
    assert response.status_code == 200
    assert response.context["form"].errors["index_value"]
    response = create(admin_client, market, FIRST, index_value="99999,9999")
    assert response.status_code == 200
    assert "coefficient de révision calculé" in " ".join(response.context["form"].non_field_errors()
                                                          + response.context["form"].errors.get("index_value", []))
    assert not Situation.objects.exists()


@pytest.mark.parametrize("date", ["9999-12-31", "0001-01-01", "1999-12-31", "2101-01-01"])
def test_invoice_dates_out_of_range_are_refused(admin_client, market, date):
    response = create(admin_client, market, FIRST, date=date)
    assert response.status_code == 200
    assert "comprise entre le 01/01/2000 et le 31/12/2100" in " ".join(response.context["form"].errors["date"])
    assert not Situation.objects.exists()


@pytest.mark.parametrize(("field", "value"), [("start_date", "0001-01-01"), ("start_date", "9999-12-31"),
                                              ("duration_months", "241"), ("revision_base_index", "100000")])
def test_market_dates_durations_and_indices_are_bounded(admin_client, company, field, value):
    from chorusbat.markets.tests.test_market_views import post_market

    response = post_market(admin_client, **{field: value})
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert not Market.objects.exists()


def test_penalties_advance_and_progress_are_bounded_in_the_form(admin_client, market):
    data = form_data(market, FIRST, advance_paid="1 000 000 000 000", **{"7.2": "1 000 000 000"})
    data.update(penalty_label_0="Retard", penalty_amount_0="1 000 000 000 000")
    response = admin_client.post(reverse("situations:create", args=[market.pk]), data)
    errors = response.context["form"].errors
    assert {"advance_paid", "penalty_amount_0", f"line_{market.lines.get(ref='7.2').pk}"} <= set(errors)


@pytest.mark.parametrize(
    "make",
    [
        lambda m: ContractLine.objects.create(market=m, ref="Z", label="z", unit="u", unit_price=D("9999999999"),
                                              quantity=D("1"), vat_rate=D("20")),
        lambda m: ContractLine.objects.create(market=m, ref="Z", label="z", unit="u", unit_price=D("1"),
                                              quantity=D("-1"), vat_rate=D("20")),
        lambda m: Market.objects.filter(pk=m.pk).update(duration_months=241),
        lambda m: Market.objects.filter(pk=m.pk).update(start_date=datetime.date(1, 1, 1)),
        lambda m: Market.objects.filter(pk=m.pk).update(revision_base_index=D("0")),
        lambda m: Market.objects.filter(pk=m.pk).update(contract_ht=D("1000000000000")),
        lambda m: Situation.objects.create(company=m.company, market=m, number="X1", period=datetime.date(2026, 9, 1),
                                           date=datetime.date(9999, 12, 31)),
        lambda m: Situation.objects.create(company=m.company, market=m, number="X1", period=datetime.date(2026, 9, 1),
                                           date=datetime.date(2026, 9, 30), index_value=D("100000")),
        lambda m: Penalty.objects.create(situation=Situation.objects.create(
            company=m.company, market=m, number="X2", period=datetime.date(2026, 10, 1),
            date=datetime.date(2026, 10, 31)), label="p", amount=D("1000000000000")),
        lambda m: Progress.objects.create(situation=Situation.objects.create(
            company=m.company, market=m, number="X3", period=datetime.date(2026, 11, 1),
            date=datetime.date(2026, 11, 30)), line=m.lines.first(), value=D("1000000000")),
    ],
)
def test_the_database_refuses_values_beyond_the_limits(market, make):
    with pytest.raises(IntegrityError), transaction.atomic():
        make(market)
