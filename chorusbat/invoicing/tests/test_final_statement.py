"""The stored Factur-X of a projet de décompte final (situation-rules.md §6): built from the models, titled so,
recalling the market over its chain, through the gate."""

from __future__ import annotations

from decimal import Decimal

from chorusbat.invoicing.services import invoice_data_for, preview_pdf, ready_document
from chorusbat.invoicing.tests.helpers import add_situation, pdf_text
from chorusbat.situations.models import Situation
from chorusbat.situations.services import validate_situation


def test_a_final_statement_from_the_models_recalls_the_market_and_passes_the_gate(firm_market, admin_user):
    first = add_situation(firm_market, admin_user, "F2026-0201", 10, {"8.1": "50", "8.2": "600"}, validate=True)
    draft = add_situation(firm_market, admin_user, "F2026-0202", 11,
                          {"8.1": "100", "8.2": "1800", "8.3": "300", "8.4": "100"}, validate=False, final=True)
    assert "Projet de décompte final" in pdf_text(preview_pdf(draft))  # the preview says so too

    final = Situation.objects.get(pk=validate_situation(draft, admin_user).pk)
    first.refresh_from_db()
    recap = invoice_data_for(final).final_recap
    assert recap.acomptes_ht == first.a_amount + first.d_amount + final.a_amount + final.d_amount
    assert recap.acomptes_ttc == first.ttc_amount + final.ttc_amount
    assert recap.advance_recovered == first.f_amount + final.f_amount == recap.advance_amount
    assert recap.advance_amount == (Decimal("0.05") * firm_market.contract_ttc).quantize(Decimal("0.01"))
    assert recap.retention_held == first.g_amount + final.g_amount
    assert (recap.initial_ht, recap.current_ht) == (firm_market.contract_ht, firm_market.contract_ht)

    document = ready_document(final)
    assert document.is_ready and document.report["ok"] is True
    text = " ".join(pdf_text(document.pdf_bytes).split())
    assert "Projet de décompte final n° F2026-0202" in text and "Récapitulatif du marché" in text
    assert "Projet de décompte final du marché OPH44-2026-017" in document.xml_bytes.decode()
    # the monthly one is unchanged
    assert "Projet de décompte final" not in pdf_text(ready_document(first).pdf_bytes)
