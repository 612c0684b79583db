"""Bring your own invoice: a Factur-X made elsewhere goes through the same gate, then to Chorus Pro once."""

import base64
import dataclasses

import pytest

from chorusbat.api.models import ImportedInvoice, WebhookDelivery
from chorusbat.gateway.models import Transmission
from chorusbat.gateway.tests.conftest import all_integrated, connected, drain  # noqa: F401 - fixture


def foreign_invoice(company, number="ERP-2026-0001", **changes):
    """A valid Factur-X produced "by an ERP": chorusbat's builder on invoice data that is not one of its
    situations (the situation used to fill the data is deleted afterwards)."""
    from chorusbat.facturx import build_facturx

    return build_facturx(foreign_data(company, number, **changes))


def foreign_data(company, number, **changes):
    from chorusbat.gateway.tests.conftest import make_situations
    from chorusbat.invoicing.services import invoice_data_for

    situation = make_situations(company, None, markets=1, per_market=1, prefix="TMP")[0]
    data = dataclasses.replace(invoice_data_for(situation), invoice_number=number, **changes)
    market = situation.market
    situation.delete()
    market.delete()
    return data


def upload(api, pdf, name="facture.pdf"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return api.client.post("/api/v1/invoices", {"file": SimpleUploadedFile(name, pdf, "application/pdf")},
                           **api.headers())


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres
def test_an_erp_invoice_is_checked_sent_once_and_followed(api, company, chorus, connected, receiver):  # noqa: F811
    document = foreign_invoice(company)
    hook = api.post("/webhooks", {"url": receiver.url, "events": ["invoice.integrated", "situation.validated"]})
    response = upload(api, document.pdf)
    assert response.status_code == 201, response.content
    invoice = response.json()
    assert invoice["number"] == "ERP-2026-0001" and invoice["buyer"]["siret"] == "21440109300015"
    assert invoice["transmission"]["state"] == "queued"
    # the same file again, by multipart or base64: refused, never sent twice
    again = api.post("/invoices", {"file_base64": base64.b64encode(document.pdf).decode()})
    assert again.status_code == 409 and "ERP-2026-0001" in again.json()["detail"]

    drain(chorus, until=all_integrated)
    assert [i["numeroFacture"] for i in chorus.invoices()].count("ERP-2026-0001") == 1
    followed = api.get(f"/invoices/{invoice['id']}").json()
    assert followed["transmission"]["state"] == "integrated" and followed["transmission"]["chorus_invoice_id"]
    sent = api.client.get(f"/api/v1/situations/{invoice['situation_id']}/facturx", **api.headers())
    assert sent.content == bytes(document.pdf)  # exactly the uploaded bytes
    from chorusbat.api.tests.conftest import run_worker

    run_worker()
    [(msg_id, payload)] = receiver.verified(hook.json()["secret"])
    assert payload["type"] == "invoice.integrated" and payload["data"]["invoice_id"] == invoice["id"]
    assert WebhookDelivery.objects.filter(event_type="situation.validated").count() == 0


@pytest.mark.django_db
def test_an_invalid_invoice_is_refused_with_the_failed_rules(api, company, other_company):
    from chorusbat.facturx import render_pdf
    from chorusbat.facturx.invoice_model import Party

    document = foreign_invoice(company, number="ERP-2")
    plain = api.post("/invoices", {"file_base64": base64.b64encode(b"%PDF-1.7 nothing").decode()})
    assert plain.status_code == 422 and plain["Content-Type"] == "application/problem+json"
    assert plain.json()["errors"][0]["pointer"] == "/file"

    # a readable PDF without its factur-x.xml
    response = upload(api, render_pdf(foreign_data(company, "ERP-3")))
    assert response.status_code == 422
    assert any(e["rule"] in ("FACTURX-ATTACHMENT", "PDF-READ") for e in response.json()["errors"])

    # another seller than the key's company
    theirs = foreign_invoice(company, number="ERP-4", supplier=Party(name="AUTRE BTP", siret="21440109300015",
                                                                      vat_number="FR27214401093"))
    response = upload(api, theirs.pdf)
    assert response.status_code == 422, response.content
    assert "CHORUSBAT-SELLER" in {e["rule"] for e in response.json()["errors"]}
    assert not ImportedInvoice.objects.exists() and not Transmission.objects.exists()
    assert upload(api, document.pdf).status_code == 201  # the valid one passes


@pytest.mark.django_db
def test_unreadable_uploads(api, other_api, company):
    assert api.post("/invoices", {"file_base64": "***"}).status_code == 422
    assert api.post("/invoices", {"nope": 1}).status_code == 422
    assert api.post("/invoices", "[1, 2").status_code == 400
    response = api.client.post("/api/v1/invoices", data=b"x", content_type="text/plain", **api.headers())
    assert response.status_code == 415
    response = api.client.post("/api/v1/invoices", {"other": "x"}, **api.headers())
    assert response.status_code == 422
    assert other_api.get("/invoices/1").status_code == 404


@pytest.mark.django_db
def test_an_imported_invoice_shows_on_the_screens(api, admin_client, company):
    invoice = upload(api, foreign_invoice(company, number="ERP-9").pdf).json()
    situation_id = invoice["situation_id"]
    market_id = api.get(f"/situations/{situation_id}").json()["market_id"]
    for url in ["/marches/", f"/marches/{market_id}/", f"/situations/{situation_id}/", "/transmissions/",
                "/transmissions/liste/", f"/situations/marche/{market_id}/", f"/documents/{situation_id}/factur-x.pdf"]:
        response = admin_client.get(url)
        assert response.status_code == 200, url
    page = admin_client.get(f"/situations/{situation_id}/").content.decode()
    assert "ERP-9" in page

