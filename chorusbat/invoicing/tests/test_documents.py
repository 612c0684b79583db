"""The stored Factur-X of a validated situation: produced once through the gate, reused, never silently altered."""

from __future__ import annotations

import hashlib
import threading

import facturx
import pytest

from chorusbat.facturx import ValidatorUnavailable
from chorusbat.invoicing import services
from chorusbat.invoicing.models import DocumentStatus, InvoiceDocument
from chorusbat.invoicing.services import (
    DocumentInvalid,
    DocumentTampered,
    SituationNotValidated,
    ValidationUnavailable,
    preview_pdf,
    ready_document,
)
from chorusbat.invoicing.tests.helpers import (
    FAILED_REPORT,
    add_situation,
    embedded_files,
    failing_build,
    pdf_text,
    situation,
)
from chorusbat.situations.demo import create_demo_markets
from chorusbat.situations.models import Situation


def test_every_validated_demo_situation_yields_a_document_that_passes_the_gate(company, admin_user):
    create_demo_markets(company, admin_user)
    validated = Situation.objects.filter(status="validated").order_by("number")
    assert [s.number for s in validated] == ["F2026-0093", "F2026-0107", "F2026-0108"]

    for item in validated:
        document = ready_document(item)
        pdf = document.pdf_bytes
        assert document.status == DocumentStatus.READY and document.report["ok"] is True
        assert document.report["issues"] == []
        assert "schematron EN 16931" in document.report["checks"]
        assert "schematron CTC FR" in document.report["checks"]
        assert document.sha256 == hashlib.sha256(pdf).hexdigest()
        assert document.xml_sha256 == hashlib.sha256(document.xml_bytes).hexdigest()
        assert facturx.get_xml_from_pdf(pdf, check_xsd=False) == ("factur-x.xml", document.xml_bytes)
        assert item.number in pdf_text(pdf)

    for draft in Situation.objects.filter(status="draft"):
        with pytest.raises(SituationNotValidated, match="brouillon"):
            ready_document(draft)
    assert InvoiceDocument.objects.count() == 3


def test_the_stored_bytes_are_reused_and_never_rebuilt(market_with_situations, monkeypatch):
    first = ready_document(situation("F2026-0093"))
    monkeypatch.setattr(services, "build_facturx", lambda data: pytest.fail("the document was rebuilt"))

    again = ready_document(situation("F2026-0093"))

    assert (again.pk, again.sha256, again.pdf_bytes) == (first.pk, first.sha256, first.pdf_bytes)
    assert preview_pdf(situation("F2026-0093")) == first.pdf_bytes


TAMPERINGS = [
    {"pdf": "flipped byte"}, {"xml": "flipped byte"},
    {"report": {"ok": True, "checks": ["XSD"], "issues": [{"rule": "BR-CO-16"}]}},
    {"report": {"ok": False, "checks": [], "issues": []}},
]


def test_a_tampered_stored_document_is_refused(market_with_situations, monkeypatch):
    document = ready_document(situation("F2026-0093"))
    intact = {name: getattr(document, name) for name in ("pdf", "xml", "report")}
    monkeypatch.setattr(services, "build_facturx", lambda data: pytest.fail("a tampered document was rebuilt"))

    for tampering in TAMPERINGS:
        changes = {}
        for name, value in tampering.items():
            if value == "flipped byte":
                original = bytes(intact[name])
                value = original[:-1] + bytes([original[-1] ^ 1])
            changes[name] = value
        InvoiceDocument.objects.filter(pk=document.pk).update(**changes)
        with pytest.raises(DocumentTampered, match="empreinte SHA-256"):
            ready_document(situation("F2026-0093"))
        InvoiceDocument.objects.filter(pk=document.pk).update(**intact)
        assert ready_document(situation("F2026-0093")).sha256 == document.sha256


def test_a_rejected_document_stores_its_report_and_is_retried(market_with_situations, monkeypatch):
    real_build = services.build_facturx
    monkeypatch.setattr(services, "build_facturx", failing_build)

    with pytest.raises(DocumentInvalid) as caught:
        ready_document(situation("F2026-0093"))
    assert "BR-CO-16 (valeur : 12786.02)" in str(caught.value)
    assert "a échoué à 1 contrôle" in str(caught.value)
    stored = InvoiceDocument.objects.get()
    assert (stored.status, stored.pdf_bytes, stored.sha256) == (DocumentStatus.INVALID, b"", "")
    assert [(issue["rule"], issue["value"]) for issue in stored.issues] == [("BR-CO-16", "12786.02")]

    monkeypatch.setattr(services, "build_facturx", real_build)
    ready = ready_document(situation("F2026-0093"))
    assert (ready.pk, ready.status, ready.report["issues"]) == (stored.pk, DocumentStatus.READY, [])

    # A failure racing with a successful producer can never replace its ready document.
    assert services._store(ready.situation, services._invalid_fields(FAILED_REPORT)).is_ready
    assert InvoiceDocument.objects.get().sha256 == ready.sha256


def test_a_validator_that_cannot_run_stores_nothing(market_with_situations, monkeypatch):
    def unavailable(data):
        raise ValidatorUnavailable("Le contrôle « EN16931 » n'a pas pu s'exécuter : fichier absent")

    monkeypatch.setattr(services, "build_facturx", unavailable)

    with pytest.raises(ValidationUnavailable, match="fichier absent"):
        ready_document(situation("F2026-0093"))
    assert not InvoiceDocument.objects.exists()


def test_a_credit_note_from_the_models_passes_the_gate(firm_market, admin_user):
    add_situation(firm_market, admin_user, "F2026-0201", 10, {"8.2": "600"}, validate=True)
    credit = add_situation(firm_market, admin_user, "F2026-0202", 11, {"8.2": "500"}, validate=True)

    document = ready_document(credit)

    xml = document.xml_bytes.decode()
    assert document.is_ready and "<ram:TypeCode>381</ram:TypeCode>" in xml
    assert "<ram:IssuerAssignedID>F2026-0201</ram:IssuerAssignedID>" in xml


def test_a_draft_preview_is_stamped_and_never_stored(market_with_situations):
    pdf = preview_pdf(situation("F2026-0110"))

    text = pdf_text(pdf)
    assert "APERÇU — NON VALIDÉE" in text and "F2026-0110" in text
    assert embedded_files(pdf) == []  # a draft is not an invoice: no factur-x.xml inside
    assert not InvoiceDocument.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_producers_end_with_one_stored_document(market_with_situations, monkeypatch):
    """Both workers build (the barrier holds them until both have), then race to store: one row, one document."""
    from django.db import connection

    workers = 2
    barrier = threading.Barrier(workers)
    real_build = services.build_facturx

    def build_then_wait(data):
        built = real_build(data)
        barrier.wait(timeout=120)
        return built

    monkeypatch.setattr(services, "build_facturx", build_then_wait)
    pk = situation("F2026-0093").pk
    results, errors = [], []

    def run():
        try:
            results.append(ready_document(Situation.objects.get(pk=pk)))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(180)

    assert not errors, errors
    stored = InvoiceDocument.objects.get()
    assert stored.is_ready
    assert [(d.pk, d.sha256, d.pdf_bytes) for d in results] == [(stored.pk, stored.sha256, stored.pdf_bytes)] * 2
