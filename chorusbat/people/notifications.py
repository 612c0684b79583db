"""Who wants which e-mail, and the monthly reminder of situations not yet drawn up.

The sending code of other apps calls :func:`wanted` with the addresses it would write to: addresses of users
who turned that kind of e-mail off are removed; other addresses (a Chorus Pro referent who is not a user) stay.
"""

from __future__ import annotations

import calendar
import datetime
import logging
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from chorusbat.accounts.models import Membership
from chorusbat.chorus.enums import InvoiceStatus
from chorusbat.markets.models import Market
from chorusbat.people.models import NotificationPreferences, SituationDueReminder

log = logging.getLogger(__name__)
# From this day of the month, a market without its situation for the month gets a reminder (CCAG: the projet de
# décompte is sent before the end of each month).
DUE_FROM_DAY = 20

STATUS_KINDS = {
    InvoiceStatus.REJETEE: "rejection", InvoiceStatus.REFUSEE_MOE: "rejection", InvoiceStatus.REFUSEE_MOA: "rejection",
    InvoiceStatus.SUSPENDUE: "suspension", InvoiceStatus.A_RECYCLER: "suspension",
    InvoiceStatus.MISE_EN_PAIEMENT: "payment",
}


def kind_of_status(status: str) -> str:
    return STATUS_KINDS.get(status, "rejection")


def wanted(emails: Iterable[str], kind: str, company_id: int | None = None) -> list[str]:
    """``emails`` without those of users (of ``company_id`` when given) who turned ``kind`` off, and without those
    of deactivated or removed users."""
    emails = list(emails)
    if kind not in NotificationPreferences.KINDS or not emails:
        return emails
    User = get_user_model()
    present = [e for e in emails if e]
    users = User.objects.filter(email__in=present, is_active=True)
    if company_id is not None:
        users = users.filter(membership__company_id=company_id)
    off = {u.email.lower() for u in users.filter(**{f"notification_preferences__{kind}": False})}
    # Deactivated or removed members (e.g. the author of an old situation) no longer receive anything.
    active = {u.email.lower() for u in users}
    off |= {u.email.lower() for u in User.objects.filter(email__in=present, is_active=False)} - active
    return [e for e in emails if e and e.lower() not in off]


def preferences_for(user) -> NotificationPreferences:
    return NotificationPreferences.objects.get_or_create(user=user)[0]


def _months_between(start: datetime.date, months: int) -> datetime.date:
    y, m = divmod(start.month - 1 + months, 12)
    return datetime.date(start.year + y, m + 1, 1)


def markets_missing_a_situation(today: datetime.date):
    """Markets running this month (between their start and the end of their duration) with no situation for it."""
    period = today.replace(day=1)
    for market in (Market.objects.filter(start_date__lte=today).exclude(situations__period=period)
                   .select_related("company")):
        if _months_between(market.start_date.replace(day=1), market.duration_months) > period:
            yield market


def send_situation_reminders(today: datetime.date | None = None, base_url: str = "http://127.0.0.1:8000") -> int:
    """E-mail, once per market and month, the members who want it that this month's situation is missing."""
    today = today or timezone.localdate()
    if today.day < DUE_FROM_DAY:
        return 0
    period = today.replace(day=1)
    last_day = today.replace(day=calendar.monthrange(today.year, today.month)[1])
    sent = 0
    for market in markets_missing_a_situation(today):
        if SituationDueReminder.objects.filter(market=market, period=period).exists():
            continue
        emails = [m.user.email for m in Membership.objects.filter(company=market.company, user__is_active=True)
                  .select_related("user") if m.user.email]
        recipients = wanted(emails, "situation_due", market.company_id)
        try:
            with transaction.atomic(), translation.override("fr"):
                SituationDueReminder.objects.create(market=market, period=period, recipients=recipients)
                if recipients:
                    _send_due(market, period, last_day, recipients, base_url)
        except IntegrityError:
            continue  # another run sent it
        sent += 1
    return sent


def _send_due(market, period, last_day, recipients, base_url) -> None:
    context = {"market": market, "period": period, "last_day": last_day,
               "url": base_url.rstrip("/") + reverse("markets:detail", args=[market.pk])}
    subject = _("chorusbat: situation of %(month)s to draw up for market %(number)s") % {
        "month": period.strftime("%m/%Y"), "number": market.number}
    text = render_to_string("people/emails/situation_due.txt", context)
    html = render_to_string("people/emails/situation_due.html", context)
    for email in recipients:  # one message each: members do not see each other's addresses
        message = EmailMultiAlternatives(subject=subject, body=text, to=[email])
        message.attach_alternative(html, "text/html")
        message.send()
