"""The transmission state machine: one step at a time, under a lease, never depositing twice.

Read this module top-down: ``step`` advances one transmission by one step; the ``_step_*`` functions are the
states. ``gateway.services`` holds the operations around it: ``send`` creates transmissions, ``run_step`` runs a
step and schedules the next, ``sweep`` repairs what crashes and time leave behind (``gateway.tasks`` enqueues;
this module never imports it).

Exactly once. An invoice number exists once per supplier in Chorus Pro, and chorusbat gives each situation its
own number, so the danger is chorusbat itself depositing the same situation twice. The rules:
1. A deposit attempt is committed (state ``depositing``, event with the exact bytes) *before* the call is made.
2. A deposit is never retried blindly: when its outcome is unknown (timeout, reset, 5xx after sending, crash),
   the transmission becomes ``uncertain``, and the next step first looks the invoice up in Chorus Pro by its number
   and supplier, adopting it when found. Any later re-send of a transmission that was ever attempted goes through
   that lookup too, and a hold remembers what it interrupted (``held_from``) so that resuming never skips it.
3. Only one worker acts on a transmission at a time (a lease with an expiry, renewed at each write), and a worker
   writes only while it still holds the lease (fenced writes), so a slow worker that lost its lease cannot
   overwrite a newer state.
4. Chorus Pro itself refuses a second invoice with the same number from the same supplier; a flux rejected for
   that reason means an earlier deposit arrived: the invoice is looked up and adopted.
Nothing is lost either: every state but ``integrated`` and ``failed`` has a due date (``next_attempt_at``) that
the periodic sweep honours, an unexpected error is recorded and retried with backoff (then held with a reason),
and attempts are capped so that a person is asked before the twentieth copy of anything.

Nothing stalls after a crash. A worker can die at any point: after the task backend handed it a task but before it
took the transmission's lease (the backend then leaves that task "running" forever), during a step (the lease
stays until it expires), or between a step's end and the scheduling of the next one. The sweep does not trust the
task backend: a transmission whose step is due and whose lease is free gets a new task unless its scheduled task
is still waiting in the queue, or was taken by a worker less than ``claim_grace`` ago. So, with a worker alive,
a transmission's next step starts at most ``max(lease_duration, claim_grace) + the sweep period`` after it was
due (production defaults: 300 s + 10 s with ``chorusbat scheduler``, + 60 s with cron). ``overdue_transmissions``
lists those past that bound: the dashboard shows them.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from chorusbat.accounts.chorus_access import CallsHeld, client_for
from chorusbat.accounts.models import ChorusEnvironment, ChorusSubscription, SubscriptionStatus
from chorusbat.chorus import errors as cerr
from chorusbat.chorus.client import ChorusClient
from chorusbat.gateway import routes
from chorusbat.gateway.models import ChorusProbe, Transmission, TransmissionEvent
from chorusbat.gateway.notify import notify_failure
from chorusbat.invoicing.services import DocumentError, ready_document
from chorusbat.situations.models import Situation, Status

log = logging.getLogger(__name__)
State = Transmission.State
Kind = TransmissionEvent.Kind

MAX_DEPOSIT_ATTEMPTS = 10  # then a person decides ("Réessayer")
MAX_ERRORS_IN_A_ROW = 5  # unexpected errors before holding with a reason
INTEGRATED_NOT_FOUND = timedelta(hours=24)  # a flux integrated without our invoice in it: a person looks
# Subscription statuses a person must fix; any other (verified, unreachable) lets calls go ahead.
_HOLDING_STATUSES = {SubscriptionStatus.UNVERIFIED, SubscriptionStatus.REFUSED, SubscriptionStatus.EXPIRED,
                     SubscriptionStatus.NOT_ATTACHED, SubscriptionStatus.MISCONFIGURED}


def _seconds(name: str, default: float) -> timedelta:
    return timedelta(seconds=float(getattr(settings, name, default)))


def lease_duration() -> timedelta:
    return _seconds("CHORUSBAT_GATEWAY_LEASE_SECONDS", 300)


def retry_delay(attempt: int) -> timedelta:
    """Wait before the next attempt: 5 s, 10 s, 20 s … capped at 10 minutes (tests shrink the base)."""
    base = _seconds("CHORUSBAT_GATEWAY_RETRY_BASE_SECONDS", 5.0).total_seconds()
    return timedelta(seconds=min(600.0, base * (2 ** max(0, attempt - 1))))


def uncertain_wait() -> timedelta:
    """Before looking up a deposit of unknown outcome, leave Chorus Pro time to process a flux it did receive."""
    return _seconds("CHORUSBAT_GATEWAY_UNCERTAIN_WAIT_SECONDS", 60.0)


def claim_grace() -> timedelta:
    """Between a worker taking a task from the queue and taking the transmission's lease there are milliseconds;
    a task taken longer ago than this whose transmission is not leased belongs to a worker that died."""
    return _seconds("CHORUSBAT_GATEWAY_CLAIM_GRACE_SECONDS", 30.0)


def overdue_after() -> timedelta:
    """A step not started this long after it was due is overdue (shown on the dashboard): the crash bound above
    plus a margin for a busy queue."""
    return max(lease_duration(), claim_grace()) + _seconds("CHORUSBAT_GATEWAY_OVERDUE_MARGIN_SECONDS", 120.0)


def hold_recheck() -> timedelta:
    """How often a held transmission is re-examined by itself (a person's fix also resumes it at once)."""
    return _seconds("CHORUSBAT_GATEWAY_HOLD_RECHECK_SECONDS", 60.0)


def flux_error_grace() -> timedelta:
    """How long a flux may stay in an error state (it may still move on) before a person is asked."""
    return _seconds("CHORUSBAT_GATEWAY_FLUX_ERROR_GRACE_SECONDS", 6 * 3600)


def deposited_deadline() -> timedelta:
    """The overall deadline of a deposited flux: not settled by then, a person is asked."""
    return _seconds("CHORUSBAT_GATEWAY_DEPOSITED_DEADLINE_SECONDS", 3 * 24 * 3600)


def flux_poll_delay(deposited_at: datetime | None = None) -> timedelta:
    """Wait before looking at a flux again: the base delay at first, then a quarter of the time elapsed since the
    deposit (Chorus Pro takes minutes, sometimes hours), capped at 10 minutes — a few polls per flux, not thousands."""
    base = _seconds("CHORUSBAT_GATEWAY_FLUX_POLL_SECONDS", 5.0).total_seconds()
    elapsed = (timezone.now() - deposited_at).total_seconds() if deposited_at else 0.0
    return timedelta(seconds=min(600.0, max(base, elapsed / 4)))


class LeaseLost(Exception):
    """Another worker took over this transmission; stop touching it."""


# --- creating and re-sending transmissions ---------------------------------------------------------------------


def _resume_state(t: Transmission) -> str:
    """Where a held or failed transmission starts again: never at a blind deposit if one may have arrived."""
    if t.held_from == State.DEPOSITED and t.flux_number:
        return State.DEPOSITED
    if t.attempts > 0:
        return State.UNCERTAIN  # an earlier attempt may be in Chorus Pro: look it up first
    return State.QUEUED


# --- one step --------------------------------------------------------------------------------------------------


@dataclass
class StepOutcome:
    state: str
    again_after: timedelta | None = None  # when to run the next step, if any


def worker_identity() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def step(transmission_id: int, *, now: datetime | None = None,
         then: Callable[[int, timedelta], None] | None = None) -> StepOutcome | None:
    """Advance one transmission by one step. Returns None when another worker holds it (or it is gone).

    ``then(transmission_id, delay)`` schedules the next step; it is called in the transaction that releases the
    lease (:func:`chorusbat.gateway.tasks.schedule` in production, see ``services.run_step``). Without it the
    step only records when the next one is due (``next_attempt_at``), which the sweep honours.
    """
    owner = worker_identity()
    if not _claim(transmission_id, owner, now or timezone.now()):
        return None
    outcome = None
    try:
        t = Transmission.objects.select_related("situation__market", "company").get(pk=transmission_id)
        handler = _HANDLERS.get(t.state)
        outcome = StepOutcome(state=t.state) if handler is None else handler(t, owner)
        if (t.errors_in_a_row or t.waits) and outcome.state in (State.DEPOSITED, State.INTEGRATED):  # progress
            Transmission.objects.filter(pk=t.pk, lease_owner=owner).update(errors_in_a_row=0, waits=0)
        return outcome
    except LeaseLost:
        log.warning("transmission %s: lease lost, another worker continues", transmission_id)
        return None
    except Exception as exc:  # a bug or an unforeseen answer: recorded, retried later, never a silent loop
        log.exception("transmission %s: unexpected error", transmission_id)
        outcome = _unexpected(transmission_id, owner, exc)
        return outcome
    finally:
        # Release the lease, say when the next step is due, and schedule it, in one transaction: one chain of
        # steps per transmission, whoever ran this one (a worker's task, the `send` command); an early or
        # duplicate task is a no-op. A crash before the commit leaves the lease to expire; the sweep resumes.
        due = {"next_attempt_at": timezone.now() + outcome.again_after} if outcome and outcome.again_after else {}
        with transaction.atomic():
            released = Transmission.objects.filter(pk=transmission_id, lease_owner=owner).update(
                lease_owner="", lease_expires_at=None, **due
            )
            if released and outcome is not None and outcome.again_after is not None and then is not None:
                then(transmission_id, outcome.again_after)


def _claim(transmission_id: int, owner: str, now: datetime) -> bool:
    """Take the transmission if nobody holds it and its next step is due (a duplicate or early task is a no-op)."""
    free = Q(lease_expires_at__isnull=True) | Q(lease_expires_at__lt=now)
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    return bool(
        Transmission.objects.filter(pk=transmission_id).filter(free & due).update(
            lease_owner=owner, lease_expires_at=now + lease_duration(), scheduled_for=None, scheduled_task_id=None
        )
    )


def _save(t: Transmission, owner: str, **fields) -> None:
    """Write fields only if this worker still holds the lease (fencing), and renew the lease."""
    now = timezone.now()
    fields["updated_at"] = now
    if not Transmission.objects.filter(pk=t.pk, lease_owner=owner).update(
            lease_expires_at=now + lease_duration(), **fields):
        raise LeaseLost
    for k, v in fields.items():
        setattr(t, k, v)


def _event(t: Transmission, kind: str, message: str = "", data: dict | None = None, payload: bytes | None = None):
    return TransmissionEvent.objects.create(
        transmission=t, kind=kind, message=message, data=data or {}, payload=payload
    )


def _unexpected(transmission_id: int, owner: str, exc: Exception) -> StepOutcome:
    t = Transmission.objects.get(pk=transmission_id)
    errors = t.errors_in_a_row + 1
    with transaction.atomic():
        TransmissionEvent.objects.create(
            transmission=t, kind=Kind.FAILED if errors >= MAX_ERRORS_IN_A_ROW else Kind.DEPOSIT_RETRY,
            message=_("Unexpected error (%(error)s); it will be tried again later.") % {"error": type(exc).__name__},
            data={"error": type(exc).__name__},
        )
        Transmission.objects.filter(pk=t.pk, lease_owner=owner).update(errors_in_a_row=errors)
    t.errors_in_a_row = errors
    if t.state in (State.INTEGRATED, State.FAILED):
        return StepOutcome(state=t.state)  # finished: an error around it (e-mail, event) must not reopen it
    if errors >= MAX_ERRORS_IN_A_ROW:
        try:
            return _hold(t, owner, _(
                "chorusbat met an unexpected error %(n)d times in a row (%(error)s). It is recorded in "
                "chorusbat's logs for the people who run it; use “Try again” once it is fixed.") % {
                "n": errors, "error": type(exc).__name__}, needs_person=True)
        except LeaseLost:
            return StepOutcome(state=t.state)
    return StepOutcome(state=t.state, again_after=retry_delay(errors))


def _hold(t: Transmission, owner: str, reason: str, *, needs_person: bool = False) -> StepOutcome:
    """Hold with a French reason, remembering what was interrupted so that resuming never skips a lookup.

    A hold is re-examined by itself (``hold_recheck``) unless ``needs_person``: then only “Try again” resumes it.
    """
    held_from = t.held_from if t.state == State.HELD else t.state
    if held_from == State.DEPOSITING:
        held_from = State.UNCERTAIN
    if held_from not in (State.UNCERTAIN, State.DEPOSITED):
        held_from = State.UNCERTAIN if t.attempts > 0 else State.QUEUED
    with transaction.atomic():
        changed = t.state != State.HELD or t.reason != reason
        _save(t, owner, state=State.HELD, reason=reason, held_from=held_from, needs_person=needs_person,
              next_attempt_at=None if needs_person else timezone.now() + hold_recheck())
        if changed:
            _event(t, Kind.HELD, reason)
    return StepOutcome(state=State.HELD)


def _fail(t: Transmission, owner: str, reason: str, data: dict | None = None) -> StepOutcome:
    with transaction.atomic():
        _save(t, owner, state=State.FAILED, reason=reason, next_attempt_at=None)
        _event(t, Kind.FAILED, reason, data)

    notify_failure(t)
    return StepOutcome(state=State.FAILED)


# --- preconditions -------------------------------------------------------------------------------------------


def _client_or_hold(t: Transmission, owner: str) -> tuple[ChorusClient | None, StepOutcome | None]:
    """A Chorus Pro client for the company, or the hold explaining why none may be used."""
    subscription = ChorusSubscription.objects.filter(company_id=t.company_id).first()
    if (subscription is not None and subscription.status in _HOLDING_STATUSES
            and subscription.status != SubscriptionStatus.EXPIRED):  # client_for words the expiry itself
        return None, _hold(t, owner, _(
            "The Chorus Pro subscription is not verified (%(status)s). An administrator must test the "
            "connection under My account."
        ) % {"status": subscription.get_status_display()})
    try:
        return client_for(subscription), None
    except CallsHeld as held:
        return None, _hold(t, owner, str(held))


def _document_or_hold(t: Transmission, owner: str):

    if t.situation.status != Status.VALIDATED:
        return None, _hold(t, owner, _("The situation is not validated."))
    try:
        return ready_document(t.situation), None
    except DocumentError as problem:
        return None, _hold(t, owner, _("The Factur-X document cannot be sent: %(problem)s") % {
            "problem": str(problem)})


def _account_problem(t: Transmission, owner: str, error: cerr.ChorusError) -> StepOutcome:
    """Chorus Pro refused the credentials: record it on the subscription and hold (re-tested by the scheduler)."""
    status = SubscriptionStatus.EXPIRED if isinstance(error, cerr.PasswordExpired) else (
        SubscriptionStatus.REFUSED if isinstance(error, cerr.TechnicalAccountRefused) else
        SubscriptionStatus.MISCONFIGURED)
    ChorusSubscription.objects.filter(company_id=t.company_id).update(
        status=status, status_detail=error.user_message, status_checked_at=timezone.now()
    )
    return _hold(t, owner, error.user_message)


_ACCOUNT_ERRORS = (cerr.TechnicalAccountRefused, cerr.NotSubscribed, cerr.AuthenticationError,
                   cerr.MissingApplication, cerr.EnvironmentRefused)


# --- the states ----------------------------------------------------------------------------------------------


def _step_held(t: Transmission, owner: str) -> StepOutcome:
    """Re-examine a hold; when its cause is gone, resume exactly where it was interrupted."""
    if t.needs_person:
        return StepOutcome(state=State.HELD)  # only “Try again” (``send``) resumes it
    target = t.held_from or (State.UNCERTAIN if t.attempts > 0 else State.QUEUED)
    if target != State.DEPOSITED:
        _document, held = _document_or_hold(t, owner)
        if held:
            return held
        unprobed = _works_unprobed_reason(t, routes.route_for(t.situation.market))
        if unprobed:
            return _hold(t, owner, unprobed)
    client, held = _client_or_hold(t, owner)
    if held:
        return held
    client.close()
    with transaction.atomic():
        _save(t, owner, state=target, reason="", held_from="")
        _event(t, Kind.RESUMED, _("The cause of the hold is fixed: sending resumes."))
    return _HANDLERS[target](t, owner)


def _step_queued(t: Transmission, owner: str) -> StepOutcome:
    """Check every precondition, then deposit. Once anything was attempted, the invoice is looked up first,
    whatever the earlier outcome seemed to be."""
    if t.attempts > 0:
        return _step_uncertain(t, owner)
    document, held = _document_or_hold(t, owner)
    if held:
        return held
    client, held = _client_or_hold(t, owner)
    if held:
        return held
    with client:
        return _deposit(t, owner, client, document)


def _deposit(t: Transmission, owner: str, client: ChorusClient, document) -> StepOutcome:
    if t.attempts >= (t.attempts_budget or MAX_DEPOSIT_ATTEMPTS):
        return _hold(t, owner, _("%(n)d deposit attempts failed. Check the reasons in the history, then use "
                                 "“Try again”.") % {"n": t.attempts}, needs_person=True)
    route = routes.route_for(t.situation.market)
    refusal = route.refusal(t.situation)
    if refusal:
        return _hold(t, owner, refusal, needs_person=True)
    unprobed = _works_unprobed_reason(t, route)
    if unprobed:
        return _hold(t, owner, unprobed)  # re-examined by itself: a confirming probe lets it go
    first_of_document = not TransmissionEvent.objects.filter(
        transmission=t, kind=Kind.DEPOSIT_ATTEMPT, data__sha256=document.sha256).exists()
    with transaction.atomic():
        _save(t, owner, state=State.DEPOSITING, attempts=t.attempts + 1, document_sha256=document.sha256)
        _event(t, Kind.DEPOSIT_ATTEMPT, _("Deposit attempt %(n)d.") % {"n": t.attempts},
               {"route": route.name, "sha256": document.sha256, "file_name": route.file_name(t.situation)},
               payload=bytes(document.pdf) if first_of_document else None)  # the exact bytes, kept once
    try:
        deposit = route.deposit(client, t.situation, bytes(document.pdf))
    except cerr.TransientError as exc:
        if exc.maybe_delivered:
            return _uncertain(t, owner, exc)
        with transaction.atomic():
            _save(t, owner, state=State.QUEUED, waits=t.waits + 1)
        delay = retry_delay(t.attempts + t.waits)
        with transaction.atomic():
            _event(t, Kind.DEPOSIT_RETRY, exc.user_message, {"error": type(exc).__name__})
        return StepOutcome(state=State.QUEUED, again_after=delay)
    except _ACCOUNT_ERRORS as exc:
        # Refused at the gateway, before Chorus Pro recorded anything: back to queued, held until fixed.
        with transaction.atomic():
            _save(t, owner, state=State.QUEUED)
        return _account_problem(t, owner, exc)
    except cerr.WorksApiUnavailable as exc:
        # 404 on a works operation: not this company's fault, nor a refusal of the piece (review B8).
        return _hold(t, owner, exc.user_message, needs_person=True)
    except (cerr.BusinessError, cerr.RequestRejected) as exc:
        if t.attempts > 1:  # perhaps refused because an earlier attempt of ours already arrived
            found = route.find(client, t.situation, _supplier_id(t))
            if found is not None:
                return _adopt(t, owner, found)
        return _fail(t, owner, exc.user_message,
                     {"error": type(exc).__name__, "code": getattr(exc, "code_retour", None)})
    except cerr.ChorusError as exc:  # an answer we cannot read: the deposit may have been recorded
        return _uncertain(t, owner, exc)

    if deposit.already_there:
        return _adopt(t, owner, routes.Found(deposit.invoice_id, deposit.status,
                                             invoice_number=deposit.invoice_number))
    try:
        with transaction.atomic():
            if deposit.invoice_id:
                _save(t, owner, state=State.INTEGRATED, flux_number=deposit.flux_number or "",
                      chorus_invoice_id=deposit.invoice_id, chorus_invoice_number=deposit.invoice_number or "",
                      chorus_status=deposit.status or "", chorus_status_at=timezone.now(), reason="",
                      next_attempt_at=None)
                _event(t, Kind.INTEGRATED, _("Invoice created in Chorus Pro (no. %(id)s).")
                       % {"id": deposit.invoice_id}, {"invoice_id": deposit.invoice_id, "status": deposit.status,
                                                      "invoice_number": deposit.invoice_number})
                return StepOutcome(state=State.INTEGRATED)
            _save(t, owner, state=State.DEPOSITED, flux_number=deposit.flux_number, deposited_at=timezone.now(),
                  reason="", next_attempt_at=None)
            _event(t, Kind.DEPOSITED, _("File deposited in Chorus Pro (flux %(flux)s).")
                   % {"flux": deposit.flux_number}, {"flux_number": deposit.flux_number})
    except LeaseLost:
        # Another worker took over during the call; keep what Chorus Pro answered for the record.
        _event(t, Kind.DEPOSITED, _("File deposited in Chorus Pro (flux %(flux)s).") % {
            "flux": deposit.flux_number}, {"flux_number": deposit.flux_number, "invoice_id": deposit.invoice_id,
                                          "lease_lost": True})
        raise
    return StepOutcome(state=State.DEPOSITED, again_after=flux_poll_delay())


def _uncertain(t: Transmission, owner: str, exc: Exception) -> StepOutcome:
    delay = max(retry_delay(t.attempts), uncertain_wait())
    with transaction.atomic():
        _save(t, owner, state=State.UNCERTAIN)
        _event(t, Kind.DEPOSIT_UNCERTAIN, _(
            "Chorus Pro did not confirm the deposit. It will be looked up in Chorus Pro before any new attempt."),
            {"error": type(exc).__name__})
    return StepOutcome(state=State.UNCERTAIN, again_after=delay)


def _step_interrupted(t: Transmission, owner: str) -> StepOutcome:
    """A worker stopped in the middle of a deposit (crash, kill): treat its outcome as unknown."""
    return _uncertain(t, owner, RuntimeError("interrupted"))


def _step_uncertain(t: Transmission, owner: str) -> StepOutcome:
    """Look the invoice up before anything else; adopt it if Chorus Pro has it, deposit again only if not."""
    client, held = _client_or_hold(t, owner)
    if held:
        return held
    route = routes.route_for(t.situation.market)
    with client:
        try:
            found = route.find(client, t.situation, _supplier_id(t))
        except cerr.TransientError as exc:
            with transaction.atomic():
                _save(t, owner, waits=t.waits + 1)
                _event(t, Kind.LOOKED_UP, exc.user_message, {"error": type(exc).__name__})
            return StepOutcome(state=State.UNCERTAIN, again_after=retry_delay(t.attempts + t.waits))
        except _ACCOUNT_ERRORS as exc:
            return _account_problem(t, owner, exc)
        except cerr.WorksApiUnavailable as exc:
            return _hold(t, owner, exc.user_message, needs_person=True)
        if found is not None:
            return _adopt(t, owner, found)
        with transaction.atomic():
            _save(t, owner, waits=0)
            _event(t, Kind.LOOKED_UP, _("The invoice is not in Chorus Pro: it will be deposited again."))
        document, held = _document_or_hold(t, owner)
        if held:
            return held
        return _deposit(t, owner, client, document)


def _integrated(t: Transmission, owner: str, found, kind: str, message: str) -> StepOutcome:
    """The invoice is in Chorus Pro (``found``): record its id and status; the batch sync follows it from now on."""
    with transaction.atomic():
        _save(t, owner, state=State.INTEGRATED, chorus_invoice_id=found.invoice_id,
              chorus_invoice_number=getattr(found, "invoice_number", None) or t.chorus_invoice_number or "",
              flux_number=found.flux_number or t.flux_number, chorus_status=found.status or "",
              chorus_status_at=timezone.now(), reason="", next_attempt_at=None)
        _event(t, kind, message % {"id": found.invoice_id}, {"invoice_id": found.invoice_id, "status": found.status})
    return StepOutcome(state=State.INTEGRATED)


def _adopt(t: Transmission, owner: str, found) -> StepOutcome:
    return _integrated(t, owner, found, Kind.ADOPTED,
                       _("The invoice is already in Chorus Pro (no. %(id)s): it was not deposited again."))


def _step_deposited(t: Transmission, owner: str) -> StepOutcome:
    """Follow the flux until Chorus Pro integrates or rejects it."""
    client, held = _client_or_hold(t, owner)
    if held:
        return held
    route = routes.route_for(t.situation.market)
    with client:
        try:
            progress = route.follow(client, t.situation, t.flux_number, _supplier_id(t))
        except cerr.TransientError:
            return StepOutcome(state=State.DEPOSITED, again_after=flux_poll_delay(t.deposited_at))
        except _ACCOUNT_ERRORS as exc:
            return _account_problem(t, owner, exc)
    if progress.flux_state and progress.flux_state != t.flux_state:
        with transaction.atomic():
            _save(t, owner, flux_state=progress.flux_state)
            if progress.in_error:
                _event(t, Kind.FLUX_STATE, progress.error_message,
                       {"flux_state": progress.flux_state, "errors": progress.errors})
            else:
                _event(t, Kind.FLUX_STATE, progress.flux_state_label, {"flux_state": progress.flux_state})
    if progress.invoice is not None:
        if progress.from_earlier_deposit:
            return _adopt(t, owner, progress.invoice)
        return _integrated(t, owner, progress.invoice, Kind.INTEGRATED,
                           _("Invoice integrated by Chorus Pro (no. %(id)s)."))
    if progress.rejected:
        return _fail(t, owner, progress.rejection_message, {"flux_state": progress.flux_state,
                                                            "errors": progress.errors})
    if progress.in_error:
        since = _flux_state_since(t, progress.flux_state)
        if since is not None and timezone.now() - since > flux_error_grace():
            return _hold(t, owner, _("Flux %(flux)s is still in error in Chorus Pro. %(errors)s Check the file "
                                     "in Chorus Pro, then use “Try again”.") % {
                "flux": t.flux_number, "errors": progress.error_message}, needs_person=True)
        return StepOutcome(state=State.DEPOSITED, again_after=min(flux_poll_delay(t.deposited_at),
                                                                  flux_error_grace()))
    if progress.integrated_not_found and t.deposited_at and timezone.now() - t.deposited_at > INTEGRATED_NOT_FOUND:
        return _hold(t, owner, _("Chorus Pro says it integrated flux %(flux)s, but the invoice cannot be found in "
                                 "it. Check the invoice in Chorus Pro, then use “Try again”.") % {
            "flux": t.flux_number}, needs_person=True)
    if t.deposited_at and timezone.now() - t.deposited_at > deposited_deadline():
        return _hold(t, owner, _("Flux %(flux)s was deposited on %(date)s and Chorus Pro has still not finished "
                                 "processing it (%(state)s). Check the file in Chorus Pro, then use “Try again”.") % {
            "flux": t.flux_number, "date": timezone.localtime(t.deposited_at).strftime("%d/%m/%Y %H:%M"),
            "state": progress.flux_state_label or _("no state given")}, needs_person=True)
    return StepOutcome(state=State.DEPOSITED, again_after=flux_poll_delay(t.deposited_at))


def _flux_state_since(t: Transmission, state: str | None) -> datetime | None:
    """When the flux entered ``state`` (its latest entry, as recorded)."""
    event = (TransmissionEvent.objects.filter(transmission=t, kind=Kind.FLUX_STATE, data__flux_state=state)
             .order_by("-at", "-id").first())
    return event.at if event else None


def _works_unprobed_reason(t: Transmission, route) -> str | None:
    """Works pieces to production wait for a probe that confirmed the works API there (issue 11 item 8)."""

    if route.name != "works" or getattr(settings, "CHORUSBAT_WORKS_UNPROBED_ALLOWED", False):
        return None
    subscription = ChorusSubscription.objects.filter(company_id=t.company_id).first()
    if subscription is None or subscription.environment != ChorusEnvironment.PRODUCTION:
        return None  # qualification and the sandbox are where the works API gets tried
    if ChorusProbe.objects.filter(subscription=subscription, environment=subscription.environment,
                                  works_api_confirmed=True).exists():
        return None
    return _("Works pieces are not sent to Chorus Pro production until a qualification probe has confirmed the "
             "works API on this platform (command “chorusbat chorus probe --company %(siret)s”). Nothing was sent; "
             "sending resumes by itself once a probe has confirmed it.") % {"siret": t.company.siret}


_HANDLERS = {
    State.QUEUED: _step_queued,
    State.HELD: _step_held,
    State.DEPOSITING: _step_interrupted,  # a worker died while depositing: the outcome is unknown
    State.UNCERTAIN: _step_uncertain,
    State.DEPOSITED: _step_deposited,
}


def _supplier_id(t: Transmission) -> int | None:
    return ChorusSubscription.objects.filter(company_id=t.company_id).values_list("structure_id", flat=True).first()


# --- repairs -------------------------------------------------------------------------------------------------

_ACTIVE = [State.QUEUED, State.UNCERTAIN, State.DEPOSITED, State.DEPOSITING, State.HELD]


def _step_waiting_in_queue(now: datetime) -> Exists:
    """The transmission's scheduled task will still run: it waits in the queue, or a worker took it moments ago.

    Read from django-tasks-db's own table (the backend ``TASKS`` names): a task a worker took and then died with
    stays "running" there forever, so "running" only counts for ``claim_grace``.
    """

    return Exists(DBTaskResult.objects.filter(pk=OuterRef("scheduled_task_id")).filter(
        Q(status=TaskResultStatus.READY)
        | Q(status=TaskResultStatus.RUNNING, started_at__gte=now - claim_grace())))


def due_transmissions(now: datetime | None = None):
    """Transmissions that need a step now and have no step coming: queued/uncertain/deposited/held ones whose time
    has come and whose lease is free, unless their scheduled task is still waiting in the queue (or was just
    taken). That covers whatever a crash left behind: an expired lease, a task taken by a worker that died, a step
    that ended without scheduling the next one."""
    now = now or timezone.now()
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    return _moving_and_free(now).filter(due).exclude(_step_waiting_in_queue(now))


def _moving_and_free(now: datetime):
    """Transmissions the gateway moves by itself (not final, not held for a person) that no step holds now."""
    free = Q(lease_expires_at__isnull=True) | Q(lease_expires_at__lt=now)
    return Transmission.objects.filter(Q(state__in=_ACTIVE) & free).exclude(needs_person=True)


def overdue_transmissions(company_id: int | None = None, now: datetime | None = None):
    """Transmissions whose next step should have started more than ``overdue_after`` ago and has not (no worker
    running, or something stuck): zero in a healthy installation. Held-for-a-person ones are not overdue (they
    wait for a person, and the dashboard lists them as such); a step in progress is not either."""
    now = now or timezone.now()
    late = now - overdue_after()
    overdue = Q(next_attempt_at__lt=late) | Q(next_attempt_at__isnull=True, updated_at__lt=late)
    qs = _moving_and_free(now).filter(overdue)
    return qs.filter(company_id=company_id) if company_id is not None else qs


def ready_to_send(company):
    """Validated situations not handed to the gateway yet, as a query (the dashboard counts and sums it in SQL)."""
    return (Situation.objects.filter(company=company, status=Status.VALIDATED, transmission__isnull=True)
            .select_related("market").order_by("market_id", "period"))


def situations_ready_to_send(company) -> list[Situation]:
    return list(ready_to_send(company))
