"""A situation's attachments: checked at upload, shown, embedded in the Factur-X, frozen once sent."""

from __future__ import annotations

import hashlib
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image
from pypdf import PdfWriter

from chorusbat.facturx.gate import _embedded_files
from chorusbat.gateway.models import Transmission
from chorusbat.invoicing import services
from chorusbat.invoicing.models import InvoiceDocument, SituationAttachment
from chorusbat.invoicing.tests.helpers import add_situation, situation
from chorusbat.invoicing.tests.test_tasks import queued_for, run_queued
from conftest import make_user


def photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (120, 90, 30)).save(out, "JPEG")
    return out.getvalue()


def blank_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def add_url(s) -> str:
    return reverse("invoicing:attachment_add", args=[s.pk])


def upload(client, s, name, data, content_type, kind="attachement", description="", token=None):
    body = {"file": SimpleUploadedFile(name, data, content_type), "kind": kind, "description": description}
    if token:
        body["form_token"] = token
    return client.post(add_url(s), body)


def detail(client, s) -> str:
    return client.get(reverse("situations:detail", args=[s.pk])).content.decode()


def test_a_member_attaches_a_file_to_a_draft_once_even_when_posted_twice(client, member_user, market_with_situations):
    client.force_login(member_user)
    draft = situation("F2026-0110")
    page = detail(client, draft)
    token = re.search(r'id="attachment-form".*?name="form_token" value="([^"]+)"', page, re.S).group(1)
    data = blank_pdf()
    name = "Attachement d'octobre é.pdf"
    first = upload(client, draft, name, data, "application/pdf", description="métré", token=token)
    again = upload(client, draft, name, data, "application/pdf", description="métré", token=token)
    assert first.status_code == again.status_code == 302 and again.url == first.url
    attachment = SituationAttachment.objects.get()
    assert attachment.filename == "Attachement-d-octobre-e.pdf"
    assert attachment.data_bytes == data and attachment.sha256 == hashlib.sha256(data).hexdigest()
    assert attachment.uploaded_by == member_user and attachment.size == len(data)
    page = detail(client, draft)
    assert "Attachement-d-octobre-e.pdf" in page and attachment.sha256 in page and "Pièce jointe ajoutée" in page
    # the draft's preview and invoice data carry it
    data_for = services.invoice_data_for(draft)
    assert [a.name for a in data_for.attachments] == ["Attachement-d-octobre-e.pdf"]
    assert data_for.attachments[0].description == "Attachement (métré contradictoire) — métré"
    download = client.get(reverse("invoicing:attachment_download", args=[draft.pk, attachment.pk]))
    assert download.content == data and download["Content-Type"] == "application/pdf"
    assert download["X-Content-Type-Options"] == "nosniff" and "attachment" in download["Content-Disposition"]


@pytest.mark.parametrize("name, data, content_type, message", [
    ("photo.jpg", b"MZ\x90\x00" + b"\x00" * 200, "image/jpeg", "n’est pas un fichier JPEG"),
    ("pv.pdf", b"%PDF-1.4\n1 0 obj <</S /JavaScript /JS (app.alert(1))>> endobj\n%%EOF", "application/pdf",
     "ni JavaScript"),
    ("script.sh", b"#!/bin/sh\n", "text/x-sh", "Seuls ces types de fichiers sont acceptés"),
])
def test_a_bad_file_is_refused_with_the_reason_and_nothing_is_stored(admin_client, market_with_situations, name,
                                                                      data, content_type, message):
    draft = situation("F2026-0110")
    response = upload(admin_client, draft, name, data, content_type)
    assert response.status_code == 302
    assert message in detail(admin_client, draft)
    assert not SituationAttachment.objects.exists()


def test_adding_or_removing_on_a_validated_situation_rebuilds_its_document_and_the_gate_passes(
        admin_client, company, admin_user, firm_market, django_capture_on_commit_callbacks):
    validated = add_situation(firm_market, admin_user, "F2026-0201", 10, {"8.2": "600"}, validate=True)
    assert run_queued() == ["ready"]
    assert not _embedded_files_of(validated) - {"factur-x.xml"}

    jpeg = photo()
    with django_capture_on_commit_callbacks(execute=True):
        assert upload(admin_client, validated, "façade.jpg", jpeg, "image/jpeg", kind="photo").status_code == 302
    assert not InvoiceDocument.objects.filter(situation=validated).exists()  # invalidated at once…
    assert queued_for(validated.pk) == 1
    assert 'id="document-preparing"' in detail(admin_client, validated)
    assert set(run_queued()) == {"ready"}  # …and rebuilt by the worker (once, whoever asked)
    document = InvoiceDocument.objects.get(situation=validated)
    assert document.is_ready and document.report["ok"]
    files = {name: (content, rel) for name, content, rel in _embedded(document.pdf_bytes)}
    assert files["facade.jpg"] == (jpeg, "/Supplement")
    from chorusbat.facturx import validate

    assert validate(document.pdf_bytes, services.invoice_data_for(validated)).ok  # the whole gate, again

    attachment = SituationAttachment.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("invoicing:attachment_remove", args=[validated.pk, attachment.pk]))
    assert response.status_code == 302 and not SituationAttachment.objects.exists()
    assert not InvoiceDocument.objects.filter(situation=validated).exists()
    assert run_queued() == ["ready"]
    assert _embedded_files_of(validated) == {"factur-x.xml"}


def test_attachments_are_frozen_once_the_situation_is_handed_to_the_gateway(admin_client, company, admin_user,
                                                                           firm_market):
    validated = add_situation(firm_market, admin_user, "F2026-0201", 10, {"8.2": "600"}, validate=True)
    upload(admin_client, validated, "pv.pdf", blank_pdf(), "application/pdf", kind="pv")
    run_queued()
    document = InvoiceDocument.objects.get(situation=validated)
    Transmission.objects.create(company=company, situation=validated)
    attachment = SituationAttachment.objects.get()

    page = detail(admin_client, validated)
    assert 'id="attachments-frozen"' in page and 'id="attachment-form"' not in page
    assert f'id="remove-attachment-{attachment.pk}"' not in page
    upload(admin_client, validated, "autre.pdf", blank_pdf(), "application/pdf")
    admin_client.post(reverse("invoicing:attachment_remove", args=[validated.pk, attachment.pk]))
    assert "envoyée à Chorus Pro : ses pièces jointes restent exactement" in detail(admin_client, validated)
    assert list(SituationAttachment.objects.values_list("filename", flat=True)) == ["pv.pdf"]
    assert InvoiceDocument.objects.get(situation=validated).sha256 == document.sha256


def test_another_company_cannot_see_or_touch_the_attachments(market_with_situations, other_company):
    draft = situation("F2026-0110")
    owner = Client()
    owner.force_login(make_user(draft.company, "proprio", "admin"))
    upload(owner, draft, "pv.pdf", blank_pdf(), "application/pdf")
    attachment = SituationAttachment.objects.get()
    stranger = Client()
    stranger.force_login(make_user(other_company, "intrus", "admin"))
    assert stranger.get(reverse("invoicing:attachment_download", args=[draft.pk, attachment.pk])).status_code == 404
    assert stranger.post(reverse("invoicing:attachment_remove",
                                 args=[draft.pk, attachment.pk])).status_code == 404
    assert upload(stranger, draft, "x.pdf", blank_pdf(), "application/pdf").status_code == 404
    assert SituationAttachment.objects.count() == 1


def _embedded(pdf: bytes):
    from pypdf import PdfReader

    return _embedded_files(PdfReader(io.BytesIO(pdf)))


def _embedded_files_of(s) -> set[str]:
    return {name for name, _content, _rel in _embedded(InvoiceDocument.objects.get(situation=s).pdf_bytes)}
