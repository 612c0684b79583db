"""Late-payment interest from the database: payment date from the Chorus Pro history, the summary screen, the
claim PDF, the ECB rates screen, ``chorusbat interest`` and the demo."""

from __future__ import annotations

import datetime
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from chorusbat.contracts.demo import create_demo_late_payment
from chorusbat.contracts.interest import late_invoices, payment_date
from chorusbat.contracts.models import EcbRate
from chorusbat.gateway.models import ChorusStatusChange, Transmission
from chorusbat.markets.tests.fixtures import market_with_situations  # noqa: F401
from chorusbat.situations.models import Situation

pytestmark = pytest.mark.django_db


def paid(number: str, on: datetime.datetime, status: str = "MISE_EN_PAIEMENT") -> Transmission:
    s = Situation.objects.get(number=number)
    t = Transmission.objects.create(company=s.company, situation=s, state="integrated", chorus_status=status,
                                    chorus_status_at=timezone.now())
    ChorusStatusChange.objects.create(transmission=t, status="DEPOSEE", at=timezone.make_aware(
        datetime.datetime.combine(s.date, datetime.time(9))))
    ChorusStatusChange.objects.create(transmission=t, status=status, at=on)
    return t


def paris(*args) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(*args))


def test_shipped_ecb_rates():
    table = EcbRate.table()
    assert table[datetime.date(2023, 7, 1)] == Decimal("4.00") and table[datetime.date(2025, 1, 1)] == Decimal("3.15")
    assert len(table) == 16 and all(day.day == 1 and day.month in (1, 7) for day in table)


def test_payment_date_is_the_paris_day_of_mise_en_paiement(market_with_situations):
    # 23:30 UTC on 15 November is already 16 November in Paris.
    t = paid("F2026-0093", datetime.datetime(2026, 11, 15, 23, 30, tzinfo=datetime.UTC))
    assert payment_date(t.situation) == datetime.date(2026, 11, 16)


def test_late_invoices_and_on_time_ones(market_with_situations):
    paid("F2026-0093", paris(2026, 11, 16, 10))  # due 30/10/2026: 17 days late
    paid("F2026-0107", paris(2026, 11, 30, 10))  # due 30/11/2026: on time
    rows = late_invoices(market_with_situations.company)
    assert [r.situation.number for r in rows] == ["F2026-0093"]
    result = rows[0].result
    # 12 786.01 × 10.15 % × 17 / 365 = 60.4445… → 60.44
    assert (result.days_late, result.rate, result.interest, result.indemnity) == (
        17, Decimal("10.15"), Decimal("60.44"), Decimal("40.00"))


def test_not_yet_paid_invoice_is_not_listed(market_with_situations):
    paid("F2026-0093", paris(2026, 12, 1, 10), status="SERVICE_FAIT")
    assert late_invoices(market_with_situations.company) == []


def test_missing_rate_is_said_not_guessed(market_with_situations, member_client):
    EcbRate.objects.filter(half_year=datetime.date(2026, 7, 1)).delete()
    paid("F2026-0093", paris(2026, 11, 16, 10))
    rows = late_invoices(market_with_situations.company)
    assert rows[0].result is None and rows[0].missing_rate is not None
    page = member_client.get("/contrats/interets-moratoires/")
    assert "01/07/2026" in page.content.decode()
    assert member_client.get(f"/contrats/interets-moratoires/{rows[0].situation.pk}/reclamation.pdf").status_code == 404


def test_summary_screen_and_claim_pdf(market_with_situations, member_client):
    t = paid("F2026-0093", paris(2026, 11, 16, 10))
    page = member_client.get("/contrats/interets-moratoires/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Ville de Nantes" in html and "F2026-0093" in html and "60,44" in html and "100,44" in html
    pdf = member_client.get(f"/contrats/interets-moratoires/{t.situation.pk}/reclamation.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    from pypdf import PdfReader

    text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    for expected in ("F2026-0093", "60,44", "100,44", "10,15", "30/10/2026", "16/11/2026"):
        assert expected in text
    # Not late: no claim.
    on_time = paid("F2026-0107", paris(2026, 11, 20, 10))
    assert member_client.get(f"/contrats/interets-moratoires/{on_time.situation.pk}/reclamation.pdf").status_code == 404


def test_claims_of_another_company_are_out_of_reach(market_with_situations, client, other_company):
    from conftest import make_user

    t = paid("F2026-0093", paris(2026, 11, 16, 10))
    client.force_login(make_user(other_company, "intrus", "admin"))
    assert client.get(f"/contrats/interets-moratoires/{t.situation.pk}/reclamation.pdf").status_code == 404
    assert "F2026-0093" not in client.get("/contrats/interets-moratoires/").content.decode()


def test_ecb_rates_screen_admin_edits_member_reads(admin_client, member_user, client):
    page = admin_client.get("/contrats/taux-bce/")
    assert page.status_code == 200 and "12,00" in page.content.decode()  # 2023-H2: 4,00 + 8
    bad = admin_client.post("/contrats/taux-bce/", {"year": "2027", "half": "7", "rate": "abc"})
    assert bad.status_code == 200 and bad.context["form"].errors
    saved = admin_client.post("/contrats/taux-bce/", {"year": "2027", "half": "1", "rate": "1,90"})
    assert saved.status_code == 302
    assert EcbRate.table()[datetime.date(2027, 1, 1)] == Decimal("1.90")
    admin_client.post("/contrats/taux-bce/", {"year": "2027", "half": "1", "rate": "2"})
    assert EcbRate.objects.get(half_year=datetime.date(2027, 1, 1)).rate == Decimal("2.00")

    client.force_login(member_user)
    page = client.get("/contrats/taux-bce/")
    assert page.status_code == 200 and "ecb-rate-form" not in page.content.decode()
    assert client.post("/contrats/taux-bce/", {"year": "2028", "half": "1", "rate": "1"}).status_code == 403
    assert datetime.date(2028, 1, 1) not in EcbRate.table()


def test_command_prints_late_invoices_as_json(market_with_situations, capsys):
    paid("F2026-0093", paris(2026, 11, 16, 10))
    out = io.StringIO()
    call_command("interest", "--company", "732 829 320 00074", stdout=out)
    data = json.loads(out.getvalue())
    assert data["late_invoices"] == [{
        "invoice": "F2026-0093", "invoice_date": "2026-09-30", "market": "2026-TX-004", "buyer": "Ville de Nantes",
        "buyer_siret": "21440109300015", "due_date": "2026-10-30", "paid_on": "2026-11-16", "days_late": 17,
        "ecb_rate": "2.15", "rate": "10.15", "principal": "12786.01", "interest": "60.44", "indemnity": "40.00",
        "total": "100.44"}]
    with pytest.raises(SystemExit) as exit_:
        call_command("interest", "--company", "00000000000000")
    assert exit_.value.code == 2 and "Aucune entreprise" in capsys.readouterr().err


def test_demo_has_one_late_invoice_with_its_claim(company, admin_user, member_client):
    market = create_demo_late_payment(company, admin_user)
    assert create_demo_late_payment(company, admin_user) == market  # idempotent
    [row] = late_invoices(company)
    assert row.situation.number == "F2026-0061" and row.situation.net_amount == Decimal("11593.80")
    # 11 593.80 × 10.15 % × 46 / 365 = 148.3053… → 148.31
    assert (row.due_date, row.paid_on, row.result.days_late, row.result.interest) == (
        datetime.date(2026, 7, 30), datetime.date(2026, 9, 14), 46, Decimal("148.31"))
    assert member_client.get(f"/contrats/interets-moratoires/{row.situation.pk}/reclamation.pdf").status_code == 200
