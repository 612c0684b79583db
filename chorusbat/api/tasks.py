"""Webhook sending, run by ``chorusbat worker`` (Django Tasks, like the gateway's tasks)."""

from __future__ import annotations

from django_tasks import task


@task(priority=5)  # after transmission steps (priority 10), before document builds (0): see gateway.tasks
def deliver_webhook(delivery_id: int) -> str | None:
    from chorusbat.api.webhooks import deliver

    return deliver(delivery_id)
