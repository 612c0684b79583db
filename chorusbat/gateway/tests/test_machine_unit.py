"""Fast unit tests of the transmission state machine: no sandbox process, no worker, no waiting.

Chorus Pro is replaced at the machine's two seams: ``routes.route_for`` returns a ``ScriptedRoute`` whose
``deposit`` / ``find`` / ``follow`` answer from a script (values, or exceptions to raise), and
``machine.client_for`` returns a stub client. The Factur-X is a stub document (``machine.ready_document``). The
clock is injected: ``timezone.now`` reads ``clock.now``, which only moves when a test moves it. The sandbox
campaigns (``test_send.py``, ``test_reliability.py`` …) remain the second line, against the real protocol.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.utils import timezone

from chorusbat.accounts.chorus_access import CallsHeld
from chorusbat.chorus import errors as cerr
from chorusbat.gateway import machine, routes
from chorusbat.gateway.machine import State, _claim, _resume_state, _save, step
from chorusbat.gateway.models import Transmission, TransmissionEvent
from chorusbat.markets.tests.fixtures import market  # noqa: F401 - fixture
from chorusbat.situations.models import Situation

Kind = TransmissionEvent.Kind
START = datetime.datetime(2026, 12, 1, 9, 0, tzinfo=datetime.UTC)


class Clock:
    def __init__(self, now: datetime.datetime):
        self.current = now

    def now(self) -> datetime.datetime:
        return self.current

    def advance(self, **delta) -> None:
        self.current += datetime.timedelta(**delta)


@dataclass
class ScriptedRoute:
    """A route whose answers are scripted per operation; an exception in a script is raised."""

    deposits: list = field(default_factory=list)
    finds: list = field(default_factory=list)
    follows: list = field(default_factory=list)
    calls: list = field(default_factory=list)
    name: str = "flux"

    def file_name(self, situation) -> str:
        return f"{situation.number}.pdf"

    def refusal(self, situation):
        return None

    def _next(self, operation: str, script: list):
        self.calls.append(operation)
        assert script, f"unexpected call to {operation}"
        answer = script.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    def deposit(self, client, situation, pdf: bytes):
        assert pdf == StubDocument.pdf
        return self._next("deposit", self.deposits)

    def find(self, client, situation, supplier_id):
        return self._next("find", self.finds)

    def follow(self, client, situation, flux_number, supplier_id):
        return self._next("follow", self.follows)


class StubClient:
    closed = False

    def close(self):
        self.closed = True

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class StubDocument:
    sha256 = "ab" * 32
    pdf = b"%PDF-1.7 stub"


@pytest.fixture
def clock(monkeypatch):
    clock = Clock(START)
    monkeypatch.setattr(timezone, "now", clock.now)
    return clock


@pytest.fixture
def timings(settings):
    settings.CHORUSBAT_GATEWAY_LEASE_SECONDS = 300
    settings.CHORUSBAT_GATEWAY_RETRY_BASE_SECONDS = 5
    settings.CHORUSBAT_GATEWAY_UNCERTAIN_WAIT_SECONDS = 60
    settings.CHORUSBAT_GATEWAY_HOLD_RECHECK_SECONDS = 60


@pytest.fixture
def route(monkeypatch):
    route = ScriptedRoute()
    monkeypatch.setattr(routes, "route_for", lambda market: route)
    return route


@pytest.fixture
def chorus_pro(monkeypatch):
    """The company's Chorus Pro client; ``chorus_pro.held = "…"`` makes every call held with that reason."""

    class Access:
        held: str | None = None

        def client_for(self, subscription):
            if self.held:
                raise CallsHeld(self.held)
            return StubClient()

    access = Access()
    monkeypatch.setattr(machine, "client_for", access.client_for)
    monkeypatch.setattr(machine, "ready_document", lambda situation: StubDocument())
    return access


@pytest.fixture
def transmission(db, clock, timings, route, chorus_pro, market):  # noqa: F811 - fixture
    situation = Situation.objects.create(
        company=market.company, market=market, number="F2026-0500", period=datetime.date(2026, 11, 1),
        date=datetime.date(2026, 11, 30), status="validated", ttc_amount=Decimal("1200.00"),
        net_amount=Decimal("1140.00"))
    return Transmission.objects.create(company=market.company, situation=situation)


def run(t: Transmission, scheduled: list | None = None):
    outcome = step(t.pk, then=(lambda pk, delay: scheduled.append(delay)) if scheduled is not None else None)
    t.refresh_from_db()
    return outcome


def kinds(t: Transmission) -> list[str]:
    return list(t.events.order_by("id").values_list("kind", flat=True))


# --- each transition -----------------------------------------------------------------------------------------


def test_queued_deposits_then_waits_for_the_flux(transmission, route, clock):
    route.deposits = [routes.Deposit(flux_number="FLUX-1")]
    scheduled = []
    outcome = run(transmission, scheduled)
    assert outcome.state == State.DEPOSITED and transmission.state == State.DEPOSITED
    assert transmission.flux_number == "FLUX-1" and transmission.attempts == 1
    assert transmission.deposited_at == START
    assert kinds(transmission) == [Kind.DEPOSIT_ATTEMPT, Kind.DEPOSITED]
    attempt = transmission.events.get(kind=Kind.DEPOSIT_ATTEMPT)
    assert bytes(attempt.payload) == StubDocument.pdf and attempt.data["sha256"] == StubDocument.sha256
    # The next step is due after the poll delay, and scheduled for then; the lease is released.
    assert scheduled == [outcome.again_after]
    assert transmission.next_attempt_at == START + outcome.again_after
    assert transmission.lease_owner == "" and transmission.lease_expires_at is None


def test_a_synchronous_deposit_is_integrated_at_once(transmission, route):
    route.deposits = [routes.Deposit(invoice_id=4242, status="DEPOSEE", invoice_number="F2026-0500")]
    scheduled = []
    assert run(transmission, scheduled).state == State.INTEGRATED
    assert transmission.chorus_invoice_id == 4242 and transmission.chorus_status == "DEPOSEE"
    assert transmission.next_attempt_at is None and scheduled == []


def test_deposited_follows_the_flux_until_the_invoice_is_integrated(transmission, route, clock):
    route.deposits = [routes.Deposit(flux_number="FLUX-1")]
    route.follows = [routes.FluxProgress(flux_state="IN_DEPOT_PORTAIL_EN_ATTENTE_TRAITEMENT_SE_CPP"),
                     routes.FluxProgress(flux_state="IN_INTEGRE", invoice=routes.Found(77, "DEPOSEE", "FLUX-1"))]
    run(transmission)
    clock.advance(minutes=1)
    assert run(transmission).state == State.DEPOSITED
    assert transmission.flux_state == "IN_DEPOT_PORTAIL_EN_ATTENTE_TRAITEMENT_SE_CPP"
    clock.advance(hours=1)
    assert run(transmission).state == State.INTEGRATED
    assert transmission.chorus_invoice_id == 77
    assert kinds(transmission)[-1] == Kind.INTEGRATED
    assert route.calls == ["deposit", "follow", "follow"]


def test_a_rejected_flux_fails_with_chorus_pros_reasons(transmission, route, clock):
    route.deposits = [routes.Deposit(flux_number="FLUX-1")]
    route.follows = [routes.FluxProgress(flux_state="IN_REJETE", rejected=True, errors=["SIRET inconnu"])]
    run(transmission)
    clock.advance(hours=1)
    assert run(transmission).state == State.FAILED
    assert "SIRET inconnu" in transmission.reason


def test_a_business_refusal_of_the_first_deposit_fails_without_a_lookup(transmission, route):
    route.deposits = [cerr.BusinessError(20001, "Numéro de facture déjà utilisé")]
    assert run(transmission).state == State.FAILED
    assert route.calls == ["deposit"]


# --- never twice: uncertain, lookup, adopt --------------------------------------------------------------------


def test_an_unknown_outcome_is_looked_up_and_adopted_never_deposited_again(transmission, route, clock):
    route.deposits = [cerr.TransientError("timeout", maybe_delivered=True)]
    route.finds = [routes.Found(invoice_id=99, status="DEPOSEE", flux_number="FLUX-9")]
    outcome = run(transmission)
    assert outcome.state == State.UNCERTAIN and transmission.state == State.UNCERTAIN
    assert outcome.again_after == datetime.timedelta(seconds=60)  # max(retry delay, uncertain wait)
    assert run(transmission) is None  # not due yet: a duplicate or early task does nothing
    clock.advance(seconds=61)
    assert run(transmission).state == State.INTEGRATED
    assert transmission.chorus_invoice_id == 99 and kinds(transmission)[-1] == Kind.ADOPTED
    assert route.calls == ["deposit", "find"]


def test_an_uncertain_deposit_not_found_is_deposited_again(transmission, route, clock):
    route.deposits = [cerr.TransientError("reset", maybe_delivered=True), routes.Deposit(flux_number="FLUX-2")]
    route.finds = [None]
    run(transmission)
    clock.advance(minutes=2)
    assert run(transmission).state == State.DEPOSITED
    assert route.calls == ["deposit", "find", "deposit"] and transmission.attempts == 2
    # The same document is kept once: the second attempt records its digest, not the bytes again.
    attempts = transmission.events.filter(kind=Kind.DEPOSIT_ATTEMPT).order_by("id")
    assert [a.payload is not None for a in attempts] == [True, False]


def test_a_failure_before_sending_waits_with_a_growing_delay(transmission, route, clock):
    route.deposits = [cerr.TransientError("503", maybe_delivered=False), cerr.TransientError("503",
                                                                                            maybe_delivered=False),
                      routes.Deposit(flux_number="FLUX-3")]
    first = run(transmission)
    assert first.state == State.QUEUED and first.again_after == datetime.timedelta(seconds=10)
    clock.advance(seconds=10)
    # Attempted once already: looked up before any new deposit (rule 2), then deposited.
    route.finds = [None, None]
    second = run(transmission)
    assert second.state == State.QUEUED and second.again_after > first.again_after
    clock.advance(seconds=second.again_after.total_seconds())
    assert run(transmission).state == State.DEPOSITED
    assert route.calls == ["deposit", "find", "deposit", "find", "deposit"]


def test_the_attempts_budget_asks_a_person(transmission, route):
    Transmission.objects.filter(pk=transmission.pk).update(attempts=10, state=State.QUEUED)
    route.finds = [None]
    assert run(transmission).state == State.HELD
    assert transmission.needs_person and transmission.next_attempt_at is None
    assert "10" in transmission.reason and "deposit" not in route.calls


# --- holds and resumes ----------------------------------------------------------------------------------------


def test_a_hold_waits_then_resumes_where_it_stopped(transmission, route, chorus_pro, clock):
    chorus_pro.held = "Mot de passe expiré."
    assert run(transmission).state == State.HELD
    assert transmission.reason == "Mot de passe expiré." and transmission.held_from == State.QUEUED
    assert not transmission.needs_person
    assert transmission.next_attempt_at == START + datetime.timedelta(seconds=60)  # re-examined by itself
    clock.advance(seconds=61)
    assert run(transmission).state == State.HELD  # still held: the same reason, no new event
    assert kinds(transmission) == [Kind.HELD]
    chorus_pro.held = None
    clock.advance(seconds=61)
    route.deposits = [routes.Deposit(flux_number="FLUX-4")]
    assert run(transmission).state == State.DEPOSITED
    assert kinds(transmission) == [Kind.HELD, Kind.RESUMED, Kind.DEPOSIT_ATTEMPT, Kind.DEPOSITED]


def test_a_hold_after_an_uncertain_deposit_never_skips_the_lookup(transmission, route, chorus_pro, clock):
    route.deposits = [cerr.TransientError("timeout", maybe_delivered=True)]
    run(transmission)
    chorus_pro.held = "Abonnement non vérifié."
    clock.advance(minutes=2)
    assert run(transmission).state == State.HELD and transmission.held_from == State.UNCERTAIN
    chorus_pro.held = None
    clock.advance(minutes=2)
    route.finds = [routes.Found(invoice_id=5, status="DEPOSEE")]
    assert run(transmission).state == State.INTEGRATED
    assert route.calls == ["deposit", "find"]  # looked up, adopted, never deposited a second time


def test_a_hold_of_a_queued_transmission_already_attempted_resumes_with_a_lookup(transmission, route, chorus_pro,
                                                                                clock):
    route.deposits = [cerr.TransientError("503", maybe_delivered=False)]
    assert run(transmission).state == State.QUEUED and transmission.attempts == 1
    chorus_pro.held = "Abonnement non vérifié."
    clock.advance(minutes=1)
    assert run(transmission).state == State.HELD
    assert transmission.held_from == State.UNCERTAIN  # not "queued": the attempt may have arrived


def test_a_hold_during_the_flux_follow_up_resumes_the_follow_up(transmission, route, chorus_pro, clock):
    route.deposits = [routes.Deposit(flux_number="FLUX-5")]
    run(transmission)
    chorus_pro.held = "Chorus Pro indisponible pour ce compte."
    clock.advance(hours=1)
    assert run(transmission).state == State.HELD and transmission.held_from == State.DEPOSITED
    chorus_pro.held = None
    clock.advance(hours=1)
    route.follows = [routes.FluxProgress(flux_state="IN_INTEGRE", invoice=routes.Found(6, "DEPOSEE"))]
    assert run(transmission).state == State.INTEGRATED
    assert route.calls == ["deposit", "follow"]


def test_where_a_held_or_failed_transmission_starts_again(transmission):
    t = transmission
    t.attempts, t.held_from, t.flux_number = 0, "", ""
    assert _resume_state(t) == State.QUEUED
    t.attempts = 1
    assert _resume_state(t) == State.UNCERTAIN  # an earlier attempt may be in Chorus Pro
    t.held_from, t.flux_number = State.DEPOSITED, "FLUX-6"
    assert _resume_state(t) == State.DEPOSITED


# --- leases ---------------------------------------------------------------------------------------------------


def test_one_worker_at_a_time_and_an_expired_lease_is_taken_over(transmission, clock):
    assert _claim(transmission.pk, "worker-a", clock.now())
    assert not _claim(transmission.pk, "worker-b", clock.now())  # held by a
    assert step(transmission.pk) is None  # a task arriving meanwhile does nothing
    clock.advance(seconds=301)  # a's lease expired (a died)
    assert _claim(transmission.pk, "worker-b", clock.now())
    transmission.refresh_from_db()
    assert transmission.lease_owner == "worker-b"
    assert transmission.lease_expires_at == clock.now() + datetime.timedelta(seconds=300)


def test_a_worker_that_lost_its_lease_cannot_write(transmission, clock):
    assert _claim(transmission.pk, "worker-a", clock.now())
    clock.advance(seconds=301)
    assert _claim(transmission.pk, "worker-b", clock.now())
    with pytest.raises(machine.LeaseLost):
        _save(transmission, "worker-a", state=State.FAILED)
    transmission.refresh_from_db()
    assert transmission.state == State.QUEUED
    _save(transmission, "worker-b", reason="b writes")  # and the holder's write renews its lease
    transmission.refresh_from_db()
    assert transmission.reason == "b writes"


def test_a_step_that_loses_its_lease_mid_call_leaves_the_new_owner_alone(transmission, route, clock):
    def stolen(client, situation, pdf):
        Transmission.objects.filter(pk=transmission.pk).update(lease_owner="worker-b")
        return routes.Deposit(flux_number="FLUX-7")

    route.deposit = stolen
    assert run(transmission) is None
    assert transmission.lease_owner == "worker-b" and transmission.state == State.DEPOSITING
    deposited = transmission.events.get(kind=Kind.DEPOSITED)  # what Chorus Pro said is kept for the record
    assert deposited.data["lease_lost"] is True


def test_an_unexpected_error_is_recorded_and_retried_not_looped(transmission, route, clock):
    route.deposits = [ZeroDivisionError("a bug")]
    outcome = run(transmission)
    assert outcome is not None and outcome.again_after is not None
    assert transmission.errors_in_a_row == 1 and transmission.lease_owner == ""


@pytest.mark.django_db(transaction=True)
def test_a_worker_compiles_the_schematrons_when_it_starts(monkeypatch):
    """Not on its first document: that cost (1 to 1.5 s of CPU) is paid once, before any task is taken."""
    from django.core.management import call_command

    from chorusbat.facturx import schematron

    monkeypatch.setattr(schematron, "_compiled", {})
    call_command("worker", batch=True)  # no task waiting: starts, warms up, stops
    assert set(schematron._compiled) == {schematron.EN16931.name, schematron.FR_CTC.name}
