"""One attempt at sending a webhook delivery, signed per Standard Webhooks, and the retry policy.

Below :mod:`chorusbat.api.tasks` (the worker's task, which calls :func:`deliver`, and the scheduling) and
:mod:`chorusbat.api.webhooks` (endpoints, events turned into deliveries): a failed attempt is re-queued through the
``then`` function the task passes in, so that no two modules of the app import each other.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables
from standardwebhooks import Webhook

from chorusbat.api.models import WebhookAttempt, WebhookDelivery

log = logging.getLogger(__name__)
TIMEOUT = 10.0
USER_AGENT = "chorusbat-webhooks/1"


def _seconds(name: str, default: float) -> timedelta:
    return timedelta(seconds=float(getattr(settings, name, default)))


def retry_delay(attempt: int) -> timedelta:
    """5 s, 10 s, 20 s … doubling, capped at 2 hours (tests shrink the base)."""
    base = _seconds("CHORUSBAT_WEBHOOK_RETRY_BASE_SECONDS", 5.0).total_seconds()
    return timedelta(seconds=min(7200.0, base * 2 ** max(0, attempt - 1)))


def retry_window() -> timedelta:
    return _seconds("CHORUSBAT_WEBHOOK_RETRY_WINDOW_SECONDS", 24 * 3600)


def lease() -> timedelta:
    return timedelta(seconds=TIMEOUT * 3)


@sensitive_variables("secret")
def sign_headers(secret: str, msg_id: str, body: str, at: datetime | None = None) -> dict[str, str]:
    at = (at or timezone.now()).astimezone(UTC)
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": Webhook(secret).sign(msg_id, at, body),
        "content-type": "application/json",
        "user-agent": USER_AGENT,
    }


def _claim(delivery_id: int, now: datetime, force: bool) -> bool:
    free = Q(lease_until__isnull=True) | Q(lease_until__lt=now)
    due = Q() if force else Q(next_attempt_at__lte=now)
    return bool(WebhookDelivery.objects.filter(Q(pk=delivery_id, state=WebhookDelivery.State.PENDING) & free & due)
                .update(lease_until=now + lease()))


def deliver(delivery_id: int, *, then: Callable[[int, datetime], None], force: bool = False,
            client: httpx.Client | None = None) -> str | None:
    """One attempt at sending a delivery; returns its state afterwards, ``None`` when not due or taken.

    ``then(delivery_id, when)`` queues the next attempt after a failure, in the transaction that records this one
    (:func:`chorusbat.api.tasks.schedule`, passed in by the task: this module does not import the task queue)."""
    now = timezone.now()
    if not _claim(delivery_id, now, force):
        return None
    delivery = WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)
    if delivery.endpoint.disabled_at is not None:  # the webhook was deleted since: nothing to send any more
        WebhookDelivery.objects.filter(pk=delivery.pk).update(state=WebhookDelivery.State.FAILED, lease_until=None,
                                                              last_error="endpoint deleted")
        return WebhookDelivery.State.FAILED
    body = json.dumps(delivery.payload, ensure_ascii=False, separators=(",", ":"))
    status_code, error = None, ""
    started = time.monotonic()
    try:
        headers = sign_headers(delivery.endpoint.get_secret(), delivery.msg_id, body)
        own = client is None
        client = client or httpx.Client(timeout=TIMEOUT, follow_redirects=False)
        try:
            response = client.post(delivery.endpoint.url, content=body.encode(), headers=headers)
        finally:
            if own:
                client.close()
        status_code = response.status_code
        if not 200 <= status_code < 300:
            error = f"HTTP {status_code}"
    except httpx.HTTPError as exc:
        error = type(exc).__name__
    except Exception as exc:  # noqa: BLE001 - recorded and retried, never a lost delivery
        log.exception("webhook delivery %s: unexpected error", delivery_id)
        error = type(exc).__name__
    duration = int((time.monotonic() - started) * 1000)
    finished = timezone.now()
    attempts = delivery.attempts + 1
    with transaction.atomic():
        WebhookAttempt.objects.create(delivery=delivery, at=finished, status_code=status_code, duration_ms=duration,
                                      error=error[:300])
        fields = {"attempts": attempts, "last_status_code": status_code, "last_duration_ms": duration,
                  "last_error": error[:300], "lease_until": None, "enqueued_for": None}
        if not error:
            fields.update(state=WebhookDelivery.State.DELIVERED, delivered_at=finished)
        else:
            following = finished + retry_delay(attempts)
            if following > delivery.give_up_at:
                fields.update(state=WebhookDelivery.State.FAILED)
            else:
                fields.update(next_attempt_at=following)
        WebhookDelivery.objects.filter(pk=delivery.pk).update(**fields)
        if fields.get("next_attempt_at"):
            then(delivery.pk, fields["next_attempt_at"])
    return fields.get("state", WebhookDelivery.State.PENDING)
