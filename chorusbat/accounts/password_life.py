"""The technical password's 12-month life: expiry date, reminders, banner, and the hold after expiry.

The expiry date is the one Chorus Pro reports (``dateExpirationMotPasseCompteTech``) when it reports one, else 12
months after the password was saved (``ChorusSubscription.password_expires_at``).

Reminders go to the referent e-mail and the company's administrators 30, 15, 7 and 1 days before expiry and on
the day it expires (stage 0). Each is sent exactly once: a ``PasswordReminder`` row is inserted under a unique
constraint in the same transaction as the sending, so a second run (or a concurrent one) finds it and skips.
A late run sends only the most urgent stage reached — a reminder "30 days left" is pointless six days before.
The sending itself is :mod:`chorusbat.people.password_reminders` (it honours each user's e-mail preferences).
"""

from __future__ import annotations

import logging
from datetime import date, datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from chorusbat.accounts.models import ChorusSubscription, SubscriptionStatus
from chorusbat.web.french_format import day_month_year

log = logging.getLogger(__name__)

STAGES = (30, 15, 7, 1, 0)
BANNER_FROM_DAYS = 30


def expiry_date(subscription: ChorusSubscription) -> date:
    return timezone.localdate(subscription.password_expires_at)


def days_left(subscription: ChorusSubscription, today: date | None = None) -> int:
    return (expiry_date(subscription) - (today or timezone.localdate())).days


def is_expired(subscription: ChorusSubscription, now: datetime | None = None) -> bool:
    """True once the expiry moment has passed, or once Chorus Pro answered that the password expired."""
    if subscription.status == SubscriptionStatus.EXPIRED:
        return True
    return (now or timezone.now()) >= subscription.password_expires_at


def due_stage(days: int) -> int | None:
    """The most urgent reminder stage reached with ``days`` left, or None when it is too early."""
    reached = [s for s in STAGES if days <= s]
    return min(reached) if reached else None


def expired_by_answer(subscription: ChorusSubscription, now: datetime | None = None) -> bool:
    """Chorus Pro answered that the password expired, before the expiry date known here."""
    return (subscription.status == SubscriptionStatus.EXPIRED
            and (now or timezone.now()) < subscription.password_expires_at)


def expiry_statement(subscription: ChorusSubscription) -> str:
    """The one sentence about the password's expiry, consistent with its status: never « expires on » a date to
    come next to « password expired »; the date shown is the one that caused the expiry, with its source."""
    if expired_by_answer(subscription):
        checked = subscription.status_checked_at
        return _("expired: Chorus Pro answered so at the connection test of %(date)s") % {
            "date": day_month_year(timezone.localtime(checked)) if checked else "—"}
    when = day_month_year(expiry_date(subscription))
    if is_expired(subscription):
        return _("expired on %(date)s") % {"date": when}
    if subscription.password_expires_reported:
        return _("expires on %(date)s (date given by Chorus Pro)") % {"date": when}
    return _("expires on %(date)s (estimated: 12 months after it was saved)") % {"date": when}


def hold_reason(subscription: ChorusSubscription | None) -> str | None:
    """Why no Chorus Pro call may be made for this company now, in French; None when calls may go ahead."""
    if subscription is None:
        return _("No Chorus Pro subscription is recorded. An administrator must fill it in under My account.")
    if expired_by_answer(subscription):
        return _(
            "Chorus Pro answered that the technical password has expired. Have it renewed in Chorus Pro, then save "
            "the new password under My account › ChorusPRO subscription."
        )
    if is_expired(subscription):
        return _(
            "The Chorus Pro technical password expired on %(date)s. Have it renewed in Chorus Pro, then save the "
            "new password under My account › ChorusPRO subscription."
        ) % {"date": date_format(expiry_date(subscription), "j F Y")}
    return None


def banner_for(subscription: ChorusSubscription | None) -> dict | None:
    """The banner administrators see on every page from 30 days before expiry."""
    if subscription is None:
        return None
    url = reverse("accounts:subscription_edit")
    if is_expired(subscription):
        return {
            "level": "error",
            "text": _("The Chorus Pro technical password has expired: nothing can be sent to Chorus Pro."),
            "url": url,
            "action": _("Save the new password"),
        }
    left = days_left(subscription)
    if left <= BANNER_FROM_DAYS:
        return {
            "level": "warning",
            "text": ngettext(
                "The Chorus Pro technical password expires on %(date)s (in %(days)d day). Have it renewed in Chorus "
                "Pro, then save it here.",
                "The Chorus Pro technical password expires on %(date)s (in %(days)d days). Have it renewed in "
                "Chorus Pro, then save it here.",
                left,
            ) % {"date": date_format(expiry_date(subscription), "j F Y"), "days": left},
            "url": url,
            "action": _("Update the password"),
        }
    return None
