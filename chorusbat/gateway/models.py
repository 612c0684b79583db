"""Transmissions: each validated situation's journey to Chorus Pro, as a persistent state machine.

A transmission moves through these states (``Transmission.State``):

    queued ──► depositing ──► deposited ──► integrated (then Chorus Pro statuses until a final one)
      │  ▲          │              │
      │  └──────────┤ (not sent)   └──► failed (flux rejected by Chorus Pro)
      ▼             ▼
     held        uncertain ──► (invoice found in Chorus Pro) adopted as integrated
                    └────────► (not found) queued again

- ``held``: a precondition is missing (subscription, expired password, invalid document…); re-examined
  automatically, it resumes by itself once the cause is fixed.
- ``uncertain``: a deposit may have reached Chorus Pro (timeout, crash, 500 after sending). Before any new
  deposit, the invoice is looked up in Chorus Pro by its number and adopted if it is there.
- ``failed``: Chorus Pro refused the deposit or rejected the flux; a person must act.

Every step is a ``TransmissionEvent`` kept forever (with the exact bytes deposited), and every Chorus Pro status
change is a ``ChorusStatusChange``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chorusbat.accounts.models import Company
from chorusbat.chorus.enums import InvoiceStatus
from chorusbat.gateway.labels import status_label
from chorusbat.situations.models import Situation


class Transmission(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", _("queued")
        HELD = "held", _("held")
        DEPOSITING = "depositing", _("being deposited")
        UNCERTAIN = "uncertain", _("deposit to confirm")
        DEPOSITED = "deposited", _("deposited, being processed by Chorus Pro")
        INTEGRATED = "integrated", _("in Chorus Pro")
        FAILED = "failed", _("refused by Chorus Pro")

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="transmissions")
    situation = models.OneToOneField(Situation, on_delete=models.PROTECT, related_name="transmission")
    state = models.CharField(max_length=12, choices=State.choices, default=State.QUEUED, db_index=True)
    reason = models.TextField(blank=True)  # French: why held or failed
    held_from = models.CharField(max_length=12, blank=True)  # the state a hold interrupted, resumed from
    needs_person = models.BooleanField(default=False)  # held until a person says "Try again" (no automatic recheck)
    attempts = models.PositiveIntegerField(default=0)  # deposit attempts
    attempts_budget = models.PositiveIntegerField(default=10)  # attempts allowed before a person is asked
    errors_in_a_row = models.PositiveSmallIntegerField(default=0)  # unexpected errors, reset by a good step
    waits = models.PositiveIntegerField(default=0)  # Chorus Pro unavailable in a row: the back-off grows with it
    next_attempt_at = models.DateTimeField(null=True, blank=True)  # when the next step is due
    scheduled_for = models.DateTimeField(null=True, blank=True)  # a step is queued for then (cleared when it runs)
    # The task row (django-tasks-db) that will run that step. The sweep looks at it to tell a step still waiting in
    # the queue from one whose worker died after taking it from the queue (the task backend never releases those).
    scheduled_task_id = models.UUIDField(null=True, blank=True)

    # Lease: the worker processing this transmission, until when. Several workers may run anywhere; a worker
    # only acts on a transmission whose lease it holds, and only writes while it still holds it.
    lease_owner = models.CharField(max_length=64, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)

    document_sha256 = models.CharField(max_length=64, blank=True)
    flux_number = models.CharField(max_length=40, blank=True)
    deposited_at = models.DateTimeField(null=True, blank=True)
    flux_state = models.CharField(max_length=60, blank=True)
    chorus_invoice_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    chorus_invoice_number = models.CharField(max_length=60, blank=True)  # as Chorus Pro holds it (works pieces)
    chorus_status = models.CharField(max_length=60, blank=True, db_index=True)
    chorus_status_at = models.DateTimeField(null=True, blank=True)
    chorus_comment = models.TextField(blank=True)
    rejection_acknowledged = models.BooleanField(default=False)

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["company", "state"])]

    def __str__(self) -> str:
        return f"{self.situation.number} ({self.state})"

    @property
    def chorus_status_label(self) -> str:
        return status_label(self.chorus_status) if self.chorus_status else str(self.get_state_display())

    # The questions screens and actions ask about the invoice's Chorus Pro status, answered once, here.

    @property
    def is_paid(self) -> bool:
        return self.chorus_status == InvoiceStatus.MISE_EN_PAIEMENT

    @property
    def is_rejected(self) -> bool:
        """Rejected by the buyer (final): acknowledge, then a corrective situation with a new number."""
        return self.chorus_status == InvoiceStatus.REJETEE

    @property
    def is_refused(self) -> bool:
        """Rejected, or refused by the project manager or the contracting authority (works circuits)."""
        return self.chorus_status in REFUSED_STATUSES

    @property
    def asks_buyer_reason(self) -> bool:
        """A status the buyer gives a reason for (rejected, refused, suspended, sent back): the page shows it."""
        return self.chorus_status in REASON_STATUSES

    @property
    def can_complete(self) -> bool:
        """Suspended by the buyer: answered with a comment and attachments (``completer``)."""
        return self.chorus_status == InvoiceStatus.SUSPENDUE

    @property
    def can_recycle(self) -> bool:
        """Sent back for its routing data (``recycler``, same number)."""
        return self.chorus_status == InvoiceStatus.A_RECYCLER

    @property
    def can_acknowledge(self) -> bool:
        """A rejection not yet acknowledged in Chorus Pro (``traiterRejet``)."""
        return self.is_rejected and not self.rejection_acknowledged

    @property
    def waits_for_company(self) -> bool:
        """Someone of the company must act: an invoice to complete, recycle or replace, or a held or failed send."""
        return self.chorus_status in PERSON_STATUSES or self.state in (self.State.FAILED, self.State.HELD)

    @property
    def next_action_label(self) -> str:
        """What the dashboard's button says an administrator does next."""
        if self.is_rejected:
            return str(_("Create a corrective situation") if self.rejection_acknowledged
                       else _("Handle the rejection"))
        if self.can_complete:
            return str(_("Complete the invoice"))
        if self.can_recycle:
            return str(_("Correct the routing"))
        if self.state == self.State.FAILED:
            return str(_("Cancel and re-issue"))
        return str(_("See and try again"))

    @property
    def badge_class(self) -> str:
        """CSS class of the transmission's badge: ``ok`` once paid, ``bad`` when someone must act."""
        if self.state == self.State.INTEGRATED:
            if self.is_paid:
                return "ok"
            return "bad" if self.chorus_status in PERSON_STATUSES else ""
        return "bad" if self.state in (self.State.HELD, self.State.FAILED) else ""


#: Refusals: the buyer's rejection, and the works circuit's refusals by the MOE or the MOA.
REFUSED_STATUSES = frozenset({InvoiceStatus.REJETEE, InvoiceStatus.REFUSEE_MOE, InvoiceStatus.REFUSEE_MOA})
#: Statuses the buyer gives a reason for: shown on the situation page and in the e-mail.
REASON_STATUSES = REFUSED_STATUSES | {InvoiceStatus.SUSPENDUE, InvoiceStatus.A_RECYCLER}
#: Statuses in which the invoice waits for the company (complete, recycle, handle the rejection).
PERSON_STATUSES = frozenset({InvoiceStatus.REJETEE, InvoiceStatus.SUSPENDUE, InvoiceStatus.A_RECYCLER})


class TransmissionEvent(models.Model):
    """One thing that happened to a transmission, in order. Kept forever."""

    class Kind(models.TextChoices):
        QUEUED = "queued", _("queued for sending")
        HELD = "held", _("held")
        RESUMED = "resumed", _("resumed")
        DEPOSIT_ATTEMPT = "deposit_attempt", _("deposit attempt")
        DEPOSITED = "deposited", _("deposited in Chorus Pro")
        DEPOSIT_UNCERTAIN = "deposit_uncertain", _("deposit outcome unknown")
        DEPOSIT_RETRY = "deposit_retry", _("deposit not sent, will retry")
        LOOKED_UP = "looked_up", _("looked up in Chorus Pro")
        ADOPTED = "adopted", _("found in Chorus Pro")
        FLUX_STATE = "flux_state", _("flux processing")
        INTEGRATED = "integrated", _("integrated by Chorus Pro")
        FAILED = "failed", _("refused")
        STATUS = "status", _("Chorus Pro status")
        ACTION = "action", _("action in Chorus Pro")

    transmission = models.ForeignKey(Transmission, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    message = models.TextField(blank=True)  # French, for people
    data = models.JSONField(default=dict, blank=True)  # safe technical details (never a secret)
    payload = models.BinaryField(null=True, blank=True)  # exact bytes sent, for deposits

    class Meta:
        ordering = ["at", "id"]


class ChorusStatusChange(models.Model):
    """A status of the invoice in Chorus Pro, as its history reports it (consulter/historique)."""

    transmission = models.ForeignKey(Transmission, on_delete=models.CASCADE, related_name="status_changes")
    status = models.CharField(max_length=60)
    at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField(blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["transmission", "status", "at"], name="one_row_per_status_change")
        ]


class SyncCursor(models.Model):
    """Where the batch status sync of a company stands (last status-change date seen)."""

    company = models.OneToOneField(Company, on_delete=models.CASCADE, related_name="sync_cursor")
    last_change_seen = models.DateTimeField(null=True, blank=True)
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_calls = models.PositiveIntegerField(default=0)  # Chorus Pro calls made by the last cycle
    lease_owner = models.CharField(max_length=64, blank=True)  # the cycle running now, if any
    lease_expires_at = models.DateTimeField(null=True, blank=True)  # …until then at the latest


class ChorusProbe(models.Model):
    """The outcome of a qualification probe (``chorusbat chorus probe``) of a subscription's platform.

    Works pieces to production are held until a probe on the company's platform confirmed the works API."""

    subscription = models.ForeignKey("accounts.ChorusSubscription", on_delete=models.CASCADE, related_name="probes")
    at = models.DateTimeField(default=timezone.now)
    environment = models.CharField(max_length=20)
    works_api_confirmed = models.BooleanField(default=False)
    report = models.JSONField(default=dict, blank=True)  # what answered and how (never a secret)

    class Meta:
        ordering = ["-at", "-id"]
