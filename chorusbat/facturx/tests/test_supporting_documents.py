"""Supporting documents (BG-24 + PDF/A-3 embedded files, AFRelationship Supplement), the logo, VAT on debits."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import subprocess
import tempfile
from pathlib import Path

from lxml import etree
from PIL import Image
from pypdf import PdfReader

from chorusbat.facturx import EmbeddedFile, build_facturx, render_pdf, validate
from chorusbat.facturx.gate import _embedded_files
from chorusbat.facturx.pipeline import embed_xml
from chorusbat.facturx.xml_builder import NSMAP, build_xml

from .factories import example_file, invoices


def png(width=120, height=40, colour=(20, 80, 160)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "PNG")
    return out.getvalue()


def with_attachments(data):
    return dataclasses.replace(data, attachments=(
        EmbeddedFile("attachement-octobre.pdf", "application/pdf", render_pdf(data), "Attachement — octobre"),
        EmbeddedFile("photo-chantier.png", "image/png", png(), "Photo de chantier"),
    ))


def test_attachments_are_embedded_as_supplements_and_listed_in_bg24_and_the_gate_passes():
    data = with_attachments(invoices(example_file())[1])
    document = build_facturx(data)
    assert document.report.ok, str(document.report)
    files = {name: (content, relationship) for name, content, relationship in
             _embedded_files(PdfReader(io.BytesIO(document.pdf)))}
    assert set(files) == {"factur-x.xml", "attachement-octobre.pdf", "photo-chantier.png"}
    assert files["factur-x.xml"][1] == "/Data"
    for attachment in data.attachments:
        content, relationship = files[attachment.name]
        assert relationship == "/Supplement"
        assert hashlib.sha256(content).hexdigest() == attachment.sha256  # the exact bytes
    tree = etree.fromstring(document.xml)
    ids = tree.xpath("//ram:ApplicableHeaderTradeAgreement/ram:AdditionalReferencedDocument/ram:IssuerAssignedID"
                     "/text()", namespaces=NSMAP)
    codes = tree.xpath("//ram:AdditionalReferencedDocument/ram:TypeCode/text()", namespaces=NSMAP)
    assert ids == ["attachement-octobre.pdf", "photo-chantier.png"] and codes == ["916", "916"]
    assert validate(document.pdf, data).ok  # the stored bytes validate again
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(document.pdf)).pages)
    assert "Pièces jointes" in text and "photo-chantier.png" in text


def test_the_gate_refuses_a_missing_extra_or_altered_attachment():
    plain = invoices(example_file())[1]
    data = with_attachments(plain)
    # built without its attachments, checked against the situation that has them
    without = build_facturx(plain)
    report = validate(without.pdf, data)
    assert not report.ok and {"FACTURX-SUPPLEMENT", "CHORUSBAT-BG-24"} <= report.rules
    # built with them, checked against a situation without: unexpected files
    report = validate(build_facturx(data).pdf, plain)
    assert not report.ok and {"FACTURX-SUPPLEMENT", "CHORUSBAT-BG-24"} <= report.rules
    # a photo whose bytes differ from the stored ones
    altered = dataclasses.replace(data, attachments=(data.attachments[0], dataclasses.replace(
        data.attachments[1], data=png(colour=(200, 0, 0)))))
    pdf = embed_xml(render_pdf(altered), build_xml(altered), altered)
    report = validate(pdf, data)
    assert not report.ok and "FACTURX-SUPPLEMENT" in report.rules
    assert any("contenu différent" in issue.text for issue in report.issues)


def test_the_logo_is_drawn_and_is_part_of_the_inputs():
    data = invoices(example_file())[1]
    svg = (b'<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40">'
           b'<rect width="120" height="40" fill="#135"/></svg>')
    for logo in (EmbeddedFile("logo", "image/png", png()), EmbeddedFile("logo", "image/svg+xml", svg)):
        with_logo = dataclasses.replace(data, logo=logo)
        document = build_facturx(with_logo)
        assert document.report.ok
        assert logo_colours(document.pdf) & {(20, 80, 160), (17, 51, 85)}, "the logo is drawn at the top right"
        assert repr(with_logo) != repr(data) and logo.sha256 in repr(with_logo)
    assert not logo_colours(render_pdf(data)) & {(20, 80, 160), (17, 51, 85)}


def logo_colours(pdf: bytes) -> set[tuple[int, int, int]]:
    """The colours of the top-right corner of the first page, rendered by poppler."""
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "doc.pdf"
        source.write_bytes(pdf)
        subprocess.run(["pdftoppm", "-png", "-r", "40", "-singlefile", "-f", "1", str(source),
                        str(Path(folder) / "page")], capture_output=True, check=True)
        png_bytes = (Path(folder) / "page.png").read_bytes()
    with Image.open(io.BytesIO(png_bytes)) as page:
        page = page.convert("RGB")
        width, _height = page.size
        corner = page.crop((width // 2, 0, width, 60))
        return {colour for _count, colour in corner.getcolors(maxcolors=100_000)}


def test_legal_identity_and_vat_on_debits_are_printed():
    data = invoices(example_file())[1]
    data = dataclasses.replace(
        data, vat_on_debits=True,
        supplier=dataclasses.replace(data.supplier, legal_form="SARL", share_capital="10 000 €",
                                     rcs="RCS Nantes 732 829 320"))
    text = " ".join(PdfReader(io.BytesIO(build_facturx(data).pdf)).pages[0].extract_text().split())
    assert "SARL au capital de 10 000 €" in text.replace("\u00a0", " ")
    assert "RCS Nantes 732 829 320" in text
    assert "TVA acquittée sur les débits" in text


def test_embedded_supporting_documents_are_dated_typed_and_described():
    data = with_attachments(invoices(example_file())[1])
    reader = PdfReader(io.BytesIO(build_facturx(data).pdf))
    names = reader.trailer["/Root"]["/Names"]["/EmbeddedFiles"]["/Names"]
    specs = {str(names[i]): names[i + 1].get_object() for i in range(0, len(names), 2)}
    stream = specs["photo-chantier.png"]["/EF"]["/F"].get_object()
    assert stream["/Subtype"] == "/image/png" and stream["/Params"]["/ModDate"].startswith("D:20261031")
    assert specs["photo-chantier.png"]["/Desc"] == "Photo de chantier"
    assert specs["photo-chantier.png"]["/AFRelationship"] == "/Supplement"
