"""A worker killed at each exact point of a step: the transmission moves on within the stated bound, exactly once.

The random-kill campaign (test_reliability.py) found that a worker killed right after the task backend handed it a
task, before it took the transmission's lease, left that transmission untouched for ten minutes: the backend keeps
such a task "running" forever, and the sweep trusted the transmission's "a step is scheduled" mark. Each point is
reproduced here deterministically (chorusbat/gateway/tests/crashing_worker.py kills itself exactly there).
"""

import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from chorusbat.gateway.machine import claim_grace, due_transmissions, overdue_transmissions
from chorusbat.gateway.models import Transmission
from chorusbat.gateway.services import send, sweep
from chorusbat.gateway.tests.conftest import make_situations, worker_env
from chorusbat.gateway.tests.crashing_worker import KILL_POINTS

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]

LEASE_SECONDS = 3  # the crashing worker's lease: what a death mid-step costs before the sweep can act


def _crash_at(point, chorus):
    env = {**worker_env(chorus), "CHORUSBAT_TEST_LEASE_SECONDS": str(LEASE_SECONDS)}
    proc = subprocess.run([sys.executable, "-m", "chorusbat.gateway.tests.crashing_worker", point], env=env,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=120)
    assert proc.returncode == -signal.SIGKILL, (
        f"the worker did not die at {point!r} (exit {proc.returncode}): {proc.stderr.decode()[-2000:]}")


def _settle(chorus, until, timeout=300.0):
    """What production does: the sweep (scheduler) and a worker, with the sandbox's clock moving."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        sweep()
        call_command("worker", batch=True, max_tasks=50, verbosity=0)
        if until():
            return
        chorus.advance(1)
        time.sleep(0.3)
    raise AssertionError(list(Transmission.objects.values_list("state", "reason", "lease_expires_at",
                                                                "next_attempt_at", "scheduled_task_id")))


@pytest.mark.parametrize("point", list(KILL_POINTS))
def test_worker_killed_at_each_point(point, chorus, connected, company, admin_user, prebuilt_documents):
    situations = make_situations(company, admin_user, markets=1, per_market=1, prefix=f"X{len(point)}")
    prebuilt_documents(situations)
    chorus.configure(clock_speed=20)
    [transmission] = send(situations)

    _crash_at(point, chorus)
    killed_at = timezone.now()

    # Exact, not timed: once the lease a dead worker may hold has expired and a task it took is older than the
    # claim grace, the sweep sees the transmission as due. (Before the fix: not for ten minutes.)
    bound = killed_at + max(timedelta(seconds=LEASE_SECONDS), claim_grace()) + timedelta(seconds=1)
    t = Transmission.objects.get(pk=transmission.pk)
    if t.next_attempt_at is None or t.next_attempt_at <= bound:
        assert due_transmissions(now=bound).filter(pk=t.pk).exists(), (point, t.state, t.scheduled_task_id)

    _settle(chorus, until=lambda: Transmission.objects.filter(pk=transmission.pk, state="integrated").exists())
    counts = Counter(i.get("numeroFacture") for i in chorus.invoices())
    assert counts[situations[0].number] == 1, counts


def test_a_task_taken_by_a_dead_worker_is_not_trusted(company, admin_user):
    """No sandbox needed: the rule itself, with an injected clock."""
    from django_tasks_db.models import DBTaskResult

    situations = make_situations(company, admin_user, markets=1, per_market=1, prefix="G")
    [t] = send(situations)
    t.refresh_from_db()
    now = timezone.now()
    assert not due_transmissions(now=now).filter(pk=t.pk).exists()  # its task waits in the queue
    DBTaskResult.objects.get(pk=t.scheduled_task_id).claim("a-worker-about-to-die")  # taken, never run
    assert not due_transmissions(now=timezone.now()).filter(pk=t.pk).exists()  # it may be taking the lease
    later = timezone.now() + claim_grace() + timedelta(seconds=1)
    assert due_transmissions(now=later).filter(pk=t.pk).exists()  # its worker died: the sweep takes over
    # Not yet overdue for the dashboard; it is once the bound and its margin have passed with nothing done.
    assert not overdue_transmissions(company.pk, now=later).exists()
    from chorusbat.gateway.machine import overdue_after

    assert overdue_transmissions(company.pk, now=later + overdue_after()).filter(pk=t.pk).exists()
    assert not overdue_transmissions(company.pk + 1, now=later + overdue_after()).exists()


def test_the_sweep_does_not_duplicate_a_task_waiting_in_a_long_queue(company, admin_user):
    from django_tasks_db.models import DBTaskResult

    situations = make_situations(company, admin_user, markets=1, per_market=3, prefix="Q")
    send(situations)
    before = DBTaskResult.objects.count()
    much_later = timezone.now() + timedelta(hours=1)  # the tasks are still waiting: workers are busy elsewhere
    assert sweep(now=much_later) == 0
    assert DBTaskResult.objects.count() == before


def test_the_dashboard_shows_late_transmissions(company, admin_user, admin_client):
    from django.urls import reverse

    situations = make_situations(company, admin_user, markets=1, per_market=2, prefix="L")
    send(situations)
    page = admin_client.get(reverse("gateway:dashboard")).content.decode()
    assert 'id="overdue"' not in page  # just queued: nothing is late
    # Nobody has run them since long before the bound (no worker running).
    long_ago = timezone.now() - timedelta(hours=2)
    Transmission.objects.update(updated_at=long_ago)
    page = admin_client.get(reverse("gateway:dashboard")).content.decode()
    assert 'id="overdue"' in page and "2 envois en retard" in page
    assert situations[0].number in page


def test_a_transmission_step_goes_before_a_backlog_of_documents(company, admin_user):
    """The scale campaign: 10,000 documents queued by a bulk validation must not delay an invoice's next step."""
    from django_tasks_db.models import DBTaskResult

    situations = make_situations(company, admin_user, markets=1, per_market=3, prefix="B")  # 3 documents queued
    assert DBTaskResult.objects.ready().count() == 3
    send(situations[:1])
    from django.db import transaction

    with transaction.atomic():  # as the worker does (a row lock, on PostgreSQL)
        first = DBTaskResult.objects.ready().get_locked()  # what a worker takes next
    assert first.task_path == "chorusbat.gateway.tasks.advance_transmission"
