"""Entry by a site manager (issue 12, point 9): the accountant's fields may be left to the administrator, and
every error shows in one pass, next to its field."""

import pytest
from django.urls import reverse

from chorusbat.situations.models import Situation
from chorusbat.situations.tests.test_situation_views import FIRST, create

pytestmark = pytest.mark.django_db


def test_a_site_manager_may_leave_the_index_to_the_accountant(member_client, admin_user, market):
    response = create(member_client, market, FIRST, index_value="")
    assert response.status_code == 302, response.context["form"].errors
    draft = Situation.objects.get()
    assert draft.index_value is None and draft.status == "draft"
    page = member_client.get(reverse("situations:edit", args=[draft.pk])).content.decode()
    assert "l&#x27;administrateur le saisira" in page or "l'administrateur le saisira" in page


def test_an_administrator_must_enter_the_index(admin_client, market):
    response = create(admin_client, market, FIRST, index_value="")
    assert response.status_code == 200 and "index_value" in response.context["form"].errors


def test_every_error_in_one_pass(admin_client, market):
    # A wrong cell, a penalty without amount and a forfait beyond 100 %: all reported by the same submission.
    response = create(admin_client, market, FIRST, **{"7.2": "douze", "7.1": "120", "penalty_label_0": "Retard"})
    errors = response.context["form"].errors
    ids = {line.ref: line.pk for line in market.lines.all()}
    assert f"line_{ids['7.2']}" in errors and "penalty_amount_0" in errors
    assert f"line_{ids['7.1']}" in errors, errors  # found by the engine despite the other errors
    html = response.content.decode()
    assert html.index(errors[f"line_{ids['7.1']}"][0][:20]) > html.index('id="progress-grid"')  # next to the field


def test_the_market_list_highlights_a_negative_remaining_amount(admin_client, admin_user, market):
    from decimal import Decimal

    from chorusbat.situations.services import SituationData, save_draft, validate_situation

    lines = {line.ref: line.pk for line in market.lines.all()}
    data = SituationData(number="F2026-0093", period=market.start_date, date=market.start_date.replace(day=30),
                         index_value=Decimal("119"), advance_paid=Decimal("0"),
                         progress={lines["7.1"]: Decimal("100"), lines["7.2"]: Decimal("600"),
                                   lines["7.3"]: Decimal("200")})
    validate_situation(save_draft(market, data, admin_user), admin_user)  # twice the floor of the contract
    html = admin_client.get(reverse("markets:list")).content.decode()
    assert 'class="over-billed"' in html and "facturé au-delà du marché" in html
