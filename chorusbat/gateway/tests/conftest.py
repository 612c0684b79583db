"""Gateway test helpers: a company connected to the sandbox, demo situations, and a worker to drain the queue."""

import time

import pytest
from django.core.management import call_command

from chorusbat.accounts.chorus_access import verify_subscription
from chorusbat.gateway.models import Transmission


@pytest.fixture
def connected(subscription):
    """The company's subscription, verified against the sandbox (so that its idStructureCPP is known)."""
    assert verify_subscription(subscription).ok
    subscription.refresh_from_db()
    return subscription


@pytest.fixture
def demo_situations(company, admin_user):
    from chorusbat.markets.demo import create_demo_markets
    from chorusbat.situations.models import Situation

    create_demo_markets(company, admin_user)
    return list(Situation.objects.filter(company=company, status="validated").select_related("market")
                .order_by("market_id", "period"))


def drain(sandbox, *, until, timeout=60.0, advance=True):
    """Run the worker (in this process, batch mode) and the sandbox clock until ``until()`` is true."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        call_command("worker", batch=True, verbosity=0)
        if until():
            return
        if advance:
            sandbox.advance(1)
        time.sleep(0.2)
    states = list(Transmission.objects.values_list("situation__number", "state", "reason"))
    raise AssertionError(f"not settled in {timeout} s: {states}")


def all_integrated():
    return not Transmission.objects.exclude(state=Transmission.State.INTEGRATED).exists()
