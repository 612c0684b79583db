"""The integration API's records: keys, the audit of every call, idempotent answers, webhooks and deliveries.

- ``ApiKey``: one company's key. Only its SHA-256 is stored (keys are 256-bit random strings, so a plain digest is
  enough); the key itself is shown once, when it is created. A revoked key is kept for the audit trail.
- ``ApiCall``: one request made with a key (route, status, duration); kept for the administrators.
- ``IdempotencyRecord``: the first answer to a ``POST`` carrying an ``Idempotency-Key``, replayed for the same key
  and body.
- ``WebhookEndpoint``: a URL of the company's that receives events, with its signing secret (encrypted at rest
  with the same Fernet keys as the Chorus Pro passwords: it must be read back to sign).
- ``WebhookDelivery``: one event for one endpoint, with a stable ``msg_id`` (the ``webhook-id`` header) and its
  attempts (``WebhookAttempt``), retried with exponential backoff for 24 hours.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chorusbat import crypto
from chorusbat.accounts.models import Company

KEY_PREFIX = "cbk_"


class ApiKey(models.Model):
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=16)  # the key's first characters, to recognise it in lists
    key_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # Rate limit: calls counted in the current one-minute window (shared by every web process).
    window_started_at = models.DateTimeField(null=True, blank=True)
    window_calls = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class ApiCall(models.Model):
    """The audit trail of the API: every authenticated call (never its body, never the key)."""

    api_key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="calls")
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="api_calls")
    at = models.DateTimeField(default=timezone.now)
    method = models.CharField(max_length=10)
    route = models.CharField(max_length=300)
    status = models.PositiveSmallIntegerField()
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-at", "-id"]


class IdempotencyRecord(models.Model):
    api_key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="idempotency_records")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)  # SHA-256 of method, path and body
    status = models.PositiveSmallIntegerField(null=True, blank=True)  # None while the first request runs
    content_type = models.CharField(max_length=100, blank=True)
    body = models.BinaryField(default=b"")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["api_key", "key"], name="one_answer_per_idempotency_key")]


class WebhookEventType(models.TextChoices):
    SITUATION_VALIDATED = "situation.validated", _("situation validated")
    TRANSMISSION_DEPOSITED = "transmission.deposited", _("deposited in Chorus Pro")
    INVOICE_INTEGRATED = "invoice.integrated", _("invoice integrated by Chorus Pro")
    INVOICE_STATUS_CHANGED = "invoice.status_changed", _("Chorus Pro status changed")
    TRANSMISSION_HELD = "transmission.held", _("transmission held")
    PASSWORD_EXPIRING = "subscription.password_expiring", _("technical password expiring")


class WebhookEndpoint(models.Model):
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.URLField(max_length=500)
    events = models.JSONField(default=list)
    secret_encrypted = crypto.EncryptedTextField(editable=False)
    created_by_key = models.ForeignKey(ApiKey, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    disabled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.url

    def set_secret(self, raw: str) -> None:
        self.secret_encrypted = crypto.encrypt(raw)

    def get_secret(self) -> str:
        return crypto.decrypt(self.secret_encrypted)


class WebhookDelivery(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("to deliver")
        DELIVERED = "delivered", _("delivered")
        FAILED = "failed", _("given up")

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    msg_id = models.CharField(max_length=80)  # the webhook-id header: stable across retries and replays
    event_type = models.CharField(max_length=40, choices=WebhookEventType.choices)
    payload = models.JSONField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    give_up_at = models.DateTimeField()
    lease_until = models.DateTimeField(null=True, blank=True)  # an attempt is running until then at the latest
    enqueued_for = models.DateTimeField(null=True, blank=True)  # a task is queued to run then
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_duration_ms = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["endpoint", "msg_id"], name="one_delivery_per_event")]
        indexes = [models.Index(fields=["state", "next_attempt_at"])]


class WebhookAttempt(models.Model):
    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    at = models.DateTimeField(default=timezone.now)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-id"]


class ImportedInvoice(models.Model):
    """A Factur-X produced elsewhere and brought through the API (``POST /api/v1/invoices``).

    It passed the validation gate (:mod:`chorusbat.api.byo`). To be transmitted and followed exactly like a
    situation, without any change to the gateway, it is carried by a validated ``Situation`` of its own (in a market
    of its own, titled « Facture importée … ») whose ``InvoiceDocument`` holds the uploaded bytes as they are.
    """

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="imported_invoices")
    situation = models.OneToOneField("situations.Situation", on_delete=models.PROTECT, related_name="imported")
    api_key = models.ForeignKey(ApiKey, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    number = models.CharField(max_length=20)
    issue_date = models.DateField()
    buyer_name = models.CharField(max_length=200)
    buyer_siret = models.CharField(max_length=14)
    service_code = models.CharField(max_length=100, blank=True)
    contract_reference = models.CharField(max_length=100, blank=True)
    order_reference = models.CharField(max_length=100, blank=True)
    currency = models.CharField(max_length=3, default="EUR")
    total_ht = models.DecimalField(max_digits=14, decimal_places=2, null=True)
    total_ttc = models.DecimalField(max_digits=14, decimal_places=2, null=True)
    amount_due = models.DecimalField(max_digits=14, decimal_places=2, null=True)
    file_name = models.CharField(max_length=255, blank=True)
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
