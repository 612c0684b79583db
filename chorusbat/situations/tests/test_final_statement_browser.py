"""The projet de décompte final in a real browser on a 390 px phone: the market's button, the entry form and the
décompte, without sideways scrolling, under the site's CSP."""

import pytest

from chorusbat.situations.demo import NANTES_MARKET, create_market
from chorusbat.situations.models import Situation
from chorusbat.situations.services import validate_situation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_the_final_statement_on_a_phone(browser, live_server, login, admin_user, company):
    market = create_market(company, admin_user, NANTES_MARKET)
    validate_situation(Situation.objects.get(market=market, status="draft"), admin_user)
    context = browser.new_context(base_url=live_server.url, locale="fr-FR", viewport={"width": 390, "height": 844})
    context.set_default_timeout(15_000)
    page = context.new_page()
    login(page, admin_user)
    page.goto(f"/marches/{market.pk}/")
    assert overflow(page) <= 0
    page.get_by_role("link", name="Établir le projet de décompte final").click()
    page.wait_for_selector("#final-statement-help")
    assert page.inner_text("h1") == "Projet de décompte final" and overflow(page) <= 0
    page.fill("input[name=index_value]", "120,4")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    page.wait_for_selector("#total-net")
    assert page.inner_text("h1").startswith("Projet de décompte final ") and overflow(page) <= 0
    final = Situation.objects.get(market=market, final=True)
    assert final.status == "draft"
    page.goto(f"/situations/marche/{market.pk}/")
    assert page.is_visible("#final-statement-notice") and overflow(page) <= 0
    context.close()
