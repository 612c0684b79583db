"""The document links and the Factur-X block of the situation page: access, headers, previews, French errors."""

from __future__ import annotations

import hashlib

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from chorusbat.invoicing import services
from chorusbat.invoicing.models import InvoiceDocument
from chorusbat.invoicing.tasks import prepare_document
from chorusbat.invoicing.tests.helpers import embedded_files, failing_build, pdf_text, situation
from conftest import make_user


def url(name: str, number: str) -> str:
    return reverse(f"invoicing:{name}", args=[situation(number).pk])


def test_urls_are_under_documents():
    assert reverse("invoicing:preview", args=[7]) == "/documents/7/apercu.pdf"
    assert reverse("invoicing:download", args=[7]) == "/documents/7/factur-x.pdf"


def test_another_companys_documents_are_a_404(client, market_with_situations, other_company):
    client.force_login(make_user(other_company, "intrus", "admin"))
    for name in ("preview", "download"):
        for number in ("F2026-0093", "F2026-0110"):
            assert client.get(url(name, number)).status_code == 404
    assert not InvoiceDocument.objects.exists()


def test_anonymous_users_are_sent_to_the_login_page(client, market_with_situations):
    response = client.get(url("download", "F2026-0093"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_download_gives_the_stored_factur_x_as_an_attachment(member_client, market_with_situations):
    response = member_client.get(url("download", "F2026-0093"))

    stored = InvoiceDocument.objects.get()
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="F2026-0093.pdf"'
    assert response["Content-Length"] == str(len(stored.pdf_bytes))
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert response.content == stored.pdf_bytes
    assert hashlib.sha256(response.content).hexdigest() == stored.sha256
    assert embedded_files(response.content) == ["factur-x.xml"]

    preview = member_client.get(url("preview", "F2026-0093"))  # a validated situation previews its stored document
    assert preview["Content-Disposition"] == 'inline; filename="F2026-0093.pdf"'
    assert preview.content == stored.pdf_bytes
    assert member_client.post(url("download", "F2026-0093")).status_code == 405


def test_a_draft_has_a_stamped_inline_preview_and_no_download(member_client, market_with_situations):
    preview = member_client.get(url("preview", "F2026-0110"))

    assert preview.status_code == 200 and preview["Content-Type"] == "application/pdf"
    assert preview["Content-Disposition"] == 'inline; filename="F2026-0110-apercu.pdf"'
    assert "APERÇU — NON VALIDÉE" in pdf_text(preview.content)

    download = member_client.get(url("download", "F2026-0110"))
    assert download.status_code == 409
    assert download["Content-Type"].startswith("text/html")
    assert "seule une situation validée a une facture Factur-X" in download.content.decode()
    assert not InvoiceDocument.objects.exists()


def test_a_rejected_document_gives_a_french_page_listing_the_failed_rules(member_client, market_with_situations,
                                                                         monkeypatch):
    monkeypatch.setattr(services, "build_facturx", failing_build)

    response = member_client.get(url("download", "F2026-0093"))

    page = response.content.decode()
    assert response.status_code == 409
    assert "Document de la situation F2026-0093 indisponible" in page
    assert "a échoué à 1 contrôle" in page
    assert "<strong>BR-CO-16</strong>" in page and "<code>12786.02</code>" in page


def test_a_tampered_document_is_neither_shown_nor_downloaded(member_client, market_with_situations):
    document = services.ready_document(situation("F2026-0093"))
    InvoiceDocument.objects.filter(pk=document.pk).update(pdf=document.pdf_bytes + b"\n%%tampered")

    for name in ("download", "preview"):
        response = member_client.get(url(name, "F2026-0093"))
        assert response.status_code == 500
        assert "ne correspond plus à son empreinte SHA-256" in response.content.decode()


# ------------------------------------------------------------------------------- the situation page block


def block(number: str) -> str:
    return render_to_string("invoicing/situation_document.html", {"situation": situation(number)})


def prepared_block(number: str) -> str:
    """The block once the background task has run for the situation (as a worker would)."""
    prepare_document.call(situation(number).pk)
    return block(number)


def test_block_of_a_draft_offers_the_preview_only(market_with_situations):
    html = block("F2026-0110")

    assert "Aperçu PDF" in html and url("preview", "F2026-0110") in html
    assert "Télécharger Factur-X" not in html
    assert "aperçu seulement" in html and "« APERÇU — NON VALIDÉE »" in html
    assert not InvoiceDocument.objects.exists()


def test_block_of_a_draft_warns_about_what_blocks_the_invoice(market_with_situations, company):
    company.iban = ""
    company.save()

    assert "IBAN du fournisseur" in block("F2026-0110")


def test_block_of_a_validated_situation_is_in_preparation_until_its_task_has_run(market_with_situations,
                                                                                monkeypatch):
    monkeypatch.setattr(services, "build_facturx", lambda data: pytest.fail("the page built the document"))

    html = block("F2026-0093")

    assert ">en préparation<" in html and 'data-refresh-after="5"' in html
    assert "Actualiser" in html and "Télécharger Factur-X" not in html and "Aperçu PDF" in html
    assert not InvoiceDocument.objects.exists()


def test_block_of_a_validated_situation_shows_both_links_and_the_checks(market_with_situations):
    html = prepared_block("F2026-0093")

    document = InvoiceDocument.objects.get()
    assert "Aperçu PDF" in html and "Télécharger Factur-X" in html
    assert url("download", "F2026-0093") in html
    assert ">conforme<" in html and "schematron EN 16931" in html and document.sha256 in html


def test_block_of_a_rejected_document_lists_each_failed_rule_with_its_value(market_with_situations, monkeypatch):
    monkeypatch.setattr(services, "build_facturx", failing_build)

    html = prepared_block("F2026-0093")

    assert ">non conforme<" in html and "Télécharger Factur-X" not in html
    assert "<strong>BR-CO-16</strong>" in html and "valeur en cause <code>12786.02</code>" in html


def test_rule_texts_and_values_are_escaped(market_with_situations, monkeypatch):
    """Rule texts and values come from validators fed with user data: they are escaped like everything else."""
    from chorusbat.facturx import FacturXValidationError, Issue, ValidationReport

    def hostile_build(data):
        report = ValidationReport(issues=(Issue("EN16931", "BR-01", "<script>x</script>", value="<b>1</b>"),),
                                  checks=("XSD",))
        raise FacturXValidationError(data.invoice_number, report)

    monkeypatch.setattr(services, "build_facturx", hostile_build)

    html = prepared_block("F2026-0093")

    assert "<script>" not in html and "<b>1</b>" not in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html and "&lt;b&gt;1&lt;/b&gt;" in html
