"""Attachments and company settings in a real browser, on a 390 px wide phone, under the site's CSP."""

import io

import pytest
from PIL import Image

from chorusbat.invoicing.models import SituationAttachment
from chorusbat.invoicing.tests.helpers import situation
from chorusbat.markets.tests.fixtures import market_with_situations  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (90, 60), (40, 130, 70)).save(out, "PNG")
    return out.getvalue()


def watch_console(page) -> list[str]:
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    return problems


def test_uploading_showing_and_removing_an_attachment_on_a_phone(page, login, admin_user, market_with_situations):
    draft = situation("F2026-0110")
    page.set_viewport_size({"width": 390, "height": 844})
    errors = watch_console(page)
    login(page, admin_user)
    page.goto(f"/situations/{draft.pk}/")
    page.wait_for_selector("#attachment-form")
    assert page.inner_text("#no-attachments") == "Aucune pièce jointe."

    # a file whose bytes are not what its name says is refused, with the reason
    page.set_input_files("#id_file", files=[{"name": "pv.pdf", "mimeType": "application/pdf",
                                             "buffer": b"MZ\x90\x00 not a pdf" + b"\x00" * 64}])
    page.click("#attachment-submit")
    page.wait_for_selector("text=n’est pas un fichier PDF")
    assert not SituationAttachment.objects.exists()

    data = photo()
    page.set_input_files("#id_file", files=[{"name": "Façade nord.png", "mimeType": "image/png", "buffer": data}])
    page.select_option("#id_kind", "photo")
    page.fill("#id_description", "état avant peinture")
    page.click("#attachment-submit")
    page.wait_for_selector("#attachment-list")
    attachment = SituationAttachment.objects.get()
    assert attachment.data_bytes == data and attachment.filename == "Facade-nord.png"
    row = page.inner_text(f"#attachment-{attachment.pk}")
    assert "Facade-nord.png" in row and "photo de chantier — état avant peinture" in row and attachment.sha256 in row
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    with page.expect_download() as download:
        page.click(f"#attachment-{attachment.pk} a")
    assert open(download.value.path(), "rb").read() == data

    page.click(f"#remove-attachment-{attachment.pk}")
    page.wait_for_selector("#no-attachments")
    assert not SituationAttachment.objects.exists()
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e], errors


def test_company_settings_with_a_logo_on_a_phone(page, login, admin_user, company):
    page.set_viewport_size({"width": 390, "height": 844})
    errors = watch_console(page)
    login(page, admin_user)
    page.goto("/compte/")
    page.click("#company-button")
    page.wait_for_selector("#company-form")
    page.fill("input[name=legal_form]", "SARL")
    page.fill("input[name=share_capital]", "10 000")
    page.fill("input[name=rcs_city]", "Nantes")
    page.fill("input[name=rcs_number]", "732 829 320")
    page.fill("input[name=bic]", "agrifrpp")
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40"><rect width="120" height="40" ' \
          b'fill="#135"/></svg>'
    page.set_input_files("#id_logo", files=[{"name": "logo.svg", "mimeType": "image/svg+xml", "buffer": svg}])
    page.click("#company-save")
    page.wait_for_selector("#current-logo")
    # The logo is drawn once the browser has loaded it (on a busy machine, after the page itself): wait for that.
    page.wait_for_function("() => { const img = document.querySelector('#current-logo');"
                           " return img && img.complete && img.naturalWidth > 0; }", timeout=30000)
    assert page.evaluate("document.querySelector('#current-logo').naturalWidth") > 0
    assert "Forme juridique" in page.inner_text("#company-audit")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    company.refresh_from_db()
    assert company.rcs == "RCS Nantes 732 829 320" and company.bic == "AGRIFRPP" and company.logo_bytes == svg
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e], errors
