"""Webhooks: endpoints, and events turned into deliveries (queued by :mod:`chorusbat.api.tasks`, each attempt
signed per Standard Webhooks and sent by :mod:`chorusbat.api.delivery`).

An event becomes one ``WebhookDelivery`` per endpoint of the company that asked for its type, written in the
transaction of what caused it (a transmission event, a status change, a validation), with a ``msg_id`` derived
from that cause: writing it twice is harmless (unique per endpoint), and every retry or replay carries the same
``webhook-id``, so receivers deduplicate on it. Delivery is at least once: a worker task sends it
(``delivery.deliver``); a failure (network error, timeout, any non-2xx answer) is retried with exponential
backoff until 24 hours after the event; the periodic sweep (``deliver-webhooks`` in the scheduler) re-queues
whatever a crash left behind.
"""

from __future__ import annotations

import base64
import ipaddress
import secrets
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from chorusbat.api.delivery import lease, retry_window
from chorusbat.api.models import WebhookDelivery, WebhookEndpoint, WebhookEventType
from chorusbat.api.tasks import schedule

EVENT_TYPES = [value for value, _label in WebhookEventType.choices]


# --- endpoints -----------------------------------------------------------------------------------------------


def url_errors(url: str) -> list[str]:
    """Why this URL cannot receive webhooks: ``https`` only in production; in development, ``http`` is allowed to
    a loopback address only."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        return [_("This URL is not valid.")]
    if parts.scheme not in ("http", "https") or not host:
        return [_("The URL must start with https:// and name a host.")]
    if parts.username or parts.password:
        return [_("The URL must not contain a user name or password.")]
    if parts.scheme == "https":
        return []
    if getattr(settings, "PRODUCTION", False):
        return [_("Webhook URLs must use https.")]
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        return [_("In development, http:// is only allowed to a loopback address (127.0.0.1); otherwise use "
                  "https://.")]
    return []


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


@sensitive_variables("secret")
def create_endpoint(company, url: str, events: list[str], api_key=None) -> tuple[WebhookEndpoint, str]:
    secret = new_secret()
    endpoint = WebhookEndpoint(company=company, url=url, events=sorted(set(events)), created_by_key=api_key)
    endpoint.set_secret(secret)
    endpoint.save()
    return endpoint, secret


# --- events → deliveries -------------------------------------------------------------------------------------


def emit(company_id: int, event_type: str, msg_id: str, data: dict, at: datetime | None = None) -> int:
    """Record one delivery of this event per interested endpoint, and queue its sending (same transaction)."""
    now = timezone.now()
    endpoints = [e for e in WebhookEndpoint.objects.filter(company_id=company_id, disabled_at__isnull=True)
                 if event_type in e.events]
    if not endpoints:
        return 0
    payload = {"type": event_type, "timestamp": (at or now).astimezone(UTC).isoformat(), "data": data}
    created = 0
    for endpoint in endpoints:
        try:
            with transaction.atomic():
                delivery = WebhookDelivery.objects.create(
                    endpoint=endpoint, msg_id=msg_id, event_type=event_type, payload=payload,
                    next_attempt_at=now, give_up_at=now + retry_window(),
                )
        except IntegrityError:
            continue  # already recorded (the same cause seen twice)
        schedule(delivery.pk)
        created += 1
    return created


def replay(delivery: WebhookDelivery) -> None:
    """Send a delivery again now (an administrator's request), with the same ``webhook-id``."""
    now = timezone.now()
    with transaction.atomic():
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            state=WebhookDelivery.State.PENDING, next_attempt_at=now, give_up_at=now + retry_window(),
            delivered_at=None)
        schedule(delivery.pk, now)


def sweep(now: datetime | None = None) -> int:
    """Queue due deliveries that have no task coming (their task was lost with a crashed worker, for instance)."""
    now = now or timezone.now()
    stale = now - lease() - timedelta(minutes=1)
    due = (WebhookDelivery.objects.filter(state=WebhookDelivery.State.PENDING, next_attempt_at__lte=now)
           .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
           .filter(Q(enqueued_for__isnull=True) | Q(enqueued_for__lt=stale)))
    count = 0
    for pk in due.values_list("pk", flat=True)[:1000]:
        schedule(pk, now)
        count += 1
    # Past the 24 hours: give up on what is still pending.
    WebhookDelivery.objects.filter(state=WebhookDelivery.State.PENDING, give_up_at__lt=now,
                                   lease_until__isnull=True).update(state=WebhookDelivery.State.FAILED)
    return count
