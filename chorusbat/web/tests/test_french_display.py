"""Issue 12, points 8 and 11: French formatting everywhere, and Chorus Pro's English messages explained."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from chorusbat.web import french_format


def test_formats():
    assert french_format.month_year(datetime.date(2026, 11, 1)) == "novembre 2026"
    assert french_format.month_year("2026-06") == "juin 2026"
    assert french_format.short_month(datetime.date(2026, 6, 1)) == "juin 26"
    assert french_format.short_month(datetime.date(2026, 7, 1)) == "juil. 26"
    assert french_format.day_month_year(datetime.date(2026, 12, 1)) == "1er décembre 2026"
    assert french_format.day_month_year(datetime.date(2026, 12, 2)) == "2 décembre 2026"
    assert french_format.siret("73282932000074") == "732 829 320 00074"
    assert french_format.iban("FR7630006000011234567890189") == "FR76 3000 6000 0112 3456 7890 189"
    assert french_format.quantity(Decimal("12500.5000"), "m2") == "12\u202f500,5\u00a0m²"
    assert french_format.quantity(Decimal("1E+3"), "m3") == "1\u202f000\u00a0m³"
    assert french_format.quantity(Decimal("0")) == "0"


def test_english_chorus_messages_get_a_french_explanation():
    known = "Consistency checks performed on the payment request are not valid"
    assert "incohérents" in french_format.explain_english(known)
    assert "anglais" in french_format.explain_english("The invoice number is not unique for this supplier")
    assert french_format.explain_english("Pièces justificatives manquantes") == ""
    assert french_format.explain_english("") == ""


@pytest.mark.django_db
def test_pages_show_french_formats_and_explanations(admin_client, company, admin_user):
    from chorusbat.gateway.models import Transmission
    from chorusbat.situations.demo import create_demo_markets
    from chorusbat.situations.models import Situation

    market = create_demo_markets(company, admin_user)[0]
    validated = Situation.objects.filter(market=market, status="validated").order_by("period").first()
    Transmission.objects.create(company=company, situation=validated, state=Transmission.State.FAILED,
                                reason="Chorus Pro a rejeté le fichier : Header synthesis is not correct")
    detail = admin_client.get(reverse("markets:detail", args=[market.pk])).content.decode()
    assert "214 401 093 00015" in detail and "1er septembre 2026" in detail
    assert "m²" in detail and "septembre 2026" in detail
    from chorusbat.invoicing.services import ready_document

    ready_document(validated)  # what the worker's task does after validation: the page then shows its details
    page = admin_client.get(reverse("situations:detail", args=[validated.pk])).content.decode()
    assert "septembre 2026" in page and "2026-09" not in page.split('id="situation-period"')[1][:40]
    assert "(en français : Le récapitulatif en tête de facture (totaux) est incorrect.)" in page
    assert 'id="technical-details"' in page or "Détails techniques" in page
    listing = admin_client.get(reverse("situations:list", args=[market.pk])).content.decode()
    assert "septembre 2026" in listing and "octobre 2026" in listing
    dashboard = admin_client.get(reverse("gateway:dashboard")).content.decode()
    assert "(en français :" in dashboard
    assert 'rel="icon"' in dashboard
