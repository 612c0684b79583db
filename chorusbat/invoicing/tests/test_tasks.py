"""The document is built by a background task when the situation is validated, never by the situation page."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from chorusbat.gateway.models import Transmission
from chorusbat.invoicing import services
from chorusbat.invoicing.models import DocumentStatus, InvoiceDocument
from chorusbat.invoicing.services import ready_document, refresh_document
from chorusbat.invoicing.tasks import prepare_document
from chorusbat.invoicing.tests.helpers import add_situation, failing_build, pdf_text, situation


def queued_for(situation_id: int) -> int:
    """How many document tasks are waiting for this situation."""
    return sum(1 for row in DBTaskResult.objects.filter(task_path__endswith="tasks.prepare_document",
                                                        status="READY")
               if row.args_kwargs["args"] == [situation_id])


def run_queued() -> list[str]:
    """Run the waiting document tasks, as `chorusbat worker` would, and mark them done."""
    results = []
    for row in DBTaskResult.objects.filter(task_path__endswith="tasks.prepare_document", status="READY"):
        results.append(prepare_document.call(*row.args_kwargs["args"]))
        DBTaskResult.objects.filter(pk=row.pk).update(status="SUCCESSFUL")
    return results


def test_validation_enqueues_the_document_task_and_builds_nothing(firm_market, admin_user, monkeypatch):
    monkeypatch.setattr(services, "build_facturx", lambda data: pytest.fail("built during the validation"))

    validated = add_situation(firm_market, admin_user, "F2026-0201", 10, {"8.2": "600"}, validate=True)

    assert queued_for(validated.pk) == 1
    assert not InvoiceDocument.objects.exists()


def test_the_task_stores_the_document_once_and_is_idempotent(firm_market, admin_user):
    validated = add_situation(firm_market, admin_user, "F2026-0201", 10, {"8.2": "600"}, validate=True)

    assert run_queued() == ["ready"]
    first = InvoiceDocument.objects.get()
    assert first.is_ready and first.inputs_sha256 == services.inputs_digest(services.invoice_data_for(validated))

    assert prepare_document.call(validated.pk) == "ready"  # a duplicate task is a no-op
    assert ready_document(validated).pdf_bytes == first.pdf_bytes  # the gateway gets the same stored bytes
    assert InvoiceDocument.objects.get().sha256 == first.sha256


def test_a_draft_or_a_deleted_situation_makes_the_task_a_no_op(market_with_situations):
    assert refresh_document(situation("F2026-0110").pk) == "draft"
    assert refresh_document(10**9) == "missing"
    assert not InvoiceDocument.objects.exists()


def test_the_situation_page_never_builds_and_says_en_preparation(admin_client, market_with_situations, monkeypatch):
    monkeypatch.setattr(services, "build_facturx", lambda data: pytest.fail("the page built the document"))
    validated = situation("F2026-0093")

    page = admin_client.get(reverse("situations:detail", args=[validated.pk])).content.decode()

    assert "en préparation" in page and 'data-refresh-after="5"' in page
    assert not InvoiceDocument.objects.exists()


def test_the_page_asks_again_for_a_lost_task_at_most_once_a_minute(admin_client, market_with_situations):
    from django.core.cache import cache

    cache.clear()
    validated = situation("F2026-0093")
    DBTaskResult.objects.all().delete()  # the validation's task was lost

    for _ in range(3):
        admin_client.get(reverse("situations:detail", args=[validated.pk]))

    assert queued_for(validated.pk) == 1
    run_queued()
    page = admin_client.get(reverse("situations:detail", args=[validated.pk])).content.decode()
    assert ">conforme<" in page and "Télécharger Factur-X" in page


def test_inputs_changed_before_sending_rebuild_the_document(firm_market, admin_user, company):
    validated = add_situation(firm_market, admin_user, "F2026-0201", 10, {"8.2": "600"}, validate=True)
    run_queued()
    before = InvoiceDocument.objects.get()

    company.iban = "FR7630004000031234567890143"
    company.save()  # enqueues a check of the validated, unsent situations of the company

    assert queued_for(validated.pk) == 1
    assert run_queued() == ["rebuilt"]
    after = InvoiceDocument.objects.get()
    assert after.pk == before.pk and after.is_ready and after.sha256 != before.sha256
    assert "FR76 3000 4000 0312 3456 7890 143" in pdf_text(after.pdf_bytes).replace("\u00a0", " ")
    assert prepare_document.call(validated.pk) == "ready"  # unchanged inputs: nothing rebuilt
    assert InvoiceDocument.objects.get().sha256 == after.sha256


def test_a_rebuild_that_fails_the_gate_replaces_the_stale_document_with_its_report(firm_market, admin_user, company,
                                                                                  monkeypatch):
    validated = add_situation(firm_market, admin_user, "F2026-0201", 10, {"8.2": "600"}, validate=True)
    run_queued()
    monkeypatch.setattr(services, "build_facturx", failing_build)
    company.legal_name = "PEINTURES DU LITTORAL SAS"
    company.save()

    assert refresh_document(validated.pk) == "rebuilt"
    stored = InvoiceDocument.objects.get()
    assert stored.status == DocumentStatus.INVALID and stored.issues[0]["rule"] == "BR-CO-16"


def test_once_handed_to_the_gateway_the_document_is_frozen(firm_market, admin_user, company):
    validated = add_situation(firm_market, admin_user, "F2026-0201", 10, {"8.2": "600"}, validate=True)
    run_queued()
    before = InvoiceDocument.objects.get()
    Transmission.objects.create(company=company, situation=validated)

    company.iban = "FR7630004000031234567890143"
    company.save()

    assert queued_for(validated.pk) == 0  # not even asked
    assert refresh_document(validated.pk) == "ready"  # and a late task keeps the stored bytes
    assert InvoiceDocument.objects.get().sha256 == before.sha256


def test_the_page_says_why_an_invoice_cannot_be_issued_instead_of_waiting(admin_client, market_with_situations,
                                                                          company):
    company.iban = ""
    company.save()

    page = admin_client.get(reverse("situations:detail", args=[situation("F2026-0093").pk])).content.decode()

    assert ">non produite<" in page and "IBAN du fournisseur" in page and "en préparation" not in page


def test_a_rejected_document_is_tried_again_in_the_background_not_by_the_page(admin_client, market_with_situations,
                                                                              monkeypatch):
    from django.core.cache import cache

    cache.clear()
    validated = situation("F2026-0093")
    monkeypatch.setattr(services, "build_facturx", failing_build)
    run_queued()
    assert InvoiceDocument.objects.get(situation=validated).status == DocumentStatus.INVALID

    page = admin_client.get(reverse("situations:detail", args=[validated.pk])).content.decode()

    assert ">non conforme<" in page and queued_for(validated.pk) == 1
    monkeypatch.undo()
    run_queued()
    assert InvoiceDocument.objects.get(situation=validated).is_ready
