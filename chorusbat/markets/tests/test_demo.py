"""The demo markets: created through the services, the first one reproduces the rules' example exactly."""

from decimal import Decimal

import pytest

from chorusbat.markets.models import Market
from chorusbat.situations.demo import create_demo_markets
from chorusbat.situations.models import Situation
from chorusbat.situations.services import decompte

pytestmark = pytest.mark.django_db


def test_demo_markets_reproduce_the_example_and_are_idempotent(company, admin_user):
    nantes, housing = create_demo_markets(company, admin_user)
    assert (nantes.contract_ht, nantes.contract_ttc) == (Decimal("28270.00"), Decimal("33737.00"))
    first, second, draft = nantes.situations.order_by("period")
    assert (first.status, second.status, draft.status) == ("validated", "validated", "draft")
    assert first.net_amount == Decimal("12786.01") and first.g_amount == Decimal("672.95")
    assert second.coefficient == Decimal("1.010")
    assert (second.ttc_amount, second.c_amount, second.f_amount, second.net_amount) == (
        Decimal("20979.59"), Decimal("150.00"), Decimal("3373.70"), Decimal("16406.91"))
    assert [(r.rate, r.a, r.d, r.b) for r in second.rate_amounts.all()] == [
        (Decimal("10.0"), Decimal("1734.43"), Decimal("17.34"), Decimal("175.18")),
        (Decimal("20.0"), Decimal("15720.00"), Decimal("157.20"), Decimal("3175.44")),
    ]
    assert housing.framework == "A4" and housing.validator_siret == "44306184100013"
    assert not decompte(draft).errors
    assert not decompte(housing.situations.get(number="F2026-0109")).errors

    create_demo_markets(company, admin_user)
    assert Market.objects.filter(company=company).count() == 2
    assert Situation.objects.filter(company=company).count() == 5
