"""Contract lines: one by one, and imported from CSV / XLSX with a preview, row errors and a confirmation."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from chorusbat.markets.models import ContractLine, LineImport

pytestmark = pytest.mark.django_db

DPGF_UTF8 = (
    "\ufeffRéf.;Désignation;Unité;Quantité;PU HT;TVA\n"
    "8;LOT 08 PEINTURE;;;;\n"
    "8.1;Préparation des supports;m2;1 250,5;12,40;20\n"
    "8.2;Peinture acrylique mate;m2;980;9,8;10 %\n"
    "8.3;Isolation combles;m2;120;32,5;5,5\n"
)


def upload(client, market, name, content, **fields):
    data = {"default_kind": "unitaire", "default_vat_rate": "20", **fields,
            "file": SimpleUploadedFile(name, content)}
    return client.post(reverse("markets:line_import", args=[market.pk]), data)


@pytest.fixture
def empty_market(market):
    market.lines.all().delete()
    return market


def test_csv_utf8_preview_then_confirm(admin_client, empty_market):
    response = upload(admin_client, empty_market, "dpgf.csv", DPGF_UTF8.encode("utf-8"))
    preview = response.context["preview"]
    assert preview.ok and response.context["pending"] is not None
    assert [r.values["ref"] for r in preview.lines] == ["8.1", "8.2", "8.3"]
    assert preview.lines[0].values["quantity"] == "1250.5"
    assert [r.values["vat_rate"] for r in preview.lines] == ["20", "10", "5.5"]
    assert not ContractLine.objects.filter(market=empty_market).exists()  # nothing before the confirmation

    pending = response.context["pending"]
    response = admin_client.post(reverse("markets:line_import_confirm", args=[empty_market.pk, pending.pk]))
    assert response.status_code == 302
    lines = list(empty_market.lines.all())
    assert [(l.ref, l.kind, l.unit_price, l.vat_rate) for l in lines] == [
        ("8.1", "unitaire", Decimal("12.4000"), Decimal("20.0")),
        ("8.2", "unitaire", Decimal("9.8000"), Decimal("10.0")),
        ("8.3", "unitaire", Decimal("32.5000"), Decimal("5.5")),
    ]
    empty_market.refresh_from_db()
    assert empty_market.contract_ht == Decimal("15506.20") + Decimal("9604.00") + Decimal("3900.00")
    assert not LineImport.objects.exists()


def test_csv_windows_1252_with_comma_separator_and_type_column(admin_client, empty_market):
    content = ('Référence,Libellé,Unité,Qté,Prix unitaire,Type\n'
               '1,Échafaudage façade,ens,1,"4 500,00",forfait\n'
               '2,Enduit à la chaux,m2,"85,5","42,10",U\n').encode("cp1252")
    preview = upload(admin_client, empty_market, "bpu.csv", content).context["preview"]
    assert preview.ok
    assert [r.values["label"] for r in preview.lines] == ["Échafaudage façade", "Enduit à la chaux"]
    assert [r.values["kind"] for r in preview.lines] == ["forfait", "unitaire"]
    assert [r.values["vat_rate"] for r in preview.lines] == ["20", "20"]  # the form's default


def test_xlsx_import(admin_client, empty_market):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["DPGF — Lot 08"])
    sheet.append([])
    sheet.append(["N°", "Désignation des ouvrages", "U", "Quantité", "Prix unitaire € HT", "Taux TVA"])
    sheet.append(["8.1", "Préparation", "m2", 1250.5, 12.4, 20])
    sheet.append(["8.2", "Peinture", "m2", 980, 9.350000000000001, 10])
    buffer = io.BytesIO()
    workbook.save(buffer)
    preview = upload(admin_client, empty_market, "dpgf.xlsx", buffer.getvalue()).context["preview"]
    assert preview.ok, [r.errors for r in preview.rows]
    assert [(r.row_number, r.values["unit_price"]) for r in preview.lines] == [(4, "12.4"), (5, "9.35")]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("lignes.csv", "Réf;Désignation;Quantité\n1;Peinture;3\n".encode(),
         "Colonnes manquantes : unité, prix unitaire."),
        ("lignes.xlsx", b"ref;label\n1;x\n", "n'est pas un classeur XLSX valide"),
        ("lignes.xlsx", b"PK\x03\x04 truncated zip", "n'est pas un classeur XLSX valide"),
        ("lignes.csv", b"\x81\x8d\x8f\x90\x9d", "Encodage du texte non reconnu"),
        ("lignes.csv", b"\x00\x01\x02binary", "ni un fichier texte CSV ni un classeur XLSX"),
        ("lignes.xls", b"\xd0\xcf\x11\xe0", "anciens fichiers Excel (.xls)"),
        ("lignes.csv", b"", "Le fichier soumis est vide."),
        ("lignes.csv", b"\n;;\n", "Ce fichier est vide."),
    ],
)
def test_unusable_files_get_a_clear_message_and_nothing_is_kept(admin_client, empty_market, name, content, message):
    response = upload(admin_client, empty_market, name, content)
    errors = response.context["form"].errors["file"]
    assert message in errors[0], errors
    assert response.context["preview"] is None
    assert not LineImport.objects.exists() and not empty_market.lines.exists()


def test_a_zip_that_is_not_a_workbook_is_refused(admin_client, empty_market):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    response = upload(admin_client, empty_market, "lignes.xlsx", buffer.getvalue())
    assert "n'est pas un classeur XLSX valide" in response.context["form"].errors["file"][0]


def test_row_errors_are_shown_and_nothing_can_be_imported(admin_client, market):
    content = ("Réf;Désignation;Unité;Quantité;PU;TVA\n"
               "9.1;Ligne correcte;m2;10;5;20\n"
               "9.2;Lettres;m2;dix;5;20\n"
               "9.3;Trop de décimales;m2;1;1,23456;20\n"
               "9.1;Doublon dans le fichier;m2;1;1;20\n"
               "7.1;Existe déjà dans le marché;m2;1;1;20\n"
               "9.4;TVA inconnue;m2;1;1;19,6\n"
               "9.5;Négatif;m2;-1;1;20\n"
               "9.6;Infini;m2;1e309;1;20\n"
               ";Sans référence;m2;1;1;20\n").encode()
    response = upload(admin_client, market, "bpu.csv", content)
    preview = response.context["preview"]
    assert not preview.ok and response.context["pending"] is None
    errors = {r.row_number: " ".join(r.errors) for r in preview.rows if r.errors}
    assert set(errors) == {3, 4, 5, 6, 7, 8, 9, 10}
    assert "Saisissez un nombre, par exemple 12,5." in errors[3]
    assert "4 chiffres après la virgule" in errors[4]
    assert "déjà une ligne de référence 9.1" in errors[5]
    assert "déjà une ligne de référence 7.1" in errors[6]
    assert "Taux de TVA inconnu 19,6" in errors[7]
    assert "supérieure ou égale à 0" in errors[8]
    assert "Saisissez un nombre" in errors[9]
    assert "obligatoire" in errors[10]
    assert "comportent des erreurs" in response.content.decode()
    assert market.lines.count() == 3 and not LineImport.objects.exists()


def test_a_file_above_20_mb_is_refused_before_being_read(admin_client, empty_market):
    big = b"ref;label;unit;quantity;unit price\n" + b"x" * (20 * 1024 * 1024 + 1)
    response = upload(admin_client, empty_market, "enorme.csv", big)
    assert response.context["form"].errors["file"] == ["Ce fichier dépasse 20 Mo : il est refusé."]
    assert not LineImport.objects.exists()


def test_import_is_for_administrators_with_csrf(member_client, admin_user, empty_market):
    assert upload(member_client, empty_market, "dpgf.csv", DPGF_UTF8.encode()).status_code == 403
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    assert upload(client, empty_market, "dpgf.csv", DPGF_UTF8.encode()).status_code == 403
    assert not LineImport.objects.exists()


def test_confirming_someone_elses_import_is_a_404(admin_client, member_user, empty_market):
    pending = LineImport.objects.create(market=empty_market, created_by=member_user, filename="x.csv",
                                        rows=[{"ref": "1", "label": "x", "kind": "forfait", "unit": "ens",
                                               "unit_price": "1", "quantity": "1", "vat_rate": "20"}])
    url = reverse("markets:line_import_confirm", args=[empty_market.pk, pending.pk])
    assert admin_client.post(url).status_code == 404
    assert not empty_market.lines.exists()


def test_confirm_refuses_references_added_meanwhile(admin_client, empty_market):
    pending = upload(admin_client, empty_market, "dpgf.csv", DPGF_UTF8.encode()).context["pending"]
    ContractLine.objects.create(market=empty_market, ref="8.2", label="x", unit="m2", unit_price=1, quantity=1,
                                vat_rate=20)
    response = admin_client.post(reverse("markets:line_import_confirm", args=[empty_market.pk, pending.pk]),
                                 follow=True)
    assert "Ces références existent maintenant dans le marché : 8.2." in response.content.decode()
    assert empty_market.lines.count() == 1


# ----------------------------------------------------------------------------------------------- one by one


def line_data(**overrides):
    return {"ref": "7.4", "label": "Lasure portail", "kind": "forfait", "unit": "ens", "unit_price": "1 250,5",
            "quantity": "1", "vat_rate": "5,5", "action": "save", **overrides}


def test_admin_adds_a_line_with_french_decimals(admin_client, market):
    response = admin_client.post(reverse("markets:line_create", args=[market.pk]), line_data())
    assert response.status_code == 302
    line = market.lines.get(ref="7.4")
    assert (line.unit_price, line.vat_rate, line.position) == (Decimal("1250.5"), Decimal("5.5"), 4)
    market.refresh_from_db()
    assert market.contract_ht == Decimal("28270.00") + Decimal("1250.50")


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"ref": "7.1"}, "ref", "déjà une ligne de référence 7.1"),
        ({"unit_price": "12,34567"}, "unit_price", "4 chiffres après la virgule"),
        ({"unit_price": "abc"}, "unit_price", "Saisissez un nombre"),
        ({"quantity": "NaN"}, "quantity", "Saisissez un nombre"),
        ({"vat_rate": "7"}, "vat_rate", "Taux de TVA inconnu 7"),
        ({"kind": "global"}, "kind", "choix valide"),
    ],
)
def test_bad_line_input(admin_client, market, overrides, field, message):
    response = admin_client.post(reverse("markets:line_create", args=[market.pk]), line_data(**overrides))
    assert message in " ".join(response.context["form"].errors[field])
    assert market.lines.count() == 3


def test_lines_are_frozen_once_a_situation_is_validated(admin_client, market_with_situations):
    market = market_with_situations
    line = market.lines.get(ref="7.3")
    for url in (reverse("markets:line_create", args=[market.pk]),
                reverse("markets:line_edit", args=[market.pk, line.pk]),
                reverse("markets:line_delete", args=[market.pk, line.pk]),
                reverse("markets:line_import", args=[market.pk])):
        response = admin_client.post(url, line_data(ref="7.9"), follow=True)
        assert "figées" in response.content.decode()
    assert market.lines.count() == 3
    assert market.lines.get(ref="7.3").unit_price == Decimal("9.35")


def test_member_cannot_change_lines(member_client, market):
    assert member_client.post(reverse("markets:line_create", args=[market.pk]), line_data()).status_code == 403
    line = market.lines.first()
    assert member_client.post(reverse("markets:line_delete", args=[market.pk, line.pk])).status_code == 403
    assert market.lines.count() == 3
