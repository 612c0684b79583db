"""Factures screens: the list across markets (filters, sort, totals, exports), overdue invoices, the journal."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from chorusbat.books.models import AccountingSettings
from chorusbat.gateway.models import Transmission
from chorusbat.situations.demo import HOUSING_MARKET, create_market
from chorusbat.situations.models import Situation

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_markets(company, admin_user, market_with_situations):
    housing = create_market(company, admin_user, HOUSING_MARKET)
    return market_with_situations, housing


def numbers(response) -> list[str]:
    return [row["s"].number for row in response.context["rows"]]


def sent(number: str, status: str = "MISE_A_DISPOSITION", state: str = "integrated") -> Transmission:
    s = Situation.objects.get(number=number)
    return Transmission.objects.create(company=s.company, situation=s, state=state, chorus_status=status)


def test_list_filters_and_sorts_across_markets(member_client, two_markets):
    nantes, housing = two_markets
    everything = member_client.get("/factures/")
    assert everything.status_code == 200
    all_numbers = numbers(everything)
    assert {"F2026-0093", "F2026-0107", "F2026-0110"} <= set(all_numbers)
    assert set(Situation.objects.filter(market=housing).values_list("number", flat=True)) <= set(all_numbers)
    dates = [row["s"].date for row in everything.context["rows"]]
    assert dates == sorted(dates, reverse=True)

    only_nantes = member_client.get("/factures/", {"marche": nantes.pk, "tri": "number"})
    assert numbers(only_nantes) == ["F2026-0093", "F2026-0107", "F2026-0110"]
    by_buyer = member_client.get("/factures/", {"acheteur": housing.buyer_siret})
    assert set(numbers(by_buyer)) == set(Situation.objects.filter(market=housing).values_list("number", flat=True))
    drafts = member_client.get("/factures/", {"statut": "draft", "marche": nantes.pk})
    assert numbers(drafts) == ["F2026-0110"]
    october = member_client.get("/factures/", {"du": "2026-10-01", "au": "2026-10-31", "marche": nantes.pk})
    assert numbers(october) == ["F2026-0107"]
    due = member_client.get("/factures/", {"echeance_du": "2026-10-30", "echeance_au": "2026-10-30"})
    assert numbers(due) == ["F2026-0093"]  # 30 September + 30 days
    by_net = member_client.get("/factures/", {"marche": nantes.pk, "statut": "validated", "tri": "-net"})
    nets = [row["s"].net_amount for row in by_net.context["rows"]]
    assert nets == sorted(nets, reverse=True) and len(nets) == 2


def test_totals_cover_the_whole_filter(member_client, market_with_situations):
    response = member_client.get("/factures/", {"marche": market_with_situations.pk})
    totals = response.context["totals"]
    validated = Situation.objects.filter(number__in=["F2026-0093", "F2026-0107"])
    assert totals.count == 3 and totals.invoices == 2
    assert totals.net == sum(s.net_amount for s in validated)
    assert totals.ht == sum(s.a_amount + s.d_amount for s in validated)
    assert 'id="totals"' in response.content.decode()


def test_bad_filters_are_explained_not_a_500(member_client, market_with_situations):
    response = member_client.get("/factures/", {"du": "2026-13-45", "marche": "abc", "au": "x", "page": "zz"})
    assert response.status_code == 200
    assert response.context["form"].errors
    reversed_period = member_client.get("/factures/", {"du": "2026-10-01", "au": "2026-09-01"})
    assert "avant son début" in reversed_period.content.decode()


def test_pagination(member_client, market_with_situations, monkeypatch):
    from chorusbat.books import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    first = member_client.get("/factures/", {"tri": "number"})
    assert numbers(first) == ["F2026-0093", "F2026-0107"]
    second = member_client.get("/factures/", {"tri": "number", "page": 2})
    assert numbers(second) == ["F2026-0110"]
    assert "tri=number" in first.content.decode()


def test_overdue_invoices_highlighted_filtered_and_counted(member_client, market_with_situations):
    sent("F2026-0093")  # due 30 October 2026: long passed (the tests run later than that)
    sent("F2026-0107", "MISE_EN_PAIEMENT")  # paid: never overdue
    response = member_client.get("/factures/", {"marche": market_with_situations.pk, "tri": "number"})
    flags = {row["s"].number: row["overdue"] for row in response.context["rows"]}
    assert flags == {"F2026-0093": True, "F2026-0107": False, "F2026-0110": False}
    assert 'class="overdue"' in response.content.decode()
    assert numbers(member_client.get("/factures/", {"retard": "on"})) == ["F2026-0093"]

    dashboard = member_client.get("/transmissions/")
    assert dashboard.context["unpaid_count"] == 1
    assert dashboard.context["unpaid_amount"] == Situation.objects.get(number="F2026-0093").net_amount
    assert 'id="overdue-invoices"' in dashboard.content.decode()


def test_no_overdue_block_when_everything_is_on_time(member_client, market_with_situations):
    sent("F2026-0093", status="", state="held")  # never reached Chorus Pro: the buyer's delay does not run
    dashboard = member_client.get("/transmissions/")
    assert dashboard.context["unpaid_count"] == 0
    assert 'id="overdue-invoices"' not in dashboard.content.decode()


def test_csv_export_is_what_the_filter_shows(member_client, market_with_situations):
    response = member_client.get("/factures/", {"marche": market_with_situations.pk, "statut": "validated",
                                                "tri": "number", "export": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0][:3] == ["Facture", "Date de facture", "Période"]
    assert [r[0] for r in rows[1:]] == ["F2026-0093", "F2026-0107"]
    s = Situation.objects.get(number="F2026-0107")
    assert rows[2][1] == "31/10/2026" and rows[2][9] == f"{s.net_amount:.2f}".replace(".", ",")


def test_xlsx_export(member_client, market_with_situations):
    response = member_client.get("/factures/", {"marche": market_with_situations.pk, "tri": "number",
                                                "export": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == "Facture"
    assert [v[0] for v in values[1:]] == ["F2026-0093", "F2026-0107", "F2026-0110"]
    s = Situation.objects.get(number="F2026-0093")
    assert Decimal(str(values[1][9])) == s.net_amount
    assert values[1][1].date() == datetime.date(2026, 9, 30)
    assert values[3][9] is None  # the draft has no figures yet


def test_journal_download(member_client, market_with_situations, company):
    page = member_client.get("/factures/journal-des-ventes/")
    assert page.status_code == 200 and "411000" in page.content.decode()
    fec = member_client.get("/factures/journal-des-ventes/", {"du": "2026-09-01", "au": "2026-10-31",
                                                               "format": "fec"})
    assert fec["Content-Disposition"] == 'attachment; filename="732829320FEC20261031.txt"'
    assert fec.content.decode().count("\tF2026-0093\t") >= 3
    bad = member_client.get("/factures/journal-des-ventes/", {"du": "2026-10-31", "au": "2026-09-01",
                                                               "format": "fec"})
    assert bad.status_code == 200 and "avant son début" in bad.content.decode()


def test_accounts_are_for_administrators(member_client, company):
    assert member_client.get("/factures/comptes/").status_code == 403


def test_admin_changes_accounts(admin_client, company):
    response = admin_client.post("/factures/comptes/", {
        "journal_code": "VE", "customer_account": "41100000", "retention_account": "41170000",
        "sales_account": "70400000", "vat_account": "44574000", "advance_account": "41910000",
        "penalties_account": "67110000"})
    assert response.status_code == 302
    assert AccountingSettings.objects.get(company=company).accounts().vat == "44574000"
    bad = admin_client.post("/factures/comptes/", {"journal_code": "VE", "customer_account": "411 000;x"})
    assert bad.status_code == 200 and "Lettres et chiffres" in bad.content.decode()


def test_other_company_sees_nothing(client, other_company, market_with_situations):
    from conftest import make_user

    client.force_login(make_user(other_company, "autre", "admin"))
    assert numbers(client.get("/factures/")) == []


def test_exports_never_turn_text_into_formulas(member_client, market_with_situations):
    market_with_situations.buyer_name = "=HYPERLINK(\"http://example.invalid\")"
    market_with_situations.save()
    text = member_client.get("/factures/", {"export": "csv"}).content.decode("utf-8")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert rows[1][4] == "'=HYPERLINK(\"http://example.invalid\")"
    book = load_workbook(io.BytesIO(member_client.get("/factures/", {"export": "xlsx"}).content))
    cell = book.active.cell(row=2, column=5)
    assert cell.value == "=HYPERLINK(\"http://example.invalid\")" and cell.data_type == "s"


def test_sort_by_due_date(member_client, two_markets):
    rows = member_client.get("/factures/", {"tri": "due"}).context["rows"]
    dues = [row["s"].date + datetime.timedelta(days=row["s"].market.payment_delay_days) for row in rows]
    assert dues == sorted(dues) and len(dues) >= 4
    shown = [row["s"].due for row in rows]
    assert [d if isinstance(d, datetime.date) else datetime.date.fromisoformat(str(d)[:10]) for d in shown] == dues
