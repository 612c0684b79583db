"""Every main page in a real browser, at 1366 px and on a 390 px phone (issue 12, points 10 and 12).

- axe-core (``axe-playwright-python``) reports no violation of impact "serious" or "critical";
- at 390 px nothing makes the page itself scroll sideways (tables scroll inside their card);
- a screenshot of each page at both widths goes to ``screenshots/`` (ignored by git), for a person to look at.
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[3] / "screenshots"
WIDTHS = {"desktop": (1366, 900), "phone": (390, 844)}
BLOCKING = {"serious", "critical"}


def violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"] if v.get("impact") in BLOCKING]


def overflow(page) -> int:
    """How many pixels the page is wider than the window (0: no sideways scrolling)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


@pytest.fixture
def demo(company, admin_user):
    from chorusbat.gateway.models import Transmission
    from chorusbat.situations.demo import create_demo_markets
    from chorusbat.situations.models import Situation

    markets = create_demo_markets(company, admin_user)
    validated = list(Situation.objects.filter(company=company, status="validated").order_by("market_id", "period"))
    # One invoice on its way and one held, so that the lists have rows.
    Transmission.objects.create(company=company, situation=validated[0], state=Transmission.State.INTEGRATED,
                                chorus_status="REJETEE", chorus_comment="Pièces justificatives manquantes")
    Transmission.objects.create(company=company, situation=validated[1], state=Transmission.State.HELD,
                                reason="Mot de passe du compte technique expiré : enregistrez le nouveau.")
    draft = Situation.objects.filter(company=company, status="draft").order_by("market_id").first()
    return {"markets": markets, "validated": validated, "draft": draft}


def main_pages(demo) -> dict[str, str]:
    market = demo["markets"][0]
    return {
        "dashboard": "/transmissions/",
        "mon-compte": "/compte/",
        "abonnement": "/compte/abonnement-chorus-pro/",
        "marches": "/marches/",
        "marche": f"/marches/{market.pk}/",
        "situation": f"/situations/{demo['validated'][0].pk}/",
        "situation-brouillon": f"/situations/{demo['draft'].pk}/",
        "situation-saisie": f"/situations/{demo['draft'].pk}/modifier/",
        "situation-validation": f"/situations/{demo['draft'].pk}/valider/",
        "envoi": "/transmissions/envoyer/",
        "transmissions": "/transmissions/liste/",
    }


def test_main_pages_accessible_and_usable_on_a_phone(browser, live_server, login, admin_user, demo):
    SCREENSHOTS.mkdir(exist_ok=True)
    problems = []
    for label, (width, height) in WIDTHS.items():
        context = browser.new_context(base_url=live_server.url, locale="fr-FR",
                                      viewport={"width": width, "height": height})
        context.set_default_timeout(15_000)
        page = context.new_page()
        page.goto("/connexion/")
        page.screenshot(path=str(SCREENSHOTS / f"login-{label}.png"), full_page=True)
        problems += [f"login {label}: {v}" for v in violations(page)]
        if overflow(page) > 0:
            problems.append(f"login {label}: {overflow(page)} px too wide")
        login(page, admin_user)
        for name, url in main_pages(demo).items():
            response = page.goto(url)
            assert response.status == 200, (name, response.status)
            page.screenshot(path=str(SCREENSHOTS / f"{name}-{label}.png"), full_page=True)
            problems += [f"{name} {label}: {v}" for v in violations(page)]
            if overflow(page) > 0:
                problems.append(f"{name} {label}: {overflow(page)} px too wide")
        context.close()
    assert not problems, "\n".join(problems)
