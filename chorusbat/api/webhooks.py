"""Webhooks: endpoints, events turned into deliveries, and deliveries signed per Standard Webhooks and sent.

An event becomes one ``WebhookDelivery`` per endpoint of the company that asked for its type, written in the
transaction of what caused it (a transmission event, a status change, a validation), with a ``msg_id`` derived
from that cause: writing it twice is harmless (unique per endpoint), and every retry or replay carries the same
``webhook-id``, so receivers deduplicate on it. Delivery is at least once: a worker task sends it (``deliver``);
a failure (network error, timeout, any non-2xx answer) is retried with exponential backoff until 24 hours after
the event; the periodic sweep (``deliver-webhooks`` in the scheduler) re-queues whatever a crash left behind.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import secrets
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import httpx
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables
from standardwebhooks import Webhook

from chorusbat.api.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEventType

log = logging.getLogger(__name__)
EVENT_TYPES = [value for value, _label in WebhookEventType.choices]
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
    import base64

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


def schedule(delivery_id: int, when: datetime | None = None) -> None:
    """Queue a task that sends this delivery at ``when`` (now by default), in the caller's transaction."""
    from chorusbat.api.tasks import deliver_webhook

    when = when or timezone.now()
    with transaction.atomic():
        deliver_webhook.using(run_after=when).enqueue(delivery_id)
        WebhookDelivery.objects.filter(pk=delivery_id).update(enqueued_for=when)


# --- sending -------------------------------------------------------------------------------------------------


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


def deliver(delivery_id: int, *, force: bool = False, client: httpx.Client | None = None) -> str | None:
    """One attempt at sending a delivery; returns its state afterwards, ``None`` when not due or taken."""
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
            schedule(delivery.pk, fields["next_attempt_at"])
    return fields.get("state", WebhookDelivery.State.PENDING)


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
