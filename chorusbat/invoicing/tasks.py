"""Background production of a validated situation's Factur-X (Django Tasks API, run by `chorusbat worker`).

The situation page never builds a document: validating a situation enqueues :func:`prepare_document` (in the
same database transaction), and so does a change of the company or the market a validated, not yet sent,
situation draws its invoice from (the task rebuilds the document only if the invoice data really changed).
A task only names a situation and the work is idempotent (:func:`chorusbat.invoicing.services.refresh_document`),
so running it twice, late, or on two machines at once is harmless: one document is stored.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.cache import cache
from django.utils import timezone
from django_tasks import task

from chorusbat.invoicing.services import refresh_document
from chorusbat.situations.models import Situation, Status

# The situation page asks again for a missing document at most this often (a task lost or failed).
PAGE_RESCHEDULE_SECONDS = 60


@task()
def prepare_document(situation_id: int) -> str:
    """Produce (or, when its inputs changed before sending, rebuild) the situation's document; say what happened."""
    return refresh_document(situation_id)


def schedule_document(situation_id: int, delay: timedelta | None = None) -> None:
    """Ask a worker to produce the situation's document, now or after ``delay``.

    Always with an explicit ``run_after`` (see :func:`chorusbat.gateway.tasks.schedule`: the database backend
    would otherwise queue it behind every delayed task).
    """
    prepare_document.using(run_after=timezone.now() + (delay or timedelta(0))).enqueue(situation_id)


def schedule_document_from_page(situation_id: int) -> None:
    """The situation page found no document: ask for one, at most once a minute per situation and process."""
    if cache.add(f"invoicing:prepare:{situation_id}", True, PAGE_RESCHEDULE_SECONDS):
        schedule_document(situation_id)


def schedule_refreshes(**filters) -> int:
    """Ask for the documents of the validated situations matching ``filters`` to be checked against their inputs
    (after a change of company or market details); situations already handed to the gateway are left alone."""
    ids = list(Situation.objects.filter(status=Status.VALIDATED, transmission__isnull=True, **filters)
               .values_list("pk", flat=True))
    for situation_id in ids:
        schedule_document(situation_id)
    return len(ids)
