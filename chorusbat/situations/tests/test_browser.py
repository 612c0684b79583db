"""Issue 5 in a real browser: create a market, import its lines from CSV, enter two situations, read the net."""

import pytest

from chorusbat.markets.models import Market
from chorusbat.situations.models import Situation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LINES_CSV = (
    "Réf.;Désignation;Unité;Quantité;PU HT;TVA;Type\n"
    "7.1;Peinture préau;ens;1;12000,00;20;forfait\n"
    "7.2;Sol souple PVC;m2;300;48,00;20;unitaire\n"
    "7.3;Plinthes bois logement gardien;ml;200;9,35;10;unitaire\n"
).encode("cp1252")


def enter_situation(page, number, period, date, index, progress, penalty=None, extras=()):
    page.fill("input[name=number]", number)
    page.fill("input[name=period]", period)
    page.fill("input[name=date]", date)
    page.fill("input[name=index_value]", index)
    for label, value in progress.items():
        page.get_by_label(label, exact=True).fill(value)
    for label in extras:  # beyond the contract quantity: marked as extra work (issue 12, point 5)
        page.locator("tr.progress-row", has_text=label).get_by_label("travaux supplémentaires / avenant").check()
    if penalty:
        page.fill("input[name=penalty_label_0]", penalty[0])
        page.fill("input[name=penalty_amount_0]", penalty[1])
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    page.wait_for_selector("#total-net")


def test_market_lines_and_two_situations(page, login, admin_user):
    login(page, admin_user)
    page.get_by_role("link", name="Marchés").click()
    page.get_by_role("link", name="Nouveau marché").click()
    page.fill("input[name=title]", "Lot 07 Peinture - sols souples, école Jules Verne")
    page.fill("input[name=number]", "2026-TX-004")
    page.fill("input[name=start_date]", "2026-09-01")
    page.fill("input[name=duration_months]", "3")
    page.fill("input[name=buyer_name]", "Ville de Nantes")
    page.fill("input[name=buyer_siret]", "214 401 093 00015")
    page.fill("input[name=buyer_service_code]", "DIR_BATIMENTS")
    page.fill("input[name=engagement]", "1300045678")
    page.fill("input[name=revision_index_name]", "BT46")
    page.fill("input[name=revision_fixed]", "0,125")
    page.fill("input[name=revision_variable]", "0,875")
    page.fill("input[name=revision_base_index]", "118,4")
    page.fill("input[name=advance_percent]", "10")
    page.fill("input[name=retention_percent]", "5")
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_selector("#market-number")
    assert page.inner_text("#market-number") == "2026-TX-004"

    page.get_by_role("link", name="Importer des lignes (CSV, XLSX)").click()
    page.set_input_files("input[name=file]", files=[
        {"name": "dpgf.csv", "mimeType": "text/csv", "buffer": LINES_CSV}])
    page.get_by_role("button", name="Vérifier le fichier").click()
    page.wait_for_selector("#import-preview")
    assert "Plinthes bois logement gardien" in page.inner_text("#import-preview")
    page.get_by_role("button", name="Importer 3 lignes").click()
    page.wait_for_selector("#contract-ttc")
    assert page.inner_text("#contract-ttc") == "33\xa0737,00\xa0€"

    page.get_by_role("link", name="Nouvelle situation").click()
    assert page.input_value("input[name=period]") == "2026-09"
    page.wait_for_load_state("load")  # the small script of the page
    # Live amounts per line as progress is typed (issue 12, point 9), and a warning beyond the contract.
    page.get_by_label("Sol souple PVC", exact=True).fill("120")
    row = page.locator("tr.progress-row", has_text="Sol souple PVC")
    assert row.locator(".amount").inner_text().replace("\u202f", "\xa0") == "5\xa0760,00\xa0€"
    assert row.locator(".over-warning").is_hidden()
    page.get_by_label("Sol souple PVC", exact=True).fill("350")
    assert row.locator(".over-warning").is_visible()
    page.get_by_label("Peinture préau", exact=True).fill("45")
    assert page.locator("tr.progress-row", has_text="Peinture préau").locator(".amount").inner_text().startswith("5")
    enter_situation(page, "F2026-0093", "2026-09", "2026-09-30", "119,0",
                    {"Peinture préau": "45", "Sol souple PVC": "120", "Plinthes bois logement gardien": "0"})
    assert page.inner_text("#total-net") == "12\xa0786,01"
    page.get_by_role("button", name="Valider (figer) la situation").click()
    assert "ne pourra plus être modifiée" in page.inner_text("#confirm")  # a confirmation page first
    page.click("#confirm-button")
    page.wait_for_selector("text=son décompte est désormais figé")

    page.get_by_role("link", name="2026-TX-004").first.click()
    page.get_by_role("link", name="Nouvelle situation").click()
    assert page.input_value("input[name=number]") == "F2026-0094"
    enter_situation(page, "F2026-0094", "2026-10", "2026-10-31", "119,7",
                    {"Peinture préau": "100", "Sol souple PVC": "310", "Plinthes bois logement gardien": "185,5"},
                    penalty=("Retard remise DOE", "150"), extras=["Sol souple PVC"])
    assert page.inner_text("#total-net") == "16\xa0406,91"
    assert page.inner_text("#total-f") == "3\xa0373,70"

    market = Market.objects.get(number="2026-TX-004")
    assert [(s.number, s.status) for s in Situation.objects.filter(market=market).order_by("period")] == [
        ("F2026-0093", "validated"), ("F2026-0094", "draft")]
