"""``render_situation_file`` (behind ``chorusbat situation render``), the situation-file reader, text helpers."""

from __future__ import annotations

import io
import json
from decimal import Decimal

import pytest

from chorusbat.facturx import InvoiceDataError, invoice_data_from_situation_file, validate
from chorusbat.facturx.file_render import render_situation_file, safe_filename
from chorusbat.facturx.text import clean_text, fr_money, fr_number, xml_amount

from .factories import EXAMPLE, example_file, invoices, line, simple_file

EXPECTED = EXAMPLE.with_name("situation-file.example.expected.json")


def run(path, out_dir) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = render_situation_file(str(path), str(out_dir), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_render_writes_one_valid_pdf_and_xml_per_situation(tmp_path):
    code, out, err = run(EXAMPLE, tmp_path / "out")
    assert code == 0, err
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "F2026-0093.pdf", "F2026-0093.xml", "F2026-0107.pdf", "F2026-0107.xml"]
    assert "2 facture(s) Factur-X" in out
    for data in invoices(example_file()):
        assert validate((tmp_path / "out" / f"{data.invoice_number}.pdf").read_bytes(), data).ok
        assert (tmp_path / "out" / f"{data.invoice_number}.xml").read_bytes().startswith(b"<?xml")


def test_render_refuses_an_unreadable_or_invalid_file_with_exit_2(tmp_path):
    code, _out, err = run(tmp_path / "absent.json", tmp_path)
    assert code == 2 and "introuvable" in err
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    assert run(broken, tmp_path)[0] == 2
    invalid = tmp_path / "invalid.json"
    data = example_file()
    data["situations"][0]["progress"]["7.1"] = "140"
    invalid.write_text(json.dumps(data))
    code, _out, err = run(invalid, tmp_path / "out")
    assert code == 2 and "invalide" in err
    assert not (tmp_path / "out").exists()


def test_render_exits_2_with_the_report_when_a_document_fails_the_gate(tmp_path):
    data = example_file()
    data["situations"][1]["number"] = "F2026 0107"  # a space: French rule BR-FR-02 on BT-1
    path = tmp_path / "file.json"
    path.write_text(json.dumps(data))
    code, out, err = run(path, tmp_path / "out")
    assert code == 2
    assert "BR-FR-02_BT-1" in err and "NON CONFORME" in err
    assert "F2026-0093" in out  # the valid one is written, the failed one is not
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["F2026-0093.pdf", "F2026-0093.xml"]


def test_render_exits_2_without_iban(tmp_path):
    data = example_file()
    del data["supplier"]["iban"]
    path = tmp_path / "file.json"
    path.write_text(json.dumps(data))
    code, _out, err = run(path, tmp_path / "out")
    assert code == 2 and "IBAN" in err


def test_reader_matches_the_reference_output():
    data = invoice_data_from_situation_file(example_file(), json.loads(EXPECTED.read_text()), 1)
    assert (data.a, data.d, data.b, data.ttc, data.net) == (
        Decimal("17454.43"), Decimal("174.54"), Decimal("3350.62"), Decimal("20979.59"), Decimal("16406.91"))
    assert data.penalties[0].label == "Retard remise DOE" and data.c == Decimal("150.00")
    assert data.original_invoice_number == "F2026-0093"
    assert [line.progress for line in data.lines] == [Decimal("100"), Decimal("310"), Decimal("185.5")]
    with pytest.raises(InvoiceDataError, match="n° 5"):
        invoice_data_from_situation_file(example_file(), json.loads(EXPECTED.read_text()), 5)


def test_parties_addresses_are_read_when_given():
    file_data = simple_file([line("1")], [{"1": "10"}])
    file_data["supplier"]["address"] = {"line1": "3 rue des Peintres", "postcode": "44000", "city": "Nantes"}
    data = invoices(file_data)[0]
    assert data.supplier.address.city == "Nantes" and data.buyer.address.country_code == "FR"


def test_text_helpers():
    assert clean_text(" a\x00b\x07\tc\n\nd\x85 ") == "ab c d"
    assert fr_money(Decimal("1234567.5")) == "1\u00a0234\u00a0567,50\u00a0€"
    assert fr_money(Decimal("-0.004")) == "0,00\u00a0€"
    assert fr_number(Decimal("185.500"), None) == "185,5"
    assert xml_amount(Decimal("-0.00")) == "0.00" and xml_amount(Decimal("-12.5")) == "-12.50"
    assert safe_filename("F2026/0093 bis") == "F2026_0093_bis"


def test_demo_housing_market_situation_passes_the_gate():
    """The validated situation of the second demo market (A4, MOE, no EJ, no revision, three rates)."""
    from chorusbat.facturx import build_facturx

    file_data = simple_file(
        [line("8.1", "Installation et repli de chantier", "10", "forfait", "3200.00", "1"),
         line("8.2", "Peinture murs et plafonds des logements", "10", "unitaire", "14.80", "2400"),
         line("8.3", "Isolation thermique des combles perdus", "5.5", "unitaire", "32.50", "380"),
         line("8.4", "Peinture du local commercial en rez-de-chaussée", "20", "forfait", "6400.00", "1")],
        [{"8.1": "50", "8.2": "600"}],
        framework="A4", number="OPH44-2026-017", advance={"rate": "0.05"},
    )
    del file_data["market"]["revision"], file_data["market"]["engagement"], file_data["situations"][0]["index"]
    file_data["buyer"] = {"name": "Office public de l'habitat Loire-Atlantique", "siret": "27440045600019",
                          "service_code": "MAITRISE_OUVRAGE"}
    file_data["moe"] = {"name": "Atelier d'architecture Ouest", "siret": "44306184100013"}
    data = invoices(file_data)[0]
    assert data.moe is not None and data.framework == "A4"
    assert build_facturx(data).report.ok


def test_a_situation_after_an_amendment_is_invoiced_at_the_prices_in_force(tmp_path):
    """The lines an amendment adds and the prices it changes reach the invoice from its month on (the engine's
    rule, :func:`chorusbat.engine.amendments.lines_at`), and the document passes the gate."""
    data = example_file()
    data["market"]["amendments"] = [{
        "number": "1", "period": "2026-10", "date": "2026-10-05", "object": "Sol souple porté à 50 €/m²",
        "lines": [{"ref": "7.4", "label": "Reprise des plinthes du préau", "kind": "forfait", "unit": "ens",
                   "unit_price": "800.00", "quantity": "1", "vat_rate": "20", "extra_work": True}],
        "changes": [{"ref": "7.2", "unit_price": "50.00"}],
    }]
    data["situations"][1]["progress"]["7.4"] = "50"
    september, october = invoices(data)
    assert {line.ref: line.unit_price for line in september.lines}.get("7.2", Decimal("48.00")) == Decimal("48.00")
    by_ref = {line.ref: line for line in october.lines}
    assert by_ref["7.2"].unit_price == Decimal("50.00")
    assert by_ref["7.4"].label == "Reprise des plinthes du préau" and by_ref["7.4"].cumulative == Decimal("400.00")
    path = tmp_path / "amended.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    code, _out, err = run(path, tmp_path / "out")
    assert code == 0, err
