"""The full pipeline: PDF/A-3b rendering, embedding of factur-x.xml, and the gate on the PDF bytes."""

from __future__ import annotations

import dataclasses
import io
import re
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from pypdf import PdfReader

from chorusbat.facturx import (
    FacturXValidationError,
    build_facturx,
    build_xml,
    render_pdf,
    validate,
)
from chorusbat.facturx.pdf_render import TEMPLATE, document_data
from chorusbat.facturx.text import fr_money

from .factories import example_file, invoices, line, simple_file, situation_files


def pdf_text_of(pdf: bytes) -> str:
    """All page text, with every kind of space folded to one plain space."""
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ").replace("\u202f", " "))


def assert_facturx(pdf: bytes) -> PdfReader:
    reader = PdfReader(io.BytesIO(pdf))
    xmp = reader.xmp_metadata.rdf_root.toxml()
    assert re.search(r"pdfaid:part(>|=\")3", xmp) and re.search(r"pdfaid:conformance(>|=\")B", xmp)
    assert list(reader.attachments) == ["factur-x.xml"] and len(reader.attachments["factur-x.xml"]) == 1
    names = reader.trailer["/Root"]["/Names"]["/EmbeddedFiles"]["/Names"]
    assert names[1].get_object()["/AFRelationship"] == "/Data"
    assert len(reader.trailer["/Root"]["/AF"]) == 1
    return reader


def test_example_situations_give_valid_facturx_documents():
    for data in invoices(example_file()):
        document = build_facturx(data)
        assert document.report.ok
        reader = assert_facturx(document.pdf)
        assert reader.attachments["factur-x.xml"][0] == document.xml  # the exact bytes built
        text = pdf_text_of(document.pdf)
        assert data.invoice_number in text
        assert data.market_number in text
        assert fr_money(data.net).replace("\u00a0", " ") in text
        assert "40,00 €" in text and "Pénalités de retard" in text
        assert validate(document.pdf, data).ok  # the stored bytes validate again


def test_fonts_are_the_shipped_ones_and_embedded():
    reader = PdfReader(io.BytesIO(render_pdf(invoices(example_file())[1])))
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            descriptor = font.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            assert "/FontFile2" in descriptor  # embedded TrueType
            fonts.add(str(font.get_object()["/BaseFont"]).split("+")[-1])
    assert fonts == {"DejaVuSans", "DejaVuSans-Bold"}  # the files of fonts/: system fonts are ignored


def test_a_pdf_without_the_xml_fails_the_gate():
    data = invoices(example_file())[0]
    report = validate(render_pdf(data), data)
    assert not report.ok and "FACTURX-ATTACHMENT" in report.rules


def test_a_pdf_carrying_a_tampered_xml_fails_the_gate():
    from chorusbat.facturx.pipeline import embed_xml

    data = invoices(example_file())[1]
    xml = build_xml(data).replace(b"<ram:GrandTotalAmount>20979.59", b"<ram:GrandTotalAmount>20979.60")
    report = validate(embed_xml(render_pdf(data), xml, data), data)
    assert {"BR-CO-15", "BR-CO-16", "CHORUSBAT-BT-112"} <= report.rules


def test_build_facturx_raises_with_the_report_when_the_gate_fails():
    data = dataclasses.replace(invoices(example_file())[0], invoice_number="F 2026/0093 bis")  # space: BR-FR-02
    with pytest.raises(FacturXValidationError) as caught:
        build_facturx(data)
    assert "BR-FR-02_BT-1" in caught.value.report.rules
    assert "BR-FR-02_BT-1" in str(caught.value)


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(situation_files(max_lines=10))
def test_generated_situations_give_valid_facturx_documents(file_data):
    for data in invoices(file_data):
        document = build_facturx(data)
        assert_facturx(document.pdf)
        text = pdf_text_of(document.pdf)
        assert data.invoice_number in text and data.market_number in text
        assert fr_money(data.net).replace("\u00a0", " ") in text


def test_hostile_text_is_printed_as_text_in_the_pdf():
    markup = '#panic("x") *gras* _it_ $x^2$ ] [ `code` // #read("/etc/passwd") <lbl> @ref \\ "q"'
    label = "<script>alert(1)</script> & <b>gras</b> \x00\x1b 😀 " + "très-long-" * 200
    file_data = simple_file([line("1", label), line("2", "y" * 2000, rate="10"), line("3", markup)],
                            [{"1": "10", "2": "5", "3": "1"}])
    file_data["buyer"]["name"] = "Ville <de> & Nantes #set text(red)"
    data = invoices(file_data)[0]
    assert document_data(data)["lines"][0]["label"].startswith("<script>alert(1)</script> & <b>gras</b> 😀 très")
    document = build_facturx(data)
    text = pdf_text_of(document.pdf)
    assert "<script>alert(1)</script> & <b>gras</b>" in text
    assert markup in text
    assert "Ville <de> & Nantes #set text(red)" in text
    assert "root:" not in text


def test_the_template_reads_nothing_but_its_data():
    """The data is passed as JSON, never as code, and the template fetches no file, image or package: the one
    image it draws (the logo) is made of the data's bytes."""
    source = TEMPLATE.read_text(encoding="utf-8")
    code = "\n".join(line.split("//")[0] for line in source.splitlines())
    assert code.count("image(") == 1 and code.count("image(bytes(data.logo)") == 1
    code = code.replace("image(bytes(data.logo)", "")
    for forbidden in ("eval(", "read(", "image(", "#import", "#include", "plugin(", "csv(", "yaml(", "xml("):
        assert forbidden not in code, forbidden
    assert "json(bytes(sys.inputs.data))" in code


def test_credit_note_pdf():
    file_data = simple_file([line("1"), line("2", rate="10")], [{"1": "100", "2": "50"}, {"1": "40", "2": "50"}])
    first, credit = invoices(file_data)
    document = build_facturx(credit)
    text = pdf_text_of(document.pdf)
    assert f"Avoir n° {credit.invoice_number}" in text and first.invoice_number in text
    assert fr_money(-credit.net).replace("\u00a0", " ") in text


def test_300_lines_make_a_multipage_pdf_with_repeated_table_headers():
    lines = [line(str(i), f"Ouvrage n° {i}", rate=("20", "10", "5.5", "0")[i % 4]) for i in range(1, 301)]
    data = invoices(simple_file(lines, [{str(i): "7" for i in range(1, 301)}]))[0]
    document = build_facturx(data)
    pages = PdfReader(io.BytesIO(document.pdf)).pages
    assert len(pages) >= 5
    with_table = [page for page in pages if "Ouvrage n°" in page.extract_text()]
    assert len(with_table) >= 5
    assert all("Désignation" in page.extract_text() for page in with_table)
    assert "Page 1 / " in pages[0].extract_text()


def test_optional_legal_identity_and_addresses_are_printed_when_known():
    from chorusbat.facturx.invoice_model import Address

    data = invoices(example_file())[1]
    supplier = dataclasses.replace(data.supplier, legal_form="SARL", share_capital="50 000 €",
                                   rcs="RCS Nantes 732 829 320")
    buyer = dataclasses.replace(data.buyer, address=Address(line1="2 rue de l'Hôtel de Ville", postcode="44094",
                                                            city="Nantes Cedex 1"))
    text = pdf_text_of(render_pdf(dataclasses.replace(data, supplier=supplier, buyer=buyer)))
    assert "SARL au capital de 50 000 €" in text and "RCS Nantes 732 829 320" in text
    assert "2 rue de l'Hôtel de Ville" in text and "44094 Nantes Cedex 1" in text
    assert "au capital" not in pdf_text_of(render_pdf(data))  # nothing invented when unknown


@pytest.mark.parametrize("count", [8, 22, 34, 60])
def test_the_summary_and_its_mentions_never_leave_a_line_alone_on_the_last_page(count):
    """Whatever the length of the décompte, the last page holds the whole summary: état d'acompte with its
    deductions note, VAT, payment and legal mentions, together."""
    lines = [line(str(i), f"Ouvrage n° {i}") for i in range(1, count + 1)]
    data = invoices(simple_file(lines, [{str(i): "7" for i in range(1, count + 1)}]))[0]
    pages = PdfReader(io.BytesIO(render_pdf(data))).pages
    last = re.sub(r"\s+", " ", pages[-1].extract_text().replace("\u00a0", " "))
    for part in ("État d'acompte", "Déductions (état d'acompte)", "Ventilation de la TVA", "Paiement",
                 "Pénalités de retard", "Pas d'escompte pour paiement anticipé"):
        assert part in last, (count, part)
    assert all("État d'acompte" not in page.extract_text() for page in pages[:-1])


def test_the_supplier_name_is_never_broken_in_the_footer():
    data = invoices(example_file())[1]
    name = "ENTREPRISE GÉNÉRALE DE PEINTURE ET DE REVÊTEMENTS DU LITTORAL ATLANTIQUE SAS"
    pdf = render_pdf(dataclasses.replace(data, supplier=dataclasses.replace(data.supplier, name=name)))
    for page in PdfReader(io.BytesIO(pdf)).pages:
        assert any(name in text_line for text_line in page.extract_text().splitlines())


def test_a_summary_taller_than_a_page_breaks_instead_of_running_off_the_page():
    file_data = simple_file([line("1"), line("2", rate="10")], [{"1": "100", "2": "50"}])
    file_data["situations"][0]["penalties"] = [
        {"label": f"Retard de remise du dossier des ouvrages exécutés, lot {i}, bâtiment B", "amount": "10.00"}
        for i in range(80)
    ]
    pages = PdfReader(io.BytesIO(render_pdf(invoices(file_data)[0]))).pages
    assert len(pages) >= 3
    text = " ".join(re.sub(r"\s+", " ", page.extract_text()) for page in pages)
    assert "lot 79" in text and "Net à payer" in text
    assert "Pas d'escompte pour paiement anticipé" in pages[-1].extract_text()


def test_large_amounts_stay_whole_and_in_their_columns():
    file_data = simple_file([line("1", "Gros œuvre", price="987654.32", quantity="100"),
                             line("2", rate="10", price="12345678.91", quantity="10")],
                            [{"1": "100", "2": "7"}, {"1": "100", "2": "10"}])
    data = invoices(file_data)[1]
    pdf = render_pdf(data)
    document = document_data(data)
    assert len(document["widest_amount"]) == len(fr_money(Decimal("222222221.10")))  # digits have one width
    page_lines = PdfReader(io.BytesIO(pdf)).pages[0].extract_text().splitlines()
    assert not any(text_line.strip().startswith("€") for text_line in page_lines)  # never "… 89" / "€."
    text = pdf_text_of(pdf)
    for amount in ("222 222 221,10 €", "185 185 184,37 €", "37 037 036,73 €", "38 897 221,89 €"):
        assert amount in text
    assert f"Net à payer : {fr_money(data.net)}".replace("\u00a0", " ") in text
