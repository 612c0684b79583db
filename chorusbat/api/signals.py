"""Where webhook events come from, without touching the gateway: signals on the rows the gateway already writes.

- ``TransmissionEvent`` rows (written by ``gateway/machine.py`` and ``gateway/sync.py``): ``deposited`` →
  ``transmission.deposited``; ``integrated``/``adopted`` → ``invoice.integrated``; ``status`` →
  ``invoice.status_changed`` (with the Chorus Pro status and comment); ``held`` → ``transmission.held``.
- a ``Situation`` saved as validated → ``situation.validated``;
- a ``PasswordReminder`` row (one per reminder e-mail) → ``subscription.password_expiring``.

Each event's ``msg_id`` is derived from its cause, so a row saved twice gives one delivery. A failure here is
logged and never breaks the gateway's transaction (a savepoint around it).
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models.signals import post_save

from chorusbat.accounts.models import PasswordReminder
from chorusbat.api.models import WebhookEndpoint
from chorusbat.api.serializers import situation_summary, transmission_ref
from chorusbat.api.webhooks import emit
from chorusbat.gateway.models import Transmission, TransmissionEvent
from chorusbat.situations.models import Situation

log = logging.getLogger(__name__)

TRANSMISSION_KINDS = {
    "deposited": "transmission.deposited",
    "integrated": "invoice.integrated",
    "adopted": "invoice.integrated",
    "status": "invoice.status_changed",
    "held": "transmission.held",
}


def transmission_data(transmission_id: int) -> dict:
    t = Transmission.objects.select_related("situation").get(pk=transmission_id)
    return transmission_ref(t)


def _safely(build):
    try:
        with transaction.atomic():
            build()
    except Exception:  # noqa: BLE001 - a webhook problem must never stop a transmission
        log.exception("webhook event not recorded")


def on_transmission_event(sender, instance, created, raw=False, **kwargs):
    if not created or raw or instance.kind not in TRANSMISSION_KINDS:
        return
    if instance.data.get("lease_lost"):
        return  # a record kept by a worker that lost its lease; the other worker reports the outcome

    def build():
        if not WebhookEndpoint.objects.filter(company__transmissions=instance.transmission_id,
                                              disabled_at__isnull=True).exists():
            return  # one query when the company has no webhook (the gateway's usual case)
        data = transmission_data(instance.transmission_id)
        data["event_id"] = instance.pk
        data["message"] = instance.message
        if instance.kind == "status":
            data["chorus_status"] = instance.data.get("status", "")
            data["comment"] = instance.data.get("comment", "")
        if instance.kind == "held":
            data["reason"] = instance.message
        emit(data["company_id"], TRANSMISSION_KINDS[instance.kind], f"msg_te_{instance.pk}", data, at=instance.at)

    _safely(build)


def on_situation_saved(sender, instance, created, raw=False, **kwargs):
    if raw or instance.status != "validated" or instance.validated_at is None:
        return
    if getattr(instance, "_api_imported", False):  # an uploaded invoice's record, not a chorusbat situation
        return

    def build():
        emit(instance.company_id, "situation.validated", f"msg_sv_{instance.pk}", situation_summary(instance),
             at=instance.validated_at)

    _safely(build)


def on_password_reminder(sender, instance, created, raw=False, **kwargs):
    if not created or raw:
        return

    def build():
        emit(instance.company_id, "subscription.password_expiring", f"msg_pr_{instance.pk}", {
            "company_id": instance.company_id, "expires_on": instance.expires_on.isoformat(),
            "days_left": instance.stage,
        }, at=instance.sent_at)

    _safely(build)


def connect() -> None:
    post_save.connect(on_transmission_event, sender=TransmissionEvent, dispatch_uid="api-webhook-transmission")
    post_save.connect(on_situation_saved, sender=Situation, dispatch_uid="api-webhook-situation")
    post_save.connect(on_password_reminder, sender=PasswordReminder, dispatch_uid="api-webhook-password")
