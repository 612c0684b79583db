"""Flux error states, IN_TRAITE_SE_CPP and the deadline of a deposited flux, produced on demand by the sandbox
process (fidelity review B2, U11)."""

import time

import pytest

from chorusbat.gateway.models import Transmission
from chorusbat.gateway.services import send
from chorusbat.gateway.tests.conftest import all_integrated, drain, make_situations, step_now

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]

FLUX = "/cpro/factures/v1/deposer/flux"
ERROR_WORDS = {"IN_INCIDENTE": "incident", "IN_ERREUR_INTERNE": "erreur interne",
               "QP_IRRECEVABLE": "irrecevable", "QP_RECEVABLE_AVEC_ERREUR": "avec des erreurs"}


@pytest.mark.parametrize("state", list(ERROR_WORDS))
def test_a_flux_in_error_is_reported_then_held_for_a_person(chorus, connected, company, admin_user, state):
    situations = make_situations(company, admin_user, markets=1, per_market=1, prefix=f"E{state[:5]}-")
    chorus.set_faults([{"route": FLUX, "flux_state": state}], seed=1)
    send(situations)
    t = Transmission.objects.get()
    assert step_now(t.pk).state == "deposited"
    chorus.advance(2)
    assert step_now(t.pk).state == "deposited"  # an error state may still move on: not held at once
    t.refresh_from_db()
    assert t.flux_state == state
    event = t.events.filter(kind="flux_state").last()
    assert ERROR_WORDS[state] in event.message and "Erreurs signalées par Chorus Pro" in event.message
    assert event.data["errors"]  # listeErreurTechnique / listeErreurDP, shown
    time.sleep(2.5)  # CHORUSBAT_GATEWAY_FLUX_ERROR_GRACE_SECONDS in the tests
    assert step_now(t.pk).state == "held"
    t.refresh_from_db()
    assert t.needs_person and t.flux_number in t.reason and "toujours en erreur" in t.reason
    assert event.data["errors"][0].split(" (")[0] in t.reason
    assert not chorus.invoices()


def test_a_processed_flux_is_searched_by_its_number(chorus, connected, company, admin_user):
    situations = make_situations(company, admin_user, markets=1, per_market=1, prefix="ETR-")
    chorus.set_faults([{"route": FLUX, "flux_state": "IN_TRAITE_SE_CPP"}], seed=1)
    send(situations)
    drain(chorus, until=all_integrated)
    t = Transmission.objects.get()
    assert t.flux_state == "IN_TRAITE_SE_CPP" and t.chorus_invoice_id
    assert t.chorus_invoice_number == situations[0].number


def test_a_deposited_flux_has_an_overall_deadline(chorus, connected, company, admin_user, settings):
    situations = make_situations(company, admin_user, markets=1, per_market=1, prefix="EDL-")
    send(situations)
    t = Transmission.objects.get()
    assert step_now(t.pk).state == "deposited"  # the sandbox clock does not move: the flux stays in progress
    settings.CHORUSBAT_GATEWAY_DEPOSITED_DEADLINE_SECONDS = 0.5
    time.sleep(1)
    assert step_now(t.pk).state == "held"
    t.refresh_from_db()
    assert t.needs_person and "n’a toujours pas fini de le traiter" in t.reason and t.flux_number in t.reason
