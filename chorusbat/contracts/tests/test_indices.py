"""Index series: the INSEE file layout, the table screens, and the In a situation takes from the table."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from chorusbat.contracts import insee
from chorusbat.contracts.indices import index_for, shift_months
from chorusbat.contracts.models import IndexValue
from chorusbat.markets.tests.fixtures import market, market_with_situations  # noqa: F401
from chorusbat.situations.models import Situation

SAMPLE = Path(__file__).parent / "data" / "insee-bt46-sample.csv"
d = datetime.date


# ------------------------------------------------------------------------------------------- the file layout


def test_parse_the_insee_sample():
    series = insee.parse(SAMPLE.read_bytes())
    assert (series.series, series.idbank) == ("BT46", "001710998")
    assert [(p.month, p.value, p.provisional) for p in series.points] == [
        (d(2026, 5, 1), Decimal("118.6"), False), (d(2026, 6, 1), Decimal("118.9"), False),
        (d(2026, 7, 1), Decimal("119.0"), True), (d(2026, 8, 1), Decimal("119.7"), True),
        (d(2026, 9, 1), Decimal("120.4"), True),
    ]


def test_parse_windows_1252_two_columns_and_decimal_comma():
    text = ('"Libellé";"Indice TP01 (TP01)"\n"Période";""\n"2025-01";"130,5"\n\n"2025-02";"131"\n')
    series = insee.parse(text.encode("cp1252"))
    assert series.series == "TP01"
    assert [(p.value, p.provisional) for p in series.points] == [(Decimal("130.5"), False), (Decimal("131"), False)]


@pytest.mark.parametrize("content, message", [
    (b"", "Ligne « Période » introuvable"),
    (b"reference;label;kind\nL1;Peinture;forfait\n", "Ligne « Période » introuvable"),
    ('"Période";"Valeur"\n'.encode(), "aucune valeur"),
    ('"Période";"Valeur"\n"2026-13";"120"\n'.encode(), "Ligne 2 : période « 2026-13 » illisible"),
    ('"Période";"Valeur"\n"2026-01";"abc"\n'.encode(), "Ligne 2 : valeur « abc » illisible"),
    ('"Période";"Valeur"\n"2026-01";"NaN"\n'.encode(), "illisible"),
    ('"Période";"Valeur"\n"2026-01";"0"\n'.encode(), "hors des limites"),
    ('"Période";"Valeur"\n"2026-01";"120.12345"\n'.encode(), "hors des limites"),
    ('"Période";"Valeur"\n"2026-01";"120";"X"\n'.encode(), "code « X » inconnu"),
    ('"Période";"Valeur"\n"2026-01";"120"\n"2026-01";"121"\n'.encode(), "apparaît deux fois"),
    (b'"2026-01";"120"\n', "avant la ligne d'en-tête"),
    (b"\x00\x01binary", "pas un fichier texte"),
])
def test_parse_refuses_with_a_clear_message(content, message):
    with pytest.raises(insee.InseeFileError) as error:
        insee.parse(content)
    assert message in str(error.value)


def test_shift_months():
    assert shift_months(d(2026, 3, 1), 3) == d(2025, 12, 1) and shift_months(d(2026, 3, 1), 0) == d(2026, 3, 1)


# ---------------------------------------------------------------------------------------------- the screen


@pytest.mark.django_db
def test_admin_imports_the_insee_file_then_a_newer_one(admin_client, admin_user):
    upload = SimpleUploadedFile("valeurs_mensuelles.csv", SAMPLE.read_bytes(), content_type="text/csv")
    response = admin_client.post("/contrats/indices/", {"action": "import", "import-file": upload})
    assert response.status_code == 302 and response["Location"].endswith("?serie=BT46")
    assert IndexValue.objects.filter(series="BT46").count() == 5
    row = IndexValue.objects.get(series="BT46", month=d(2026, 9, 1))
    assert (row.value, row.provisional, row.source, row.updated_by) == (Decimal("120.4"), True, "import", admin_user)
    # September becomes definitive with a revised value; October arrives.
    newer = '"Libellé";"(BT46)"\n"Période";"Valeur";"Codes"\n"2026-10";"121.0";"P"\n"2026-09";"120.5";"A"\n"2026-08";"119.7";"P"\n'
    admin_client.post("/contrats/indices/", {"action": "import", "import-series": "bt46",
                                             "import-file": SimpleUploadedFile("x.csv", newer.encode())})
    row.refresh_from_db()
    assert (row.value, row.provisional) == (Decimal("120.5"), False)
    assert IndexValue.objects.filter(series="BT46").count() == 6
    page = admin_client.get("/contrats/indices/?serie=BT46")
    html = page.content.decode()
    assert "120,5" in html and "octobre 2026" in html and "provisoire" in html


@pytest.mark.django_db
def test_import_errors_are_shown_and_nothing_is_written(admin_client):
    bad = SimpleUploadedFile("x.csv", '"Période";"Valeur"\n"2026-01";"abc"\n'.encode())
    response = admin_client.post("/contrats/indices/", {"action": "import", "import-series": "BT01",
                                                        "import-file": bad})
    assert response.status_code == 200 and "illisible" in response.content.decode()
    mismatch = SimpleUploadedFile("x.csv", SAMPLE.read_bytes())
    response = admin_client.post("/contrats/indices/", {"action": "import", "import-series": "BT01",
                                                        "import-file": mismatch})
    assert "BT46" in str(response.context["import_form"].errors["series"])
    unnamed = SimpleUploadedFile("x.csv", '"Période";"Valeur"\n"2026-01";"120"\n'.encode())
    response = admin_client.post("/contrats/indices/", {"action": "import", "import-file": unnamed})
    assert response.context["import_form"].errors["series"]
    assert not IndexValue.objects.exists()


@pytest.mark.django_db
def test_admin_types_a_value_member_only_reads(admin_client, member_user, client):
    response = admin_client.post("/contrats/indices/", {"action": "value", "value-series": "TP10a",
                                                        "value-month": "2026-04", "value-value": "127,3",
                                                        "value-provisional": "on"})
    assert response.status_code == 302
    row = IndexValue.objects.get()
    assert (row.series, row.month, row.value, row.provisional, row.source) == (
        "TP10A", d(2026, 4, 1), Decimal("127.3"), True, "manual")
    bad = admin_client.post("/contrats/indices/", {"action": "value", "value-series": "TP10A",
                                                   "value-month": "avril", "value-value": "-1"})
    assert set(bad.context["value_form"].errors) == {"month", "value"}
    client.force_login(member_user)
    page = client.get("/contrats/indices/")
    assert page.status_code == 200 and "index-import" not in page.content.decode()
    assert client.post("/contrats/indices/", {"action": "value", "value-series": "BT01", "value-month": "2026-04",
                                              "value-value": "1"}).status_code == 403


# ------------------------------------------------------------------------------------------ the situations


FORM = {"number": "F2026-0093", "period": "2026-09", "date": "2026-09-30", "advance_paid": "0",
        "line_7_1": "45", "line_7_2": "120", "line_7_3": "0"}


def form_data(market, **changes):
    lines = {line.ref: line.pk for line in market.lines.all()}
    data = {**FORM, **changes}
    for ref, pk in lines.items():
        key = "line_" + ref.replace(".", "_")
        if key in data:
            data[f"line_{pk}"] = data.pop(key)
    return data


@pytest.mark.django_db
def test_lookup_uses_the_market_lag_and_says_provisional_or_missing(market):
    IndexValue.objects.create(series="BT46", month=d(2026, 6, 1), value=Decimal("118.9"))
    IndexValue.objects.create(series="BT46", month=d(2026, 9, 1), value=Decimal("120.4"), provisional=True)
    same = index_for(market, d(2026, 9, 1))
    assert (same.month, same.value, same.provisional) == (d(2026, 9, 1), Decimal("120.4"), True)
    market.revision_index_lag_months = 3
    lagged = index_for(market, d(2026, 9, 1))
    assert (lagged.month, lagged.value, lagged.provisional) == (d(2026, 6, 1), Decimal("118.9"), False)
    assert index_for(market, d(2026, 10, 1)).missing
    market.revision_base_index = None
    assert index_for(market, d(2026, 9, 1)) is None  # firm prices: no index


@pytest.mark.django_db
def test_situation_form_prefills_in_from_the_table_and_keeps_manual_entry(admin_client, admin_user, market):
    from chorusbat.situations.services import validate_situation

    IndexValue.objects.create(series="BT46", month=d(2026, 9, 1), value=Decimal("119.0"), provisional=True)
    page = admin_client.get(f"/situations/marche/{market.pk}/nouvelle/")
    assert page.context["form"].initial["index_value"] == Decimal("119.0")
    assert "provisoire" in page.content.decode()
    # Left empty: taken from the table.
    response = admin_client.post(f"/situations/marche/{market.pk}/nouvelle/", form_data(market, index_value=""))
    assert response.status_code == 302, response.context["form"].errors
    first = Situation.objects.get(number="F2026-0093")
    assert first.index_value == Decimal("119.0")
    detail = admin_client.get(f"/situations/{first.pk}/").content.decode()
    assert "BT46" in detail and "provisoire" in detail
    validate_situation(first, admin_user)
    # Typed by hand: the typed value wins; the page says the table differs. No value for October: said so.
    response = admin_client.post(f"/situations/marche/{market.pk}/nouvelle/", form_data(
        market, number="F2026-0094", period="2026-10", date="2026-10-31", index_value="119,7", line_7_1="100"))
    assert response.status_code == 302
    second = Situation.objects.get(number="F2026-0094")
    assert second.index_value == Decimal("119.7")
    assert "aucune valeur" in admin_client.get(f"/situations/{second.pk}/").content.decode()
    validate_situation(second, admin_user)
    # Without a value in the table nor typed: the index is still required.
    response = admin_client.post(f"/situations/marche/{market.pk}/nouvelle/", form_data(
        market, number="F2026-0095", period="2026-11", date="2026-11-30", index_value="", line_7_1="100"))
    assert response.status_code == 200 and "index_value" in response.context["form"].errors


@pytest.mark.django_db
def test_a_draft_without_index_is_prefilled_and_a_site_manager_may_still_leave_it_empty(
        member_client, admin_user, market):
    from django.test import Client

    IndexValue.objects.create(series="BT46", month=d(2026, 8, 1), value=Decimal("118.0"))  # the series is known
    response = member_client.post(f"/situations/marche/{market.pk}/nouvelle/", form_data(market, index_value=""))
    assert response.status_code == 302  # no value for September: the administrator enters it later
    draft = Situation.objects.get(number="F2026-0093")
    assert draft.index_value is None
    IndexValue.objects.create(series="BT46", month=d(2026, 9, 1), value=Decimal("119.0"))
    admin = Client()
    admin.force_login(admin_user)
    page = admin.get(f"/situations/{draft.pk}/modifier/")
    assert page.context["form"].accountant and page.context["form"].initial["index_value"] == Decimal("119.0")
