"""Webhook sending, run by ``chorusbat worker`` (Django Tasks, like the gateway's tasks)."""

from __future__ import annotations

from django_tasks import task


@task()
def deliver_webhook(delivery_id: int) -> str | None:
    from chorusbat.api.webhooks import deliver

    return deliver(delivery_id)
