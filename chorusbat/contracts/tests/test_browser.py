"""The contract-life pages in a real browser at 1366 px and 390 px: no serious accessibility violation, no
sideways scrolling of the page itself (as chorusbat/web/tests/test_screens_browser.py does for the main pages)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from chorusbat.web.tests.test_screens_browser import SCREENSHOTS, WIDTHS, overflow, violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SAMPLE = Path(__file__).parent / "data" / "insee-bt46-sample.csv"


@pytest.fixture
def pages(company, admin_user):
    from chorusbat.contracts import insee
    from chorusbat.contracts.demo import create_demo_closed_market, create_demo_late_payment
    from chorusbat.contracts.indices import import_series
    from chorusbat.contracts.models import MarketClosing
    from chorusbat.markets.models import Amendment, AmendmentChange
    from chorusbat.situations.demo import NANTES_MARKET, create_market

    late = create_demo_late_payment(company, admin_user)
    market = create_market(company, admin_user, NANTES_MARKET)
    import_series("BT46", insee.parse(SAMPLE.read_bytes()), admin_user)
    amendment = Amendment.objects.create(market=market, number="1", date=datetime.date(2026, 11, 5),
                                         object="Sol souple porté à 50 € le mètre carré", period=datetime.date(2026, 11, 1))
    AmendmentChange.objects.create(amendment=amendment, line=market.lines.get(ref="7.2"), unit_price=Decimal("50"))
    draft = market.situations.get(status="draft")
    create_demo_closed_market(company, admin_user)
    MarketClosing.objects.create(market=market, reception_date=datetime.date(2026, 11, 20),  # forms to fill
                                 dg_notified_on=datetime.date(2026, 11, 25), dg_amount_ttc=Decimal("1000.00"))
    return {
        "interets": "/contrats/interets-moratoires/",
        "taux-bce": "/contrats/taux-bce/",
        "indices": "/contrats/indices/",
        "avenants": f"/contrats/marche/{market.pk}/avenants/",
        "avenant-saisie": f"/contrats/marche/{market.pk}/avenants/nouveau/",
        "marche-avenant": f"/marches/{market.pk}/",
        "situation-avenant": f"/situations/{draft.pk}/",
        "situation-indice": f"/situations/{draft.pk}/modifier/",
        "marche-retard": f"/marches/{late.pk}/",
        "marches": "/marches/",
        "fin-soldee": f"/contrats/marche/{late.pk}/fin/",
        "fin-saisie": f"/contrats/marche/{market.pk}/fin/",
    }


def test_contract_life_pages_accessible_and_usable_on_a_phone(browser, live_server, login, admin_user, pages):
    problems = []
    SCREENSHOTS.mkdir(exist_ok=True)
    for label, (width, height) in WIDTHS.items():
        context = browser.new_context(base_url=live_server.url, locale="fr-FR",
                                      viewport={"width": width, "height": height})
        context.set_default_timeout(15_000)
        page = context.new_page()
        login(page, admin_user)
        for name, url in pages.items():
            response = page.goto(url)
            assert response.status == 200, (name, response.status)
            page.screenshot(path=str(SCREENSHOTS / f"contrat-{name}-{label}.png"), full_page=True)
            problems += [f"{name} {label}: {v}" for v in violations(page)]
            if overflow(page) > 0:
                problems.append(f"{name} {label}: {overflow(page)} px too wide")
        context.close()
    assert not problems, "\n".join(problems)
