"""E-mail reminders of the end-of-market deadlines (``chorusbat remind-closing-deadlines``, run daily).

Each open deadline of a market's end (:mod:`chorusbat.contracts.deadlines`) gets a reminder 7 days and 1 day
before it, once each: a :class:`~chorusbat.contracts.models.ClosingReminder` row (unique per deadline, due date
and days before) is written in the same transaction as the sending. The company's members who want the
« situation due » e-mails receive them (the kind of e-mail about billing deadlines; no kind of its own).
"""

from __future__ import annotations

import datetime

from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from chorusbat.accounts.models import Membership
from chorusbat.contracts import closing, deadlines
from chorusbat.contracts.models import ClosingReminder, MarketClosing
from chorusbat.people.notifications import wanted

KIND = "situation_due"  # the members' preference these reminders follow

SUBJECTS = {
    "final_statement": lambda: _("the projet de décompte final"),
    "general_statement": lambda: _("the décompte général expected from the buyer"),
    "answer": lambda: _("your answer to the décompte général"),
    "release": lambda: _("the release of the retention"),
}


def send_closing_reminders(today: datetime.date | None = None, base_url: str = "http://127.0.0.1:8000") -> int:
    """Send the reminders due ``today``; return how many were recorded."""
    today = today or timezone.localdate()
    sent = 0
    rows = (MarketClosing.objects.filter(dgd_on__isnull=True) | MarketClosing.objects.filter(released_on__isnull=True))
    for row in rows.select_related("market", "market__company").distinct():
        market = row.market
        view = closing.overview(market, today)
        for deadline in view.timeline:
            for days_before in deadlines.reminders_due(deadline):
                if ClosingReminder.objects.filter(closing=row, deadline=deadline.key, due=deadline.due,
                                                  days_before=days_before).exists():
                    continue
                emails = [m.user.email for m in Membership.objects.filter(company=market.company,
                                                                          user__is_active=True)
                          .select_related("user") if m.user.email]
                recipients = wanted(emails, KIND, market.company_id)
                try:
                    with transaction.atomic(), translation.override("fr"):
                        ClosingReminder.objects.create(closing=row, deadline=deadline.key, due=deadline.due,
                                                       days_before=days_before, recipients=recipients)
                        if recipients:
                            _send(view, deadline, recipients, base_url)
                except IntegrityError:
                    continue  # another run sent it
                sent += 1
    return sent


def _send(view, deadline, recipients, base_url) -> None:
    market = view.market
    what = SUBJECTS[deadline.key]()
    if deadline.key == "release" and view.guarantee_instead:
        what = _("the release of the first-demand guarantee")
    context = {"market": market, "what": what, "deadline": deadline,
               "url": base_url.rstrip("/") + reverse("contracts:closing", args=[market.pk])}
    subject = _("chorusbat: %(what)s for market %(number)s is due on %(date)s") % {
        "what": what, "number": market.number, "date": deadline.due.strftime("%d/%m/%Y")}
    text = render_to_string("contracts/emails/closing_deadline.txt", context)
    html = render_to_string("contracts/emails/closing_deadline.html", context)
    for email in recipients:  # one message each: members do not see each other's addresses
        message = EmailMultiAlternatives(subject=subject, body=text, to=[email])
        message.attach_alternative(html, "text/html")
        message.send()
