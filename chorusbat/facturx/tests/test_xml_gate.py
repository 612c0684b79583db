"""The EN 16931 XML and the validation gate (XSD, both schematrons, consistency), without the PDF."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from lxml import etree

from chorusbat.facturx import (
    FR_CTC_NOT_APPLICABLE,
    InvoiceDataError,
    ValidatorUnavailable,
    build_xml,
    gate,
    schematron,
    validate_xml,
)
from chorusbat.facturx.mapping import invoice_lines
from chorusbat.facturx.xml_builder import NSMAP

from .factories import example_file, invoices, line, simple_file, situation_files

SUMMATION = "//ram:SpecifiedTradeSettlementHeaderMonetarySummation/"


def xpath(xml: bytes, path: str) -> list[str]:
    return [str(v) for v in etree.fromstring(xml).xpath(path, namespaces=NSMAP)]


def assert_valid(data) -> bytes:
    xml = build_xml(data)
    report = validate_xml(xml, data)
    assert report.ok, str(report)
    assert len(report.checks) == 4
    assert {issue.rule for issue in report.waived} <= set(FR_CTC_NOT_APPLICABLE)
    return xml


def test_example_situations_are_valid_and_carry_the_engine_figures():
    first, second = invoices(example_file())
    xml = assert_valid(second)
    assert xpath(xml, "//rsm:ExchangedDocument/ram:TypeCode/text()") == ["380"]
    assert xpath(xml, "//ram:BuyerReference/text()") == ["DIR_BATIMENTS"]
    assert xpath(xml, "//ram:ContractReferencedDocument/ram:IssuerAssignedID/text()") == ["2026-TX-004"]
    assert xpath(xml, "//ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID/text()") == ["1300045678"]
    assert xpath(xml, "//ram:SellerTradeParty/ram:SpecifiedLegalOrganization/ram:ID/@schemeID") == ["0009"]
    assert xpath(xml, "//ram:BuyerTradeParty/ram:SpecifiedLegalOrganization/ram:ID/text()") == ["21440109300015"]
    assert xpath(xml, "//ram:SpecifiedTradeSettlementPaymentMeans/ram:TypeCode/text()") == ["58"]
    assert xpath(xml, "//ram:IBANID/text()") == ["FR7630006000011234567890189"]
    assert xpath(xml, SUMMATION + "ram:TaxBasisTotalAmount/text()") == ["17628.97"]  # a + d
    assert xpath(xml, SUMMATION + "ram:GrandTotalAmount/text()") == ["20979.59"]
    assert xpath(xml, SUMMATION + "ram:TotalPrepaidAmount/text()") == ["4572.68"]  # c + f + g - e
    assert xpath(xml, SUMMATION + "ram:DuePayableAmount/text()") == ["16406.91"]
    assert sorted(xpath(xml, "//ram:IncludedNote/ram:SubjectCode/text()")) == ["AAB", "AAI", "PMD", "PMT"]
    assert "40,00" in " ".join(xpath(xml, "//ram:IncludedNote/ram:Content/text()"))
    # 3 moved lines + one revision line per rate
    assert len(xpath(xml, "//ram:IncludedSupplyChainTradeLineItem")) == 5
    assert xpath(xml, "//ram:DueDateDateTime/udt:DateTimeString/text()") == ["20261130"]
    # First situation: line 7.3 did not move and is not invoiced; the 10 % rate has no line, no breakdown.
    xml = assert_valid(first)
    assert xpath(xml, "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/ram:RateApplicablePercent/text()") \
        == ["20.00"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(situation_files())
def test_generated_situations_pass_xsd_and_both_schematrons(file_data):
    for data in invoices(file_data):
        xml = assert_valid(data)
        assert xpath(xml, "//rsm:ExchangedDocument/ram:TypeCode/text()") == ["381" if data.ttc < 0 else "380"]


@pytest.mark.parametrize(
    "element, new_value, expected_rules",
    [
        ("GrandTotalAmount", "99999.99", {"BR-CO-15", "BR-CO-16", "CHORUSBAT-BT-112"}),
        ("DuePayableAmount", "1.00", {"BR-CO-16", "CHORUSBAT-BT-115"}),
        ("TaxTotalAmount", "0.00", {"BR-CO-14", "BR-CO-15", "CHORUSBAT-BT-110"}),
    ],
)
def test_tampered_totals_are_caught_with_rule_names_and_values(element, new_value, expected_rules):
    data = invoices(example_file())[1]
    tree = etree.fromstring(build_xml(data))
    tree.xpath(SUMMATION + f"ram:{element}", namespaces=NSMAP)[0].text = new_value
    report = validate_xml(etree.tostring(tree, xml_declaration=True, encoding="UTF-8"), data)
    assert not report.ok
    assert expected_rules <= report.rules
    assert any(new_value in issue.value for issue in report.issues)
    assert "NON CONFORME" in str(report)


def test_xml_consistent_in_itself_but_not_with_the_situation_is_caught():
    """A coherent XML of another situation passes the schematrons but not chorusbat's own checks."""
    first, second = invoices(example_file())
    report = validate_xml(build_xml(first), second)
    assert not report.ok
    assert {"CHORUSBAT-BT-112", "CHORUSBAT-BT-115", "CHORUSBAT-BT-1"} <= report.rules
    assert all(issue.check == "chorusbat" for issue in report.issues)


def test_malformed_xml_is_a_failure_not_a_crash():
    data = invoices(example_file())[0]
    report = validate_xml(b"<rsm:CrossIndustryInvoice", data)
    assert not report.ok and report.rules == {"XML-WELLFORMED"}


def test_xsd_failure_is_reported():
    data = invoices(example_file())[0]
    xml = build_xml(data).replace(b"<ram:TypeCode>380</ram:TypeCode>", b"<ram:Bogus>380</ram:Bogus>", 1)
    assert "XSD" in validate_xml(xml, data).rules


def test_missing_stylesheet_raises_instead_of_skipping(monkeypatch, tmp_path):
    data = invoices(example_file())[0]
    missing = schematron.Schematron("EN16931-missing", tmp_path / "absent.xslt")
    monkeypatch.setattr(gate, "EN16931", missing)
    with pytest.raises(ValidatorUnavailable, match="absent"):
        validate_xml(build_xml(data), data)


def test_stylesheet_that_validates_nothing_is_an_engine_failure(monkeypatch, tmp_path):
    """An XSLT producing SVRL without any fired rule did not validate the document: it must not pass."""
    stylesheet = tmp_path / "empty.xslt"
    stylesheet.write_text(
        '<xsl:stylesheet version="2.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform" '
        'xmlns:svrl="http://purl.oclc.org/dsdl/svrl"><xsl:template match="/">'
        "<svrl:schematron-output/></xsl:template></xsl:stylesheet>"
    )
    data = invoices(example_file())[0]
    monkeypatch.setattr(gate, "FR_CTC", schematron.Schematron("FR-CTC-empty", stylesheet))
    with pytest.raises(ValidatorUnavailable, match="aucune règle"):
        validate_xml(build_xml(data), data)


def test_saxon_error_is_an_engine_failure(tmp_path):
    broken = tmp_path / "broken.xslt"
    broken.write_text("<xsl:stylesheet version='2.0' xmlns:xsl='http://www.w3.org/1999/XSL/Transform'><oops")
    document = etree.fromstring(b"<a/>")
    with pytest.raises(ValidatorUnavailable):
        schematron.run_schematron(schematron.Schematron("broken", broken), b"<a/>", document)


def test_bom_is_stripped_before_saxon():
    data = invoices(example_file())[0]
    assert validate_xml(b"\xef\xbb\xbf" + build_xml(data), data).ok


# ------------------------------------------------------------------------------------------------ bad input


def test_markup_control_characters_emoji_and_long_labels_stay_valid():
    label = "Peinture <b>préau</b> & \"cour\" \x00\x07\x1b\x7f\x85 😀🏗️ " + "très long " * 200
    data = invoices(simple_file([line("1", label), line("2", "x" * 2000, rate="10")], [{"1": "10", "2": "5"}]))[0]
    xml = assert_valid(data)
    names = xpath(xml, "//ram:SpecifiedTradeProduct/ram:Name/text()")
    assert names[0].startswith('Peinture <b>préau</b> & "cour" 😀🏗️ très long')
    assert not any(char in names[0] for char in "\x00\x07\x1b\x7f\x85")
    assert names[1] == "x" * 2000
    assert b"&lt;b&gt;" in xml and b"&amp;" in xml


def test_zero_total_still_has_lines():
    data = invoices(simple_file([line("1"), line("2", rate="10")], [{"1": "0", "2": "0"}]))[0]
    assert data.ttc == 0
    xml = assert_valid(data)
    assert len(xpath(xml, "//ram:IncludedSupplyChainTradeLineItem")) == 2
    assert xpath(xml, SUMMATION + "ram:DuePayableAmount/text()") == ["0.00"]


def test_negative_total_is_a_credit_note_with_positive_amounts_and_a_reference():
    file_data = simple_file([line("1"), line("2", rate="10")], [{"1": "100", "2": "50"}, {"1": "40", "2": "50"}])
    first, credit = invoices(file_data)
    assert credit.ttc < 0
    xml = assert_valid(credit)
    assert xpath(xml, "//rsm:ExchangedDocument/ram:TypeCode/text()") == ["381"]
    assert xpath(xml, "//ram:InvoiceReferencedDocument/ram:IssuerAssignedID/text()") == [first.invoice_number]
    assert xpath(xml, "//ram:InvoiceReferencedDocument//qdt:DateTimeString/text()") == ["20260128"]
    assert Decimal(xpath(xml, SUMMATION + "ram:GrandTotalAmount/text()")[0]) == -credit.ttc > 0
    assert xpath(xml, "//ram:SpecifiedTradeSettlementPaymentMeans") == []


def test_credit_note_without_previous_invoice_is_refused():
    file_data = simple_file([line("1")], [{"1": "10"}])
    data = invoices(file_data)[0]
    with pytest.raises(InvoiceDataError, match="avoir"):
        dataclasses.replace(data, lines=(dataclasses.replace(data.lines[0], period=Decimal("-100.00")),),
                            by_rate=(dataclasses.replace(data.by_rate[0], a=Decimal("-100.00"), d=Decimal("-0.50"),
                                                         b=Decimal("-20.10")),),
                            a=Decimal("-100.00"), d=Decimal("-0.50"), b=Decimal("-20.10"), ttc=Decimal("-120.60"),
                            g=Decimal("-6.03"), net=Decimal("-114.57"))


def test_negative_line_in_a_positive_invoice_has_a_negative_quantity():
    file_data = simple_file([line("1"), line("2")], [{"1": "50", "2": "10"}, {"1": "100", "2": "5"}])
    xml = assert_valid(invoices(file_data)[1])
    assert "-1" in xpath(xml, "//ram:BilledQuantity/text()")
    assert all(not price.startswith("-") for price in xpath(xml, "//ram:ChargeAmount/text()"))


@pytest.mark.parametrize("rates", [("20",), ("20", "10", "5.5", "2.1"), ("0",), ("0", "20")])
def test_one_to_four_vat_rates_and_zero_rate(rates):
    lines = [line(str(i), f"Ligne {rate} %", rate=rate) for i, rate in enumerate(rates, start=1)]
    data = invoices(simple_file(lines, [{str(i): "30" for i in range(1, len(rates) + 1)}]))[0]
    xml = assert_valid(data)
    categories = xpath(xml, "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/ram:CategoryCode/text()")
    assert len(categories) == len(rates)
    assert ("Z" in categories) == ("0" in rates)


def test_reverse_charge_uses_category_ae_and_the_autoliquidation_wording():
    data = invoices(simple_file([line("1", rate="0")], [{"1": "20"}], revision={"fixed": "0.15", "variable": "0.85",
                                                                            "base_index": "118.4"}))[0]
    data = dataclasses.replace(data, reverse_charge=True)
    xml = assert_valid(data)
    assert set(xpath(xml, "//ram:CategoryCode/text()")) == {"AE"}
    assert "Autoliquidation" in xpath(xml, "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/"
                                           "ram:ExemptionReason/text()")[0]


def test_reverse_charge_with_vat_is_refused():
    data = invoices(example_file())[0]
    with pytest.raises(InvoiceDataError, match="autoliquidation"):
        dataclasses.replace(data, reverse_charge=True)


def test_invoice_without_iban_is_refused():
    with pytest.raises(InvoiceDataError, match="IBAN"):
        dataclasses.replace(invoices(example_file())[0], iban="")


def test_inconsistent_engine_figures_are_refused():
    data = invoices(example_file())[0]
    with pytest.raises(InvoiceDataError, match="net"):
        dataclasses.replace(data, net=data.net + Decimal("0.01"))
    with pytest.raises(InvoiceDataError, match="décimales"):
        dataclasses.replace(data, net=data.net + Decimal("0.001"))


def test_invoice_lines_follow_section_5():
    data = invoices(example_file())[1]
    lines = invoice_lines(data)
    assert [l.seller_id for l in lines] == ["7.1", "7.2", "7.3", "REVISION-10", "REVISION-20"]
    assert [l.amount for l in lines] == [Decimal("6600.00"), Decimal("9120.00"), Decimal("1734.43"),
                                         Decimal("17.34"), Decimal("157.20")]


def test_the_shipped_rule_files_exist():
    assert Path(schematron.EN16931.path).is_file() and Path(schematron.FR_CTC.path).is_file()
