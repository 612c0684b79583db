"""The projet de décompte final sent through the gateway to the sandbox process (situation-rules.md §6): an A4
market's final statement goes as A7, an A10's as A11, an A13's as A14, an A1 market's as an ordinary A1 invoice;
each is integrated once under our number, then followed by the status sync."""

import datetime
from decimal import Decimal as D

import pytest

from chorusbat.gateway.models import Transmission
from chorusbat.gateway.services import send
from chorusbat.gateway.tests.conftest import all_integrated, drain, make_market

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]

FINAL_CADRES = {"A1": "A1_FACTURE_FOURNISSEUR", "A4": "A7_PROJET_DECOMPTE_FINAL_FOURNISSEUR",
                "A10": "A11_PROJET_DECOMPTE_FINAL_SOUSTRAITANT", "A13": "A14_PROJET_DECOMPTE_FINAL_COTRAITANT"}
MONTHLY_CADRES = {"A1": "A1_FACTURE_FOURNISSEUR", "A4": "A4_PROJET_DECOMPTE_MENSUEL_FOURNISSEUR",
                  "A10": "A10_PROJET_DECOMPTE_MENSUEL_SOUSTRAITANT", "A13": "A13_PROJET_DECOMPTE_MENSUEL_COTRAITANT"}


def monthly_then_final(company, user, framework: str):
    """A market of ``framework`` with one validated monthly situation, then its validated final statement."""
    from chorusbat.situations.services import SituationData, save_draft, validate_situation

    market = make_market(company, user, 70, framework)
    first, second = market.lines.order_by("position")[:2]
    made = []
    for k, (final, progress) in enumerate(((False, (D("40"), D("5"))), (True, (D("100"), D("12"))))):
        period = datetime.date(2021, k + 1, 1)
        data = SituationData(number=f"FIN{framework}-{k}", period=period, date=period + datetime.timedelta(days=27),
                             index_value=None, advance_paid=D("0"),
                             progress={first.id: progress[0], second.id: progress[1]}, final=final)
        made.append(validate_situation(save_draft(market, data, user), user))
    assert [s.final for s in made] == [False, True]
    return made


@pytest.mark.parametrize("framework", ["A4", "A10", "A13", "A1"])
def test_a_final_statement_goes_in_its_final_framework_and_is_followed(chorus, connected, company, admin_user,
                                                                         framework):
    from chorusbat.gateway.sync import sync_company

    situations = monthly_then_final(company, admin_user, framework)
    send(situations)
    drain(chorus, until=all_integrated)
    for situation, cadres in zip(situations, (MONTHLY_CADRES, FINAL_CADRES)):
        found = [i for i in chorus.invoices() if i["numeroFacture"] == situation.number]
        assert len(found) == 1, found
        assert found[0]["cadre"] == cadres[framework]
        t = Transmission.objects.get(situation=situation)
        assert t.state == "integrated" and t.chorus_invoice_id == found[0]["identifiantFactureCPP"]
    if framework != "A1":
        assert found[0]["typeDemandePaiement"] == "FACTURE_TRAVAUX" and found[0]["modeDepot"] == "DEPOT_PDF_API"
    # followed: the status sync moves the final statement along its circuit
    t = Transmission.objects.get(situation=situations[-1])
    first_status = t.chorus_status
    assert first_status
    for _ in range(4):
        chorus.advance(1)
        sync_company(company.pk)
    t.refresh_from_db()
    assert t.chorus_status != first_status and t.status_changes.exists()
