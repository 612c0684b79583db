"""The gateway's operations: send situations, run a step and schedule the next, resume, sweep.

The state machine itself (``machine.step`` and its states) does not know how steps are scheduled; this module
joins it to the task queue (``tasks.schedule``). Dependency order: ``services`` → ``tasks`` → ``machine``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chorusbat.gateway import machine, tasks
from chorusbat.gateway.machine import (
    MAX_DEPOSIT_ATTEMPTS,
    Kind,
    State,
    StepOutcome,
    _event,
    _resume_state,
    due_transmissions,
)
from chorusbat.gateway.models import Transmission

__all__ = ["run_step", "send", "resume_held", "sweep"]


def _schedule_next(transmission_id: int, delay: timedelta) -> None:
    tasks.schedule(transmission_id, delay=delay)  # looked up at call time (the crash tests replace it)


def run_step(transmission_id: int, *, now: datetime | None = None) -> StepOutcome | None:
    """One step of a transmission, then its next step scheduled (in the transaction that releases the lease)."""
    return machine.step(transmission_id, now=now, then=_schedule_next)


def send(situations, user=None) -> list[Transmission]:
    """Queue these validated situations for Chorus Pro (once each) and schedule their processing.

    Idempotent: a situation that already has a transmission keeps it; a held or failed one is started again
    (through a lookup in Chorus Pro when it was ever attempted). The task is enqueued in the same database
    transaction as the state change.
    """
    result = []
    for situation in situations:
        with transaction.atomic():
            # The situation's row first: adding or removing an attachment locks it too, so that an attachment
            # never changes once the transmission exists (chorusbat.invoicing.attachments).
            list(type(situation).objects.select_for_update().filter(pk=situation.pk).values_list("pk", flat=True))
            t, created = Transmission.objects.select_for_update().get_or_create(
                situation=situation,
                defaults={"company_id": situation.company_id, "created_by": user,
                          "attempts_budget": MAX_DEPOSIT_ATTEMPTS},
            )
            if created:
                _event(t, Kind.QUEUED, _("Queued for sending to Chorus Pro."))
                tasks.schedule(t.pk)
            elif t.state in (State.HELD, State.FAILED) and t.chorus_invoice_id is None:
                target = _resume_state(t)
                Transmission.objects.filter(pk=t.pk).update(
                    state=target, reason="", held_from="", needs_person=False, next_attempt_at=None,
                    errors_in_a_row=0, attempts_budget=t.attempts + MAX_DEPOSIT_ATTEMPTS, updated_at=timezone.now())
                t.state = target
                _event(t, Kind.RESUMED, _("Sending requested again."))
                tasks.schedule(t.pk)
        result.append(t)
    return result


def resume_held(company_id: int) -> int:
    """Re-examine a company's held transmissions now (after its subscription was fixed, for instance)."""
    pks = list(Transmission.objects.filter(company_id=company_id, state=State.HELD, needs_person=False)
               .values_list("pk", flat=True))
    for pk in pks:
        with transaction.atomic():
            Transmission.objects.filter(pk=pk).update(next_attempt_at=None)
            tasks.schedule(pk)
    return len(pks)


def sweep(now: datetime | None = None) -> int:
    """Schedule a step for every due transmission (the periodic job; also what repairs crashes)."""
    count = 0
    for pk in due_transmissions(now).values_list("pk", flat=True):
        with transaction.atomic():
            tasks.schedule(pk)
        count += 1
    return count
