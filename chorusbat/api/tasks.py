"""Webhook sending, run by ``chorusbat worker`` (Django Tasks, like the gateway's tasks): the task and its scheduling.

Above :mod:`chorusbat.api.delivery` (one attempt), which it hands :func:`schedule` to re-queue a failed attempt;
:mod:`chorusbat.api.webhooks` (events turned into deliveries, replays, the sweep) queues through :func:`schedule`.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from chorusbat.api.delivery import deliver
from chorusbat.api.models import WebhookDelivery


@task(priority=5)  # after transmission steps (priority 10), before document builds (0): see gateway.tasks
def deliver_webhook(delivery_id: int) -> str | None:
    return deliver(delivery_id, then=schedule)


def schedule(delivery_id: int, when: datetime | None = None) -> None:
    """Queue a task that sends this delivery at ``when`` (now by default), in the caller's transaction."""
    when = when or timezone.now()
    with transaction.atomic():
        deliver_webhook.using(run_after=when).enqueue(delivery_id)
        WebhookDelivery.objects.filter(pk=delivery_id).update(enqueued_for=when)
