"""A situation's attachments reach the sandbox: embedded in the Factur-X flux (A1) and, for a works piece, also
uploaded with ``ajouter/fichier`` and named as ``pieceJointeComplementaire`` — the exact stored bytes (SHA-256)."""

import hashlib
import io

import pytest
from django.db import transaction
from PIL import Image
from pypdf import PdfReader, PdfWriter

from chorusbat.facturx.gate import _embedded_files
from chorusbat.gateway.models import Transmission
from chorusbat.gateway.services import send
from chorusbat.gateway.tests.conftest import all_integrated, drain, make_situations
from chorusbat.invoicing.attachments import add_attachment
from chorusbat.invoicing.models import InvoiceDocument

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def site_photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (80, 60), (150, 110, 40)).save(out, "JPEG")
    return out.getvalue()


def report_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(300, 300)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def attach(situation, user, name, data, mime, kind):
    with transaction.atomic():
        return add_attachment(situation, data, name, mime, kind, "", user)


def embedded(pdf: bytes) -> dict[str, tuple[bytes, str]]:
    return {name: (content, rel) for name, content, rel in _embedded_files(PdfReader(io.BytesIO(pdf)))}


def test_attachments_reach_the_sandbox_in_the_flux_and_as_complementary_attachments(chorus, connected, company,
                                                                                     admin_user):
    works, = make_situations(company, admin_user, markets=1, per_market=1, prefix="PJW-", frameworks=("A4",))
    invoice, = make_situations(company, admin_user, markets=1, per_market=1, prefix="PJA-", frameworks=("A1",))
    photo = attach(works, admin_user, "facade nord.jpg", site_photo(), "image/jpeg", "photo")
    pv = attach(works, admin_user, "PV de réception.pdf", report_pdf(), "application/pdf", "pv")
    sheet = attach(invoice, admin_user, "attachement.pdf", report_pdf(), "application/pdf", "attachement")

    send([works, invoice])
    drain(chorus, until=all_integrated)

    state = chorus.state()
    uploaded = {a["id"]: a for a in state["attachments"]}
    # The works piece: its Factur-X as main attachment, each attachment as a complementary one, byte for byte.
    piece, = [i for i in state["invoices"] if i["numeroFacture"] == works.number]
    document = InvoiceDocument.objects.get(situation=works)
    assert uploaded[piece["pieceJointePrincipaleId"]]["sha256"] == document.sha256
    extras = [uploaded[a["id"]] for a in piece["piecesJointesComplementaires"]]
    assert [(a["name"], a["sha256"], a["mime"]) for a in extras] == [
        ("facade-nord.jpg", photo.sha256, "image/jpeg"), ("PV-de-reception.pdf", pv.sha256, "application/pdf")]
    assert [a["designation"] for a in piece["piecesJointesComplementaires"]] == ["facade-nord.jpg",
                                                                               "PV-de-reception.pdf"]
    # … and they are inside the Factur-X too (PDF/A-3 embedded files, AFRelationship Supplement).
    files = embedded(document.pdf_bytes)
    assert hashlib.sha256(files["facade-nord.jpg"][0]).hexdigest() == photo.sha256
    assert files["PV-de-reception.pdf"][1] == "/Supplement"

    # The A1 invoice: one Factur-X flux whose bytes are the stored document, which embeds the attachment.
    t = Transmission.objects.get(situation=invoice)
    flux, = [f for f in state["fluxes"] if f["numeroFluxDepot"] == t.flux_number]
    document = InvoiceDocument.objects.get(situation=invoice)
    assert flux["sha256"] == document.sha256
    content, relationship = embedded(document.pdf_bytes)["attachement.pdf"]
    assert hashlib.sha256(content).hexdigest() == sheet.sha256 and relationship == "/Supplement"
