"""Reliability of works pieces (A4, A10, A13) against the sandbox process: timeouts, 500s after the piece was
recorded, resets and worker kills; at the end each piece is in Chorus Pro exactly once, under chorusbat's own
number (fidelity review B1: submitted in SAISIE_API, every uncertain deposit would have been deposited again under
a number chorusbat never finds). Small and bounded, like ``test_reliability.py``."""

import os
import random
import signal
import time
from collections import Counter

import pytest
from django.core.management import call_command

from chorusbat.gateway.models import Transmission, TransmissionEvent
from chorusbat.gateway.services import send
from chorusbat.gateway.tests.conftest import all_integrated, make_situations, worker_env
from chorusbat.gateway.tests.test_reliability import _start_worker, assert_exactly_once

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres, pytest.mark.slow]


def test_works_pieces_exactly_once_through_timeouts_and_worker_kills(chorus, connected, company, admin_user,
                                                                     prebuilt_documents):
    situations = make_situations(company, admin_user, markets=3, per_market=4, prefix="RW",
                                 frameworks=("A4", "A10", "A13"))
    assert Counter(s.market.framework for s in situations) == {"A4": 4, "A10": 4, "A13": 4}
    prebuilt_documents(situations)  # first, so that the kills land in the Chorus Pro part of the work
    chorus.set_faults([
        # timeout_s > CHORUSBAT_BACKGROUND_TIMEOUT (2 s in the tests): the client gives up, the piece may be there
        {"route": "/cpro/facturesTravaux/v1/soumettre", "latency_ms": 150, "p_timeout": 0.15, "timeout_s": 3,
         "p_accept_then_500": 0.25, "p500": 0.10, "p_reset": 0.05},
        {"route": "/cpro/facturesTravaux/v1/rechercher", "p500": 0.10, "p_reset": 0.05},
        {"route": "/cpro/transverses/v1/ajouter/fichier", "p500": 0.10},
    ], seed=5)
    env = {**worker_env(chorus), "CHORUSBAT_TEST_LEASE_SECONDS": "4"}
    send(situations)
    rng = random.Random(17)
    workers = [_start_worker(env, 0), _start_worker(env, 1)]
    kills, faulty = 0, True
    started = time.monotonic()
    deadline = started + 900
    try:
        while time.monotonic() < deadline:
            time.sleep(rng.uniform(1.0, 3.0))  # a worker needs a moment to start: kills land in its work
            if kills < 6:
                victim = workers.pop(rng.randrange(len(workers)))
                os.killpg(victim.pid, signal.SIGKILL)
                victim.wait()
                kills += 1
                workers.append(_start_worker(env, 10 + kills))
            elif faulty and (time.monotonic() - started > 120
                             or not Transmission.objects.filter(attempts__lt=2).exists()):
                chorus.clear_faults()  # every piece met the faults (or long enough): let the campaign finish
                faulty = False
            call_command("resume-transmissions", verbosity=0)  # what the scheduler does every few seconds
            if kills >= 6 and all_integrated():
                break
    finally:
        for w in workers:
            os.killpg(w.pid, signal.SIGKILL)
            w.wait()
    assert len(chorus.invoices()) == len(situations), Counter(i["cadre"] for i in chorus.invoices())
    assert_exactly_once(chorus, situations)
    for s in situations:
        t = Transmission.objects.get(situation=s)
        assert t.chorus_invoice_number == s.number
    pieces = {i["numeroFacture"]: i for i in chorus.invoices()}
    assert {pieces[s.number]["modeDepot"] for s in situations} == {"DEPOT_PDF_API"}
    # The faults really happened: some deposits had an unknown outcome and were found again, not re-deposited.
    kinds = Counter(TransmissionEvent.objects.values_list("kind", flat=True))
    assert kinds["deposit_uncertain"] > 0 and kinds["adopted"] > 0, kinds
