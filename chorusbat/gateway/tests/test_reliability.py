"""Reliability campaigns against the sandbox (a real process): faults, crashes, bad states.

Bounded in count and time. What they prove: at the end every situation is in Chorus Pro exactly once (counted in
the sandbox), and every transmission is integrated or held with a reason — none lost, none duplicated.
Marked ``postgres``: `make test` runs them on SQLite and again on a private PostgreSQL cluster.
"""

import contextlib
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter

import pytest
from django.core.management import call_command

from chorusbat.gateway.models import Transmission
from chorusbat.gateway.services import send, sweep
from chorusbat.gateway.tests.conftest import all_integrated, drain, make_situations, worker_env

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres, pytest.mark.slow]


def assert_exactly_once(chorus, situations):
    counts = Counter(i.get("numeroFacture") for i in chorus.invoices())
    numbers = [s.number for s in situations]
    duplicated = {n: counts[n] for n in numbers if counts[n] > 1}
    missing = [n for n in numbers if counts[n] == 0]
    assert not duplicated, f"deposited more than once: {duplicated}"
    assert not missing, f"not in Chorus Pro: {missing}"
    assert Transmission.objects.count() == len(situations)
    by_state = Counter(Transmission.objects.values_list("state", flat=True))
    assert by_state == {"integrated": len(situations)}, by_state


def test_faults_campaign_200_transmissions(chorus, connected, company, admin_user, prebuilt_documents):
    situations = make_situations(company, admin_user, markets=20, per_market=10)
    prebuilt_documents(situations)
    chorus.set_faults([
        {"route": "/cpro/factures/v1/deposer/flux", "p500": 0.20, "p_timeout": 0.05, "timeout_s": 3,
         "p_reset": 0.05, "p_accept_then_500": 0.10, "p429": 0.05, "retry_after": 1},
        {"route": "/cpro/factures/v1/rechercher/fournisseur", "p500": 0.10, "p429": 0.05, "retry_after": 1,
         "p_reset": 0.02},
        {"route": "/cpro/transverses/v1/consulterCRDetaille", "p500": 0.10, "p_reset": 0.02},
        {"route": "/api/oauth/token", "p500": 0.05},
    ], seed=7)
    send(situations)
    drain(chorus, until=all_integrated, timeout=1200, workers=4)  # generous: a loaded machine is slow, not wrong
    chorus.clear_faults()
    assert_exactly_once(chorus, situations)
    # The faults really happened: deposits whose outcome was unknown were deposited again, Chorus Pro refused the
    # second copies (same number), and chorusbat adopted the invoice already there.
    from chorusbat.gateway.models import TransmissionEvent

    kinds = Counter(TransmissionEvent.objects.values_list("kind", flat=True))
    assert kinds["deposit_uncertain"] > 0 and kinds["deposit_retry"] > 0, kinds
    assert len(chorus.fluxes()) > len(situations), "no deposit was ever repeated: the faults did not bite"
    assert kinds["adopted"] > 0, kinds
    # One token for the whole campaign (plus the renewals a 500 on the token endpoint may cause).
    assert chorus.requests().get("/api/oauth/token", 0) <= 10


def _start_worker(env, n):
    return subprocess.Popen([sys.executable, "-m", "chorusbat", "worker", "--interval", "0.1",
                             "--worker-id", f"w{n}"], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)


def test_workers_killed_at_random_points(chorus, connected, company, admin_user, prebuilt_documents):
    situations = make_situations(company, admin_user, markets=5, per_market=10, prefix="K")
    prebuilt_documents(situations)  # first, so that the kills land in the Chorus Pro part of the work
    chorus.configure(clock_speed=20)  # the sandbox processes fluxes by itself, quickly
    chorus.set_faults([{"route": "/cpro/factures/v1/deposer/flux", "latency_ms": 150}], seed=3)
    env = {**worker_env(chorus), "CHORUSBAT_TEST_LEASE_SECONDS": "3"}
    send(situations)
    rng = random.Random(11)
    workers = [_start_worker(env, 0), _start_worker(env, 1)]
    kills = 0
    deadline = time.monotonic() + 600
    try:
        while time.monotonic() < deadline:
            time.sleep(rng.uniform(0.2, 1.2))
            if kills < 12:
                victim = workers.pop(rng.randrange(len(workers)))
                os.killpg(victim.pid, signal.SIGKILL)
                victim.wait()
                kills += 1
                workers.append(_start_worker(env, 10 + kills))
            call_command("resume-transmissions", verbosity=0)  # what the scheduler does every few seconds
            if kills >= 12 and all_integrated():
                break
    finally:
        for w in workers:
            os.killpg(w.pid, signal.SIGKILL)
            w.wait()
    assert kills >= 10
    assert_exactly_once(chorus, situations)


def test_sandbox_down_for_a_while(chorus, connected, company, admin_user):
    situations = make_situations(company, admin_user, markets=1, per_market=5, prefix="D")
    chorus.stop()
    send(situations)
    call_command("worker", batch=True, max_tasks=10, verbosity=0)  # a few steps while Chorus Pro is away
    assert not Transmission.objects.filter(state="integrated").exists()
    assert Transmission.objects.filter(state__in=["queued", "uncertain"]).count() == len(situations)
    chorus.start()
    # 300 s in all (generous: a loaded machine is slow, not wrong), in rounds of sweep + drain; a round that does not
    # settle everything is not a failure, only the overall deadline is (a 10-second round ran out on a loaded machine
    # while the five invoices were waiting for their first flux poll).
    deadline = time.monotonic() + 300
    while not all_integrated() and time.monotonic() < deadline:
        sweep()
        with contextlib.suppress(AssertionError):  # drain's "not settled in 10 s"
            drain(chorus, until=all_integrated, timeout=10)
    assert all_integrated(), list(Transmission.objects.values_list("situation__number", "state", "reason"))
    assert_exactly_once(chorus, situations)


def test_password_expiring_during_a_batch(chorus, connected, company, admin_user, subscription):
    situations = make_situations(company, admin_user, markets=1, per_market=6, prefix="P")
    send(situations[:3])
    drain(chorus, until=all_integrated)
    chorus.expire_password(subscription.technical_login)
    send(situations[3:])
    drain(chorus, until=lambda: Transmission.objects.filter(state="held").count() == 3, advance=False)
    subscription.refresh_from_db()
    assert subscription.status == "expired"
    held = Transmission.objects.filter(state="held").first()
    assert "expiré" in held.reason
    # A new password is saved: the held transmissions resume by themselves.
    sandbox_password = "Nouveau-Mot-De-Passe-2027"
    chorus.set_password(subscription.technical_login, sandbox_password)
    subscription.set_password(sandbox_password)
    subscription.status = "unverified"
    subscription.save()
    from chorusbat.accounts.chorus_access import verify_subscription

    assert verify_subscription(subscription).ok
    sweep()
    drain(chorus, until=all_integrated)
    assert_exactly_once(chorus, situations)


def test_buyer_turned_inactive(chorus, connected, company, admin_user):
    situations = make_situations(company, admin_user, markets=1, per_market=2, prefix="I")
    chorus.set_structure_active("21440109300015", False)
    send(situations)
    drain(chorus, until=lambda: Transmission.objects.filter(state="failed").count() == 2)
    t = Transmission.objects.filter(state="failed").first()
    assert "inactif" in t.reason or "introuvable" in t.reason.lower() or "not located" in t.reason
    assert not chorus.invoices()


def test_two_workers_race_for_the_same_transmissions(chorus, connected, company, admin_user, prebuilt_documents):
    situations = make_situations(company, admin_user, markets=2, per_market=10, prefix="W")
    prebuilt_documents(situations)
    chorus.configure(clock_speed=20)
    env = worker_env(chorus)
    send(situations)
    for s in situations:  # every transmission scheduled twice more: both workers will want each of them
        from chorusbat.gateway.tasks import schedule

        schedule(s.transmission.pk)
        schedule(s.transmission.pk)
    workers = [_start_worker(env, 0), _start_worker(env, 1)]
    deadline = time.monotonic() + 600
    try:
        while not all_integrated() and time.monotonic() < deadline:
            time.sleep(0.5)
            call_command("resume-transmissions", verbosity=0)
    finally:
        for w in workers:
            os.killpg(w.pid, signal.SIGKILL)
            w.wait()
    assert_exactly_once(chorus, situations)
    from django_tasks_db.models import DBTaskResult

    assert not DBTaskResult.objects.filter(status="FAILED").exists()
