"""Issue 2 in a real browser: log in, read the tooltip, fill the subscription form, confirm, see it saved."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_completes_the_subscription(page, login, admin_user):
    login(page, admin_user)
    page.goto("/compte/")
    tooltip = page.locator("#subscription-tip")
    assert not tooltip.is_visible()
    page.hover("#subscription-button")
    tooltip.wait_for(state="visible")
    assert "compte technique Chorus Pro" in tooltip.inner_text()

    page.click("#subscription-button")
    assert page.input_value("input[name=siret]") == "73282932000074"
    page.fill("input[name=referent_email]", "compta@example.fr")
    page.fill("input[name=technical_login]", "TECH_1_73282932000074@cpro.fr")
    page.fill("input[name=password]", "Browser-Secret-1")
    page.fill("input[name=password_confirm]", "Browser-Secret-1")
    page.check("input[name=environment][value=qualification]")
    page.click("button[value=save]")

    page.wait_for_selector("#confirm-button")
    assert "Confirmer l’enregistrement ?" in page.content()
    page.click("#confirm-button")

    page.wait_for_selector("#subscription-summary")
    summary = page.inner_text("#subscription-summary")
    assert "TECH_1_73282932000074@cpro.fr" in summary
    assert "compta@example.fr" in summary
    assert "mot de passe enregistré le" in summary
    assert "configuration refusée" in summary.lower()  # no PISTE application for qualification in the tests
    assert "Browser-Secret-1" not in page.content()


def test_member_does_not_get_the_subscription(page, login, member_user):
    login(page, member_user)
    page.goto("/compte/")
    assert page.locator("#subscription-button").count() == 0
    response = page.goto("/compte/abonnement-chorus-pro/")
    assert response.status == 403
