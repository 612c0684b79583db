"""Sending situations to the sandbox (a real process): deposit, follow the flux, adopt, hold, fail."""

import time

import pytest
from django.utils import timezone

from chorusbat.gateway.models import Transmission, TransmissionEvent
from chorusbat.gateway.services import send
from chorusbat.gateway.tests.conftest import all_integrated, drain

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def sandbox_invoices(chorus, number):
    return [i for i in chorus.invoices() if i.get("numeroFacture") == number]


def test_a1_situation_reaches_chorus_once(chorus, connected, demo_situations):
    a1 = [s for s in demo_situations if s.market.framework == "A1"]
    send(a1)
    drain(chorus, until=all_integrated)
    for s in a1:
        t = Transmission.objects.get(situation=s)
        assert t.chorus_invoice_id and t.flux_number.startswith("CPP")
        assert len(sandbox_invoices(chorus, s.number)) == 1
        kinds = list(t.events.values_list("kind", flat=True))
        assert kinds[:3] == ["queued", "deposit_attempt", "deposited"]
        attempt = t.events.get(kind="deposit_attempt")
        assert bytes(attempt.payload).startswith(b"%PDF")


def test_sending_again_does_not_duplicate(chorus, connected, demo_situations):
    s = demo_situations[0]
    send([s])
    send([s])
    drain(chorus, until=all_integrated)
    send([s])
    drain(chorus, until=all_integrated)
    assert Transmission.objects.count() == 1
    assert len(sandbox_invoices(chorus, s.number)) == 1


def test_held_without_verified_subscription_then_resumes(chorus, subscription, demo_situations):
    from chorusbat.accounts.chorus_access import verify_subscription
    from chorusbat.gateway.services import sweep

    s = demo_situations[0]
    send([s])
    drain(chorus, until=lambda: Transmission.objects.get().state == "held", advance=False)
    t = Transmission.objects.get()
    assert "non vérifié" in t.reason or "n’est pas vérifié" in t.reason
    verify_subscription(subscription)
    sweep()
    drain(chorus, until=all_integrated)
    assert TransmissionEvent.objects.filter(kind="resumed").exists()
    assert len(sandbox_invoices(chorus, s.number)) == 1


def test_send_command_with_progress(chorus, connected, company, admin_user, capsys):
    from django.core.management import call_command

    from chorusbat.gateway.tests.conftest import make_situations

    situations = make_situations(company, admin_user, markets=1, per_market=3, prefix="C")
    call_command("send", "--company", company.siret, "--all-validated", "--no-progress")
    out = capsys.readouterr().out
    assert "3 situation(s): 3 sent" in out
    assert Transmission.objects.count() == 3
    call_command("send", "--company", company.siret, "--all-validated")
    assert "Nothing to send." in capsys.readouterr().out
    drain(chorus, until=all_integrated)
    for s in situations:
        assert len(sandbox_invoices(chorus, s.number)) == 1


def test_send_command_bad_input(db, company):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="not found"):
        call_command("send", "--company", "00000000000000", "--all-validated")
    with pytest.raises(CommandError, match="--all-validated"):
        call_command("send", "--company", company.siret)
    with pytest.raises(CommandError, match="NOPE"):
        call_command("send", "--company", company.siret, "--situation", "NOPE")


def test_a_hold_never_skips_the_lookup_of_an_uncertain_deposit(chorus, connected, demo_situations):
    from chorusbat.accounts.chorus_access import verify_subscription
    from chorusbat.gateway.tests.conftest import step_now as step

    s = demo_situations[0]
    chorus.set_faults([{"route": "/cpro/factures/v1/deposer/flux", "p_accept_then_500": 1.0}])
    send([s])
    t = Transmission.objects.get()
    step(t.pk)
    t.refresh_from_db()
    assert t.state == "uncertain" and len(chorus.fluxes()) == 1  # Chorus Pro got it; chorusbat cannot know
    chorus.clear_faults()
    connected.status = "refused"  # e.g. a connection test that failed meanwhile
    connected.save()
    step(t.pk)
    t.refresh_from_db()
    assert t.state == "held" and t.held_from == "uncertain"
    chorus.advance(3)  # Chorus Pro processes and integrates the flux it received
    verify_subscription(connected)  # fixed: held transmissions resume by themselves
    drain(chorus, until=all_integrated)
    t.refresh_from_db()
    assert len(chorus.fluxes()) == 1, "deposited again after the hold"
    assert len(sandbox_invoices(chorus, s.number)) == 1
    assert t.events.filter(kind="adopted").exists()


def test_a_hold_while_following_a_flux_resumes_following_it(chorus, connected, demo_situations):
    from chorusbat.accounts.chorus_access import verify_subscription
    from chorusbat.gateway.tests.conftest import step_now as step

    s = demo_situations[0]
    send([s])
    t = Transmission.objects.get()
    step(t.pk)
    t.refresh_from_db()
    assert t.state == "deposited"
    connected.status = "misconfigured"
    connected.save()
    step(t.pk)
    t.refresh_from_db()
    assert t.state == "held" and t.held_from == "deposited"
    send([s])  # a person clicks "Try again" meanwhile
    verify_subscription(connected)
    drain(chorus, until=all_integrated)
    assert len(chorus.fluxes()) == 1
    assert len(sandbox_invoices(chorus, s.number)) == 1


def test_unexpected_errors_are_recorded_then_held(chorus, connected, demo_situations, monkeypatch):
    from chorusbat.gateway import routes
    from chorusbat.gateway.machine import MAX_ERRORS_IN_A_ROW
    from chorusbat.gateway.tests.conftest import step_now as step

    def broken(*args, **kwargs):
        raise KeyError("a bug")

    monkeypatch.setattr(routes.FluxRoute, "deposit", broken)
    send([demo_situations[0]])
    t = Transmission.objects.get()
    for _ in range(4 * MAX_ERRORS_IN_A_ROW):
        step(t.pk)
        t.refresh_from_db()
        if t.state == "held":
            break
    assert t.state == "held" and "KeyError" in t.reason
    assert t.events.filter(data__error="KeyError").count() == MAX_ERRORS_IN_A_ROW
    # Each attempt left a record; the PDF itself is kept once.
    assert t.events.filter(kind="deposit_attempt").exclude(payload=None).count() == 1


def test_works_situation_goes_through_the_moe_circuit_until_paid(chorus, connected, company, demo_situations):
    from chorusbat.gateway.sync import sync_company

    a4 = [s for s in demo_situations if s.market.framework == "A4"]
    assert a4
    send(a4)
    drain(chorus, until=all_integrated)
    t = Transmission.objects.get(situation=a4[0])
    assert t.chorus_invoice_id and not t.flux_number  # a works piece is submitted, not deposited as a flux
    seen = set()
    for _ in range(12):
        chorus.advance(1)
        sync_company(company.pk)
        t.refresh_from_db()
        seen.add(t.chorus_status)
    assert t.chorus_status == "MISE_EN_PAIEMENT"
    assert {"PRISE_EN_COMPTE_MOE", "TRANSMISE_MOA", "MISE_A_DISPOSITION_MOA"} <= seen  # the MOE, then the MOA


def test_a_person_hold_is_not_rechecked_until_try_again(chorus, connected, demo_situations):
    from chorusbat.gateway.services import sweep
    from chorusbat.gateway.tests.conftest import step_now

    send([demo_situations[0]])
    t = Transmission.objects.get()
    Transmission.objects.filter(pk=t.pk).update(attempts=10, attempts_budget=10)  # every attempt used up
    step_now(t.pk)
    t.refresh_from_db()
    assert t.state == "held" and t.needs_person and t.next_attempt_at is None
    events = t.events.count()
    assert sweep() == 0  # nothing re-examines it by itself…
    step_now(t.pk)
    assert t.events.count() == events
    send([demo_situations[0]])  # …until a person says "Try again": then a lookup comes first
    t.refresh_from_db()
    assert t.state == "uncertain" and not t.needs_person
    drain(chorus, until=all_integrated)
    assert len(sandbox_invoices(chorus, demo_situations[0].number)) == 1


def test_duplicate_or_early_tasks_do_nothing(chorus, connected, demo_situations):
    from chorusbat.gateway.machine import step

    send([demo_situations[0]])
    t = Transmission.objects.get()
    assert step(t.pk).state == "deposited"  # due: runs
    assert step(t.pk) is None  # the follow-up is not due yet: a duplicate task is a no-op


def test_a_shared_validator_that_is_down_holds_the_document_until_it_is_back(chorus, connected, demo_situations,
                                                                             tmp_path):
    """With CHORUSBAT_VALIDATOR_SOCKET naming a validator that does not answer, nothing is deposited unchecked: the
    transmission is held with the reason, then goes through by itself once the gate can run again."""
    from chorusbat.facturx import schematron
    from chorusbat.gateway.services import sweep
    from chorusbat.invoicing.models import InvoiceDocument

    s = demo_situations[0]
    schematron.use_validator(str(tmp_path / "nobody-listens-here.sock"))
    try:
        send([s])
        drain(chorus, until=lambda: Transmission.objects.get().state == "held", advance=False)
        t = Transmission.objects.get()
        assert "validateur partagé injoignable" in t.reason
        assert not t.events.filter(kind="deposit_attempt").exists()
        assert not InvoiceDocument.objects.filter(situation=s, status="ready").exists()
        assert sandbox_invoices(chorus, s.number) == []
    finally:
        schematron.use_validator(None)
    time.sleep(max(0.0, (t.next_attempt_at - timezone.now()).total_seconds()) + 0.1)  # the hold's recheck is due
    assert sweep() == 1  # what the scheduler's resume-transmissions does every 10 s
    drain(chorus, until=all_integrated)
    assert TransmissionEvent.objects.filter(kind="resumed").exists()
    assert len(sandbox_invoices(chorus, s.number)) == 1
