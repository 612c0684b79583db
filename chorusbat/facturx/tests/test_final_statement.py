"""The projet de décompte final as a Factur-X (situation-rules.md §6): titled so, the market recalled, BT-22 note,
and the gate passes."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings

from chorusbat.facturx import FinalRecap, InvoiceDataError, build_facturx, build_xml, validate_xml
from chorusbat.facturx.pdf_render import document_data

from .factories import example_file, invoices, situation_files
from .test_pdf_pipeline import assert_facturx, pdf_text_of
from .test_xml_gate import assert_valid, xpath


def final_example() -> dict:
    """The reference example, its second situation being the projet de décompte final."""
    data = example_file()
    data["situations"][-1]["final"] = True
    return data


def test_the_final_statement_is_a_valid_facturx_titled_and_recalling_the_market():
    first, final = invoices(final_example())
    assert not first.final and first.final_recap is None
    recap = final.final_recap
    assert final.final and recap is not None
    # Σ over the chain: a + d and ttc of both situations; the advance recovered in full (Σ f = A)
    assert recap.acomptes_ht == first.a + first.d + final.a + final.d
    assert recap.acomptes_ttc == first.ttc + final.ttc
    assert recap.advance_recovered == first.f + final.f == recap.advance_amount
    assert recap.retention_held == first.g + final.g
    assert recap.current_ht == recap.initial_ht and recap.amendments_ht == 0 and recap.situations == 2

    document = build_facturx(final)
    assert document.report.ok, str(document.report)
    assert_facturx(document.pdf)
    text = pdf_text_of(document.pdf)
    assert "Projet de décompte final n° F2026-0107" in text
    assert "Récapitulatif du marché" in text
    for amount in (recap.acomptes_ht, recap.acomptes_ttc, recap.advance_recovered, recap.retention_held,
                   recap.initial_ttc):
        assert f"{amount:,.2f}".replace(",", " ").replace(".", ",") + " €" in text
    assert "décompte général définitif" in text

    notes = xpath(document.xml, "//ram:IncludedNote/ram:Content/text()")
    final_notes = [note for note in notes if note.startswith("Projet de décompte final du marché 2026-TX-004")]
    assert len(final_notes) == 1 and "Retenue de garantie retenue" in final_notes[0]
    assert sorted(xpath(document.xml, "//ram:IncludedNote/ram:SubjectCode/text()")) == [
        "AAB", "AAI", "AAI", "PMD", "PMT"]


def test_a_monthly_situation_is_unchanged():
    first, second = invoices(example_file())
    assert not second.final
    assert document_data(second)["document_label"] == "Facture" and document_data(second)["recap"] == []
    assert not any(note.startswith("Projet de décompte final")
                   for note in xpath(build_xml(second), "//ram:IncludedNote/ram:Content/text()"))


def test_a_final_statement_needs_its_recap_and_a_coherent_one():
    _first, final = invoices(final_example())
    with pytest.raises(InvoiceDataError):
        dataclasses.replace(final, final_recap=None)
    with pytest.raises(InvoiceDataError):
        dataclasses.replace(final, final=False)
    wrong = dataclasses.replace(final.final_recap, current_ht=final.final_recap.current_ht + Decimal("0.01"))
    with pytest.raises(InvoiceDataError):
        dataclasses.replace(final, final_recap=wrong)
    assert isinstance(final.final_recap, FinalRecap)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(situation_files())
def test_generated_final_statements_pass_the_gate(file_data):
    file_data["situations"][-1]["final"] = True
    data = invoices(file_data)[-1]
    assert data.final
    xml = assert_valid(data)
    assert validate_xml(xml, data).ok
    assert any(note.startswith("Projet de décompte final")
               for note in xpath(xml, "//ram:IncludedNote/ram:Content/text()"))
