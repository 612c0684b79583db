"""Mon compte › Entreprise: legal details, bank account, logo; checked, audited, printed on the documents."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from chorusbat.accounts.models import Company, CompanyAuditEntry
from chorusbat.markets.tests.fixtures import market_with_situations  # noqa: F401

EDIT = reverse("accounts:company_edit")
LOGO = reverse("accounts:company_logo")

VALID = {
    "legal_name": "PEINTURES DU LITTORAL SARL",
    "legal_form": "SARL",
    "share_capital": "10 000",
    "rcs_city": "Nantes",
    "rcs_number": "732 829 320",
    "address_line1": "12 quai de la Fosse",
    "address_line2": "",
    "postcode": "44000",
    "city": "Nantes",
    "vat_number": "FR 44 732829320",
    "vat_regime": "encaissements",
    "iban": "FR76 3000 6000 0112 3456 7890 189",
    "bic": "AGRIFRPP",
    "default_payment_delay_days": "30",
}


def png(size=(120, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (20, 80, 160)).save(out, "PNG")
    return out.getvalue()


def post(client, files=None, **changes):
    return client.post(EDIT, {**VALID, **changes, **(files or {})})


def test_only_administrators_reach_the_company_settings(member_client):
    assert member_client.get(EDIT).status_code == 403
    assert member_client.post(EDIT, VALID).status_code == 403


def test_the_account_page_links_to_the_company_settings(admin_client):
    assert EDIT.encode() in admin_client.get(reverse("accounts:my_account")).content


def test_saving_normalises_the_identifiers_and_records_who_changed_which_fields(admin_client, admin_user, company):
    response = post(admin_client, vat_regime="debits", default_payment_delay_days="50")
    assert response.status_code == 302
    company.refresh_from_db()
    assert (company.legal_form, company.share_capital, company.rcs_city, company.rcs_number) == (
        "SARL", Decimal("10000.00"), "Nantes", "732829320")
    assert company.vat_number == "FR44732829320" and company.iban == "FR7630006000011234567890189"
    assert company.bic == "AGRIFRPP" and company.vat_regime == "debits" and company.default_payment_delay_days == 50
    assert company.rcs == "RCS Nantes 732 829 320"
    assert company.share_capital_text.replace("\u202f", " ").replace("\u00a0", " ") == "10 000 €"
    entry = CompanyAuditEntry.objects.get()
    assert entry.user == admin_user
    assert set(entry.changed_fields) == {"legal_form", "share_capital", "rcs_city", "rcs_number", "vat_regime",
                                         "bic", "default_payment_delay_days"}
    page = admin_client.get(EDIT).content.decode()
    assert "Forme juridique" in page and "Capital social" in page and 'id="company-audit"' in page

    # the same values again: nothing saved, nothing audited
    assert post(admin_client, vat_regime="debits", default_payment_delay_days="50").status_code == 302
    assert CompanyAuditEntry.objects.count() == 1


@pytest.mark.parametrize("field, value, message", [
    ("iban", "FR76 3000 6000 0112 3456 7890 188", "Cet IBAN n’est pas valide"),
    ("bic", "AGRI1234X", "Ce BIC n’est pas valide"),
    ("vat_number", "FR45732829320", "Ce numéro de TVA n’est pas valide"),
    ("vat_number", "FR74214401093", "ne correspond pas à votre SIREN"),
    ("rcs_number", "732829321", "clé de contrôle valide"),
    ("rcs_number", "214401093", "n’est pas celui de votre SIRET"),
    ("share_capital", "dix mille", "Saisissez un montant en euros"),
    ("postcode", "440", "5 chiffres"),
    ("legal_name", "   ", "Ce champ est obligatoire"),
])
def test_invalid_details_are_refused_with_a_french_message(admin_client, company, field, value, message):
    response = post(admin_client, **{field: value})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not CompanyAuditEntry.objects.exists()


def test_rcs_city_and_number_go_together(admin_client):
    response = post(admin_client, rcs_city="")
    assert "à la fois la ville du greffe et le numéro RCS" in response.content.decode()


def test_a_logo_is_checked_stored_exactly_served_inert_and_removable(admin_client, company):
    data = png()
    response = post(admin_client, files={"logo": SimpleUploadedFile("logo.png", data, "image/png")})
    assert response.status_code == 302
    company.refresh_from_db()
    assert company.logo_bytes == data and company.logo_mime == "image/png"
    assert "logo" in CompanyAuditEntry.objects.get().changed_fields
    served = admin_client.get(LOGO)
    assert served.content == data and served["Content-Type"] == "image/png"
    assert "sandbox" in served["Content-Security-Policy"] and served["X-Content-Type-Options"] == "nosniff"
    assert 'id="current-logo"' in admin_client.get(EDIT).content.decode()

    assert post(admin_client, remove_logo="on").status_code == 302
    company.refresh_from_db()
    assert company.logo_bytes == b"" and company.logo_mime == ""
    assert admin_client.get(LOGO).status_code == 404


@pytest.mark.parametrize("name, data, content_type, message", [
    ("logo.png", b"GIF89a" + b"\x00" * 40, "image/png", "n’est pas un fichier PNG"),
    ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "image/svg+xml",
     "ne peut contenir ni script"),
    ("logo.gif", b"GIF89a" + b"\x00" * 40, "image/gif", "Seuls ces types de fichiers"),
    ("logo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 600_000, "image/png", "trop volumineux"),
])
def test_bad_logos_are_refused(admin_client, company, name, data, content_type, message):
    response = post(admin_client, files={"logo": SimpleUploadedFile(name, data, content_type)})
    assert response.status_code == 200
    assert message in response.content.decode()
    company.refresh_from_db()
    assert company.logo_bytes == b""


def test_the_documents_print_the_legal_details_and_the_logo(admin_client, company, market_with_situations):
    from chorusbat.invoicing.services import invoice_data_for, preview_pdf
    from chorusbat.invoicing.tests.helpers import pdf_text, situation

    post(admin_client, vat_regime="debits", files={"logo": SimpleUploadedFile("logo.png", png(), "image/png")})
    draft = situation("F2026-0110")
    data = invoice_data_for(draft)
    assert (data.supplier.legal_form, data.supplier.rcs) == ("SARL", "RCS Nantes 732 829 320")
    assert data.vat_on_debits and data.logo is not None and data.logo.data == Company.objects.get().logo_bytes
    text = " ".join(pdf_text(preview_pdf(draft)).replace("\u202f", " ").replace("\u00a0", " ").split())
    assert "SARL au capital de 10 000 €" in text and "RCS Nantes 732 829 320" in text
    assert "TVA acquittée sur les débits" in text


def test_a_change_gets_the_unsent_validated_documents_rebuilt(admin_client, company, market_with_situations):
    from chorusbat.invoicing.models import InvoiceDocument
    from chorusbat.invoicing.services import refresh_document
    from chorusbat.invoicing.tests.helpers import pdf_text, situation

    validated = situation("F2026-0107")
    assert refresh_document(validated.pk) in ("ready", "rebuilt")
    before = InvoiceDocument.objects.get(situation=validated).sha256
    post(admin_client)
    assert refresh_document(validated.pk) == "rebuilt"
    document = InvoiceDocument.objects.get(situation=validated)
    assert document.is_ready and document.sha256 != before
    assert "RCS Nantes 732 829 320" in pdf_text(document.pdf_bytes)


def test_demo_company_has_its_legal_details(db):
    from chorusbat.accounts.demo import DEMO_COMPANY

    assert DEMO_COMPANY["legal_form"] == "SARL" and DEMO_COMPANY["rcs_number"] == "732829320"
    assert DEMO_COMPANY["share_capital"] == Decimal("10000.00")


def test_the_default_payment_delay_is_proposed_for_new_markets(admin_client, company):
    import re

    post(admin_client, default_payment_delay_days="60")
    page = admin_client.get(reverse("markets:create")).content.decode()
    selected = re.search(r'<select name="payment_delay_days"[^>]*>.*?</select>', page, re.S).group(0)
    assert re.search(r'<option value="60" selected>', selected)


def test_a_logo_the_renderer_cannot_draw_is_refused_at_upload(admin_client, company):
    # well-formed and inert, but not a drawing the documents' renderer can decode (negative size)
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="-10" height="abc"><rect width="1" height="1"/></svg>'
    response = post(admin_client, files={"logo": SimpleUploadedFile("logo.svg", svg, "image/svg+xml")})
    assert response.status_code == 200
    assert "Ce logo ne peut pas être dessiné sur les documents" in response.content.decode()
    company.refresh_from_db()
    assert company.logo_bytes == b""
