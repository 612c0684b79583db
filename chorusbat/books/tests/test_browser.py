"""The list of every situation and invoice, and the sales journal page, usable on a 390 px wide phone."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_list_filters_and_pages_fit_a_phone(page, login, admin_user, market_with_situations):
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, admin_user)
    page.goto("/factures/")
    assert page.locator("#invoices tbody tr").count() == 3
    page.select_option("select[name=statut]", "draft")
    page.click("#filters button.primary")
    page.wait_for_url("**statut=draft**")
    assert page.locator("#invoices tbody tr").count() == 1
    assert "F2026-0110" in page.inner_text("#invoices")
    with page.expect_download() as download:
        page.click("button[value=xlsx]")
    assert download.value.suggested_filename.endswith(".xlsx")
    for path in ("/factures/", "/factures/journal-des-ventes/", "/factures/comptes/", "/compte/membres/",
                 "/compte/mot-de-passe/", "/compte/notifications/", "/compte/double-authentification/", "/compte/",
                 "/transmissions/"):
        page.goto(path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
