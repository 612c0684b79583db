"""Background tasks (Django Tasks API, `django-tasks-db` backend), run by `chorusbat worker`.

A task only names a transmission; the state lives in the database, so running a task twice, late, or on two
machines at once is harmless: ``machine.step`` takes a lease and does nothing when another worker holds it.
Tasks are enqueued in the caller's database transaction (the backend writes a row), so a state change and the
task that continues it are committed together or not at all.

Priorities (workers take the highest first, then the oldest): a transmission step comes before anything else, so
that a backlog of background work (ten thousand documents to build after a bulk validation, webhooks to deliver)
never delays an invoice on its way to Chorus Pro; the gateway builds a missing document itself when it needs it.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from chorusbat.gateway.machine import step
from chorusbat.gateway.models import Transmission

TRANSMISSION_PRIORITY = 10  # webhooks 5 (chorusbat.api.tasks), documents 0 (chorusbat.invoicing.tasks)


@task(priority=TRANSMISSION_PRIORITY)
def advance_transmission(transmission_id: int) -> str | None:
    """One step of a transmission; the next one is scheduled when there is one (see ``machine.step``'s ``then``)."""
    outcome = step(transmission_id, then=_schedule_next)
    return outcome.state if outcome else None


def _schedule_next(transmission_id: int, delay: timedelta) -> None:
    schedule(transmission_id, delay=delay)  # looked up at call time (the crash tests replace ``schedule``)


def schedule(transmission_id: int, delay: timedelta | None = None) -> None:
    """Ask a worker to advance this transmission, now or after ``delay``.

    Always with an explicit ``run_after``: the database backend orders ready tasks by ``run_after`` and gives
    tasks without one a date far in the future, so they would wait behind every delayed task (starvation).
    The task row and the transmission's pointer to it are written in one transaction: a crash between the two
    can leave neither, never a transmission that believes a step is queued when none is.
    """
    run_after = timezone.now() + (delay or timedelta(0))
    with transaction.atomic():
        result = advance_transmission.using(run_after=run_after).enqueue(transmission_id)
        Transmission.objects.filter(pk=transmission_id).update(scheduled_for=run_after, scheduled_task_id=result.id)
