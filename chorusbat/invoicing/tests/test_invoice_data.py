"""InvoiceData built from the models carries the engine's figures and the parties' data (no document built)."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from chorusbat import engine
from chorusbat.invoicing.services import DocumentError, invoice_data_for
from chorusbat.invoicing.tests.helpers import add_situation, situation
from chorusbat.markets.services import contract_for
from chorusbat.situations.models import Progress
from chorusbat.situations.services import SituationData, market_situations
from conftest import EXAMPLES_DIR

EXPECTED = EXAMPLES_DIR / "situation-file.example.expected.json"
MONEY = ("a", "d", "b", "ttc", "c", "e", "f", "g", "net")


def test_validated_situations_carry_the_reference_example_figures(market_with_situations):
    """The demo Nantes market is the example contract: its frozen figures are the expected output's, exactly."""
    expected = {s["number"]: s for s in json.loads(EXPECTED.read_text(encoding="utf-8"))["situations"]}
    for number in ("F2026-0093", "F2026-0107"):
        data, wanted = invoice_data_for(situation(number)), expected[number]
        assert {name: getattr(data, name) for name in MONEY} == {name: Decimal(wanted[name]) for name in MONEY}
        assert data.coefficient == Decimal(wanted["coefficient"])
        assert [(r.rate, r.cumulative_ht, r.a, r.d, r.b) for r in data.by_rate] == [
            tuple(Decimal(r[key]) for key in ("rate", "cumulative_ht", "a", "d", "b")) for r in wanted["by_rate"]]
        assert [(line.ref, line.cumulative, line.previous, line.period) for line in data.lines] == [
            (line["ref"], *(Decimal(line[key]) for key in ("cumulative", "previous", "period")))
            for line in wanted["lines"]]
    assert [(p.label, p.amount) for p in invoice_data_for(situation("F2026-0107")).penalties] == [
        ("Retard remise DOE", Decimal("150.00"))]


def test_draft_invoice_data_is_the_engine_result_of_the_chain(market_with_situations):
    market = market_with_situations
    lines = list(market.lines.all())
    refs = {line.pk: line.ref for line in lines}
    chain = [SituationData.of(s).engine_input(refs) for s in market_situations(market)]
    computed = engine.compute(contract_for(market, lines), chain).situations[-1]

    data = invoice_data_for(situation("F2026-0110"))

    assert computed.number == data.invoice_number == "F2026-0110"
    assert {name: getattr(data, name) for name in MONEY} == {name: getattr(computed, name) for name in MONEY}
    assert [(r.rate, r.a, r.d, r.b) for r in data.by_rate] == [(r.rate, r.a, r.d, r.b) for r in computed.by_rate]
    assert [line.period for line in data.lines] == [line.period for line in computed.lines]
    assert not data.is_credit_note


def test_parties_references_and_payment_terms_come_from_the_models(market_with_situations, company):
    data = invoice_data_for(situation("F2026-0093"))

    assert (data.supplier.name, data.supplier.siret, data.supplier.vat_number) == (
        company.legal_name, company.siret, company.vat_number)
    assert (data.supplier.address.line1, data.supplier.address.postcode, data.supplier.address.city) == (
        "12 quai de la Fosse", "44000", "Nantes")
    assert (data.iban, data.bic) == (company.iban, company.bic)
    assert (data.buyer.name, data.buyer.siret, data.service_code) == (
        "Ville de Nantes", "21440109300015", "DIR_BATIMENTS")
    assert (data.market_number, data.engagement, data.framework) == ("2026-TX-004", "1300045678", "A1")
    assert (data.payment_delay_days, data.reverse_charge, data.retention_rate) == (30, False, Decimal("0.05"))
    assert data.moe is None
    assert [(line.ref, line.contract_amount, line.progress) for line in data.lines] == [
        ("7.1", Decimal("12000.00"), Decimal("45")), ("7.2", Decimal("14400.00"), Decimal("120")),
        ("7.3", Decimal("1870.00"), Decimal("0"))]


def test_the_project_manager_of_an_a4_market_is_the_moe(firm_market, admin_user):
    add_situation(firm_market, admin_user, "F2026-0201", 10, {"8.1": "50"}, validate=True)

    data = invoice_data_for(situation("F2026-0201"))

    assert (data.moe.name, data.moe.siret) == ("Atelier d'architecture Ouest", "44306184100013")
    assert (data.framework, data.engagement, data.service_code) == ("A4", "", "MAITRISE_OUVRAGE")


def test_a_negative_situation_is_a_credit_note_on_the_previous_invoice(firm_market, admin_user):
    first = add_situation(firm_market, admin_user, "F2026-0201", 10, {"8.2": "600"}, validate=True)
    add_situation(firm_market, admin_user, "F2026-0202", 11, {"8.2": "500"}, validate=False)

    data = invoice_data_for(situation("F2026-0202"))

    assert data.ttc < 0 and data.is_credit_note
    assert (data.original_invoice_number, data.original_invoice_date) == (first.number, first.date)
    assert invoice_data_for(first).original_invoice_number == ""  # an ordinary invoice cites nothing


def test_a_company_without_iban_gets_a_french_error(market_with_situations, company):
    company.iban = ""
    company.save()

    with pytest.raises(DocumentError, match="IBAN du fournisseur"):
        invoice_data_for(situation("F2026-0093"))


def test_a_draft_the_engine_rejects_gives_its_messages(market_with_situations):
    draft = situation("F2026-0110")
    Progress.objects.filter(situation=draft, line__ref="7.1").update(value=Decimal("120"))

    with pytest.raises(DocumentError) as caught:
        invoice_data_for(draft)
    assert "F2026-0110" in str(caught.value) and "7.1" in str(caught.value)
