"""Works pieces (A4, A10, A13) against the sandbox process: deposited once under chorusbat's own number, found
again after an uncertain deposit (by number, or by market and amounts when Chorus Pro numbered the piece), held
when the works API is missing, never sent through the invoice actions (fidelity review B1, B4, B5, B8, U13)."""

from collections import Counter

import pytest

from chorusbat.gateway import actions
from chorusbat.gateway.models import Transmission, TransmissionEvent
from chorusbat.gateway.services import send
from chorusbat.gateway.tests.conftest import all_integrated, drain, make_situations, step_now

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]

CADRES = {"A4": "A4_PROJET_DECOMPTE_MENSUEL_FOURNISSEUR", "A10": "A10_PROJET_DECOMPTE_MENSUEL_SOUSTRAITANT",
          "A13": "A13_PROJET_DECOMPTE_MENSUEL_COTRAITANT"}
SUBMIT = "/cpro/facturesTravaux/v1/soumettre"


def pieces(chorus, number):
    return [i for i in chorus.invoices() if i["numeroFacture"] == number]


@pytest.mark.parametrize("framework", ["A4", "A10", "A13"])
def test_each_works_framework_reaches_chorus_once_under_our_number(chorus, connected, company, admin_user,
                                                                     framework):
    from chorusbat.gateway.sync import sync_company

    situations = make_situations(company, admin_user, markets=1, per_market=2, prefix=f"W{framework}-",
                                 frameworks=(framework,))
    send(situations)
    drain(chorus, until=all_integrated)
    for s in situations:
        t = Transmission.objects.get(situation=s)
        found = pieces(chorus, s.number)
        assert len(found) == 1, found
        assert found[0]["cadre"] == CADRES[framework] and found[0]["modeDepot"] == "DEPOT_PDF_API"
        assert found[0]["typeDemandePaiement"] == "FACTURE_TRAVAUX"
        assert t.chorus_invoice_id == found[0]["identifiantFactureCPP"] and t.chorus_invoice_number == s.number
    # The works circuit is followed: A10 / A13 start with their validator, A4 with the MOE.
    t = Transmission.objects.get(situation=situations[0])
    first = t.chorus_status
    assert first == ("DEPOSEE" if framework == "A4" else "A_VALIDER_1")
    for _ in range(4):
        chorus.advance(1)
        sync_company(company.pk)
    t.refresh_from_db()
    assert t.chorus_status != first


def test_uncertain_works_deposit_is_found_not_deposited_again(chorus, connected, company, admin_user):
    situations = make_situations(company, admin_user, markets=1, per_market=1, prefix="WU-", frameworks=("A10",))
    chorus.set_faults([{"route": SUBMIT, "p_accept_then_500": 1.0}], seed=1)
    send(situations)
    t = Transmission.objects.get()
    assert step_now(t.pk).state == "uncertain"
    chorus.clear_faults()
    drain(chorus, until=all_integrated)
    assert len(pieces(chorus, situations[0].number)) == 1
    assert TransmissionEvent.objects.filter(kind="adopted").exists()
    assert chorus.requests()[SUBMIT] == 1


def test_a_piece_chorus_numbered_itself_is_found_by_market_and_amounts(chorus, connected, company, admin_user,
                                                                       monkeypatch):
    """B1: a piece submitted in SAISIE_API carries Chorus Pro's number, not ours; the lookup still finds it."""
    from chorusbat.chorus.enums import DepositMode
    from chorusbat.gateway.routes import WorksRoute

    situations = make_situations(company, admin_user, markets=1, per_market=2, prefix="WN-", frameworks=("A4",))
    send(situations[:1])
    drain(chorus, until=all_integrated)  # the first one, normally: a piece of the same market already there
    monkeypatch.setattr(WorksRoute, "DEPOSIT_MODE", DepositMode.SAISIE_API)
    chorus.set_faults([{"route": SUBMIT, "p_accept_then_500": 1.0}], seed=1)
    send(situations[1:])
    t = Transmission.objects.get(situation=situations[1])
    assert step_now(t.pk).state == "uncertain"
    chorus.clear_faults()
    monkeypatch.setattr(WorksRoute, "DEPOSIT_MODE", DepositMode.DEPOT_PDF_API)
    drain(chorus, until=all_integrated)
    numbers = Counter(i["numeroFacture"] for i in chorus.invoices())
    assert numbers[situations[0].number] == 1 and situations[1].number not in numbers  # Chorus Pro's number
    assert len(chorus.invoices()) == 2  # not deposited again
    t.refresh_from_db()
    assert t.chorus_invoice_number != situations[1].number and t.chorus_invoice_number.isdigit()
    first = Transmission.objects.get(situation=situations[0])
    assert t.chorus_invoice_id != first.chorus_invoice_id


def test_works_api_missing_holds_with_a_precise_message(chorus, connected, company, admin_user):
    situations = make_situations(company, admin_user, markets=1, per_market=1, prefix="W404-", frameworks=("A4",))
    chorus.configure(works_api=False)
    send(situations)
    drain(chorus, until=lambda: Transmission.objects.get().state == "held", advance=False)
    t = Transmission.objects.get()
    assert "non disponible par API dans cet environnement" in t.reason and t.needs_person
    assert not chorus.requests().get("/cpro/transverses/v1/ajouter/fichier")  # nothing uploaded for nothing
    chorus.configure(works_api=True)
    send(situations)  # "Try again"
    drain(chorus, until=all_integrated)
    assert len(pieces(chorus, situations[0].number)) == 1


def test_a_negative_works_piece_is_held_for_a_person(chorus, connected, company, admin_user):
    import datetime
    from decimal import Decimal as D

    from chorusbat.gateway.tests.conftest import make_market
    from chorusbat.situations.services import SituationData, save_draft, validate_situation

    market = make_market(company, admin_user, 90, "A4")
    lines = list(market.lines.order_by("position"))
    made = []
    for k, progress in enumerate((D("60"), D("10"))):  # the second month undoes most of the first: negative
        period = datetime.date(2021, k + 1, 1)
        data = SituationData(number=f"WNEG-{k}", period=period, date=period + datetime.timedelta(days=27),
                             index_value=None, advance_paid=D("0"), progress={lines[0].id: progress, lines[1].id: D("0")})
        made.append(validate_situation(save_draft(market, data, admin_user), admin_user))
    assert made[1].ttc_amount < 0
    situations = made[1:]
    send(situations)
    drain(chorus, until=lambda: Transmission.objects.get().state == "held", advance=False)
    t = Transmission.objects.get()
    assert t.needs_person and "négatif" in t.reason and t.attempts == 0, t.reason
    assert not chorus.invoices()


@pytest.mark.parametrize("status, action", [("SUSPENDUE", "complete"), ("A_RECYCLER", "recycle"),
                                            ("REJETEE", "acknowledge")])
def test_invoice_actions_are_refused_on_works_pieces(chorus, connected, company, admin_user, status, action):
    situations = make_situations(company, admin_user, markets=1, per_market=1, prefix=f"WA{action[:3]}-",
                                 frameworks=("A4",))
    send(situations)
    drain(chorus, until=all_integrated)
    t = Transmission.objects.get()
    Transmission.objects.filter(pk=t.pk).update(chorus_status=status)
    t.refresh_from_db()
    calls = {"complete": lambda: actions.complete(t, "Pièce ajoutée", []),
             "recycle": lambda: actions.recycle(t, "27440045600019", "MAITRISE_OUVRAGE", ""),
             "acknowledge": lambda: actions.acknowledge_rejection(t)}
    with pytest.raises(actions.ActionRefused, match="portail Chorus Pro"):
        calls[action]()
    requests = chorus.requests()
    assert not any(path.startswith(("/cpro/factures/v1/completer", "/cpro/factures/v1/recycler",
                                    "/cpro/factures/v1/traiterRejet")) for path in requests)
