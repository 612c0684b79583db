"""E-mails about an invoice's life in Chorus Pro, to the referent e-mail and to the situation's author.

Sent on rejection (by Chorus Pro or by the buyer), suspension, recycling request and payment — the moments a
person must act or wants to know. Each (transmission, status) is notified once: the status-change event is
written before, in the same transaction, and a status is applied only when it changes.
"""

from __future__ import annotations

import logging

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from chorusbat.accounts.models import ChorusSubscription
from chorusbat.chorus.enums import InvoiceStatus
from chorusbat.gateway.labels import status_label
from chorusbat.gateway.models import REASON_STATUSES
from chorusbat.people.notifications import kind_of_status, wanted
from chorusbat.web.french_format import explain_english

log = logging.getLogger(__name__)

# The statuses that make an e-mail: those the buyer gives a reason for, and the payment.
NOTIFIED_STATUSES = REASON_STATUSES | {InvoiceStatus.MISE_EN_PAIEMENT}


def _recipients(t) -> list[str]:
    emails = []
    subscriptions = ChorusSubscription.objects.filter(company_id=t.company_id)
    referent = subscriptions.values_list("referent_email", flat=True).first()
    if referent:
        emails.append(referent)
    author = t.situation.created_by
    if author and author.email and author.email.lower() not in {e.lower() for e in emails}:
        emails.append(author.email)
    return emails


def _send(t, subject: str, headline: str, detail: str, kind: str = "rejection", status: str = "") -> None:
    to = wanted(_recipients(t), kind, t.company_id)  # each user's notification preferences
    if not to:
        return

    context = {"t": t, "situation": t.situation, "headline": headline, "detail": detail, "status": status,
               "detail_in_french": explain_english(detail),
               "asks_reason": status in REASON_STATUSES}
    with translation.override("fr"):
        text = render_to_string("gateway/emails/notice.txt", context)
        html = render_to_string("gateway/emails/notice.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=to)
    message.attach_alternative(html, "text/html")
    try:
        message.send()
    except OSError as exc:  # the status is recorded and shown on screen even if the mail server is down
        log.warning("notice for transmission %s not sent: %s", t.pk, exc)


def notify_status(t) -> None:
    if t.chorus_status not in NOTIFIED_STATUSES:
        return
    with translation.override("fr"):
        label = status_label(t.chorus_status)
        subject = _("Chorus Pro: invoice %(number)s — %(status)s") % {"number": t.situation.number, "status": label}
        headline = _("Invoice %(number)s (market %(market)s) is now: %(status)s.") % {
            "number": t.situation.number, "market": t.situation.market.number, "status": label}
        detail = t.chorus_comment
    _send(t, subject, headline, detail, kind_of_status(t.chorus_status), t.chorus_status)


def notify_failure(t) -> None:
    with translation.override("fr"):
        subject = _("Chorus Pro: invoice %(number)s was refused") % {"number": t.situation.number}
        headline = _("Chorus Pro refused invoice %(number)s (market %(market)s).") % {
            "number": t.situation.number, "market": t.situation.market.number}
    _send(t, subject, headline, t.reason, "failed")
