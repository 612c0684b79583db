"""Following invoices in Chorus Pro: statuses in batches, history only for what changed.

One cycle for a company (``sync_company``) makes one paginated ``rechercher/fournisseur`` filtered on the date of
the last status change seen (``periodeDateHeureEtatCourantDu``) — not one call per invoice — plus one
``consulter/historique`` per invoice whose status changed, to store its history and the buyer's comments.
Invoices at a final status are no longer tracked; when a company has nothing to track, no call is made at all.
Works pieces (A4, A10, A13) are followed the same way through the works search (``chorusbat.chorus.works``).
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from chorusbat.accounts.chorus_access import CallsHeld, client_for
from chorusbat.accounts.models import ChorusSubscription, SubscriptionStatus
from chorusbat.chorus import errors as cerr
from chorusbat.chorus import works
from chorusbat.chorus.client import PAGE_SIZE
from chorusbat.chorus.enums import FINAL_STATUSES
from chorusbat.chorus.models import InvoiceSearchPaging, InvoiceSearchRequest
from chorusbat.gateway.labels import status_label
from chorusbat.gateway.models import ChorusStatusChange, SyncCursor, Transmission, TransmissionEvent
from chorusbat.gateway.notify import notify_status
from chorusbat.gateway.routes import WorksRoute

log = logging.getLogger(__name__)

# Re-read a little before the last change seen: Chorus Pro's date filter is per day, and clocks differ.
OVERLAP = timedelta(days=1)
SYNC_LEASE = timedelta(minutes=15)


@dataclass
class SyncReport:
    calls: int = 0
    changed: int = 0
    skipped_reason: str = ""


def tracked(company_id: int):
    """Invoices in Chorus Pro whose status is not final yet: only the columns a cycle reads (tens of thousands of
    followed invoices cost one light query; what a change needs more is loaded for the changed ones only)."""
    return list(
        Transmission.objects.filter(company_id=company_id, state=Transmission.State.INTEGRATED)
        .exclude(chorus_status__in=[str(s) for s in FINAL_STATUSES])
        .select_related("situation__market")
        .only("id", "company_id", "situation_id", "chorus_invoice_id", "chorus_status", "created_at",
              "situation__market_id", "situation__market__framework")
    )


def sync_company(company_id: int, *, page_size: int = PAGE_SIZE) -> SyncReport:
    report = SyncReport()
    followed = tracked(company_id)
    if not followed:
        return report
    subscription = ChorusSubscription.objects.filter(company_id=company_id).first()
    if subscription is None or subscription.status not in (SubscriptionStatus.VERIFIED,
                                                           SubscriptionStatus.UNREACHABLE):
        report.skipped_reason = "subscription not verified"
        return report
    try:
        client = client_for(subscription)
    except CallsHeld as held:
        report.skipped_reason = str(held)
        return report

    # One cycle per company at a time (cron and a worker may overlap): a lease on the cursor, never a database
    # lock held across HTTP calls. A second cycle finding it taken simply skips; the conditional updates of
    # ``_apply`` make a change applied twice impossible anyway.
    SyncCursor.objects.get_or_create(company_id=company_id)
    now, owner = timezone.now(), uuid.uuid4().hex
    taken = SyncCursor.objects.filter(company_id=company_id).filter(
        Q(lease_expires_at__isnull=True) | Q(lease_expires_at__lt=now)).update(
        lease_owner=owner, lease_expires_at=now + SYNC_LEASE)
    if not taken:
        client.close()
        report.skipped_reason = "another cycle is running"
        return report
    cursor = SyncCursor.objects.get(company_id=company_id)
    try:
        return _cycle(company_id, subscription, client, followed, cursor, report, page_size, owner)
    finally:
        SyncCursor.objects.filter(pk=cursor.pk, lease_owner=owner).update(lease_owner="", lease_expires_at=None)


def _renew(cursor, owner) -> None:
    """Keep the cycle's lease while it works (long first cycles); a cycle whose lease was taken stops."""
    if not SyncCursor.objects.filter(pk=cursor.pk, lease_owner=owner).update(
            lease_expires_at=timezone.now() + SYNC_LEASE):
        raise cerr.ChorusError("sync lease lost")


def _cycle(company_id, subscription, client, followed, cursor, report, page_size, owner) -> SyncReport:
    since = cursor.last_change_seen or min(t.created_at for t in followed)
    since_day = (since - OVERLAP).date()
    # Invoices and works pieces are numbered by two different Chorus Pro searches: keep their ids apart.
    invoices_by_id = {t.chorus_invoice_id: t for t in followed if not isinstance_works(t)}
    works_by_id = {t.chorus_invoice_id: t for t in followed if isinstance_works(t)}
    latest = cursor.last_change_seen
    changes: dict[int, tuple[Transmission, str, datetime | None, str]] = {}
    with client:
        try:
            if invoices_by_id:
                page = 1
                while True:
                    result = client.search_supplier_invoices(InvoiceSearchRequest(
                        id_supplier=subscription.structure_id, state_changed_from=since_day,
                        paging=InvoiceSearchPaging(page=page, per_page=page_size),
                    ))
                    report.calls += 1
                    _renew(cursor, owner)
                    for inv in result.invoices:
                        t = invoices_by_id.get(inv.invoice_id)
                        if t is not None and inv.status and inv.status != t.chorus_status:
                            changes[t.pk] = (t, inv.status, inv.state_changed_at, inv.state_comment or "")
                        if inv.state_changed_at and (latest is None or inv.state_changed_at > latest):
                            latest = inv.state_changed_at
                    pages = result.page_info.pages if result.page_info and result.page_info.pages else 1
                    if page >= pages or not result.invoices:
                        break
                    page += 1
            if works_by_id:
                request = works.WorksSearchRequest(id_supplier=subscription.structure_id,
                                                   state_changed_from=since_day.isoformat())
                pieces = list(works.iter_works_invoices(client, request))
                report.calls += max(1, -(-len(pieces) // PAGE_SIZE))  # one call per page read
                for piece in pieces:
                    t = works_by_id.get(piece.works_invoice_id)
                    if t is not None and piece.status and piece.status != t.chorus_status:
                        # The buyer's reason (rejection, suspension) comes with the piece: keep it.
                        changes[t.pk] = (t, piece.status, None, piece.state_comment or "")

            for t, status, at, comment in changes.values():  # one change per invoice: the latest read
                history = []
                if not isinstance_works(t):
                    history = client.invoice_history(t.chorus_invoice_id).status_history.changes
                    report.calls += 1
                if _apply(t, status, at, comment, history):
                    report.changed += 1
                _renew(cursor, owner)
        except cerr.ChorusError as exc:
            # The cursor stays where it was: the next cycle reads the same period again, nothing is skipped.
            log.warning("status sync of company %s stopped: %s", company_id, exc)
            report.skipped_reason = exc.user_message
            SyncCursor.objects.filter(pk=cursor.pk).update(last_run_at=timezone.now(), last_calls=report.calls)
            return report
    SyncCursor.objects.filter(pk=cursor.pk).update(
        last_change_seen=latest, last_run_at=timezone.now(), last_calls=report.calls
    )
    return report


def isinstance_works(t: Transmission) -> bool:
    return t.situation.market.framework in WorksRoute.FRAMEWORKS


def _apply(t: Transmission, status: str, at: datetime | None, comment: str, history) -> bool:
    """Record a status change once: only if the transmission still has the status we read (conditional update)."""
    comment = comment or next((h.comment for h in reversed(history) if h.status == status and h.comment), "") or ""
    with transaction.atomic():
        if not Transmission.objects.filter(pk=t.pk, chorus_status=t.chorus_status).exclude(
                chorus_status=status).update(
                chorus_status=status, chorus_status_at=at or timezone.now(), chorus_comment=comment,
                updated_at=timezone.now()):
            return False  # another cycle applied it first
        rows = history or [type("Change", (), {"status": status, "at": at, "comment": comment})()]
        for h in rows:
            try:
                with transaction.atomic():
                    ChorusStatusChange.objects.get_or_create(
                        transmission=t, status=h.status, at=h.at, defaults={"comment": h.comment or ""})
            except IntegrityError:
                pass
        TransmissionEvent.objects.create(
            transmission=t, kind=TransmissionEvent.Kind.STATUS,
            message=_("Chorus Pro status: %(status)s.") % {"status": status_label(status)}
            + (f" « {comment} »" if comment else ""),
            data={"status": status, "comment": comment},
        )
    t.chorus_status, t.chorus_comment = status, comment
    notify_status(t)
    return True


def sync_all() -> SyncReport:
    """One cycle for every company with something to follow (the periodic job)."""
    total = SyncReport()
    companies = (
        Transmission.objects.filter(state=Transmission.State.INTEGRATED)
        .values_list("company_id", flat=True).distinct()
    )
    for company_id in companies:
        r = sync_company(company_id)
        total.calls += r.calls
        total.changed += r.changed
    return total
