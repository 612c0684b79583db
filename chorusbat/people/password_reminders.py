"""The technical password's expiry reminders, e-mailed to the Chorus Pro referent and the company's administrators
30, 15, 7 and 1 days before expiry and on the day it expires, each exactly once, honouring each user's e-mail
preferences (:func:`chorusbat.people.notifications.wanted`). When they are due is
:mod:`chorusbat.accounts.password_life`'s answer (it sits below people in the layers, so the sending lives here)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from chorusbat.accounts.models import ChorusSubscription, Membership, PasswordReminder
from chorusbat.accounts.password_life import days_left, due_stage, expiry_date
from chorusbat.people.notifications import wanted

log = logging.getLogger(__name__)


@dataclass
class ReminderRun:
    sent: int = 0
    skipped: int = 0


def _recipients(subscription: ChorusSubscription) -> list[str]:
    emails = [subscription.referent_email]
    admins = Membership.objects.filter(company=subscription.company, role=Membership.Role.ADMIN).select_related("user")
    emails += [m.user.email for m in admins if m.user.email]
    seen, unique = set(), []
    for e in emails:
        if e and e.lower() not in seen:
            seen.add(e.lower())
            unique.append(e)
    return wanted(unique, "password_expiry", subscription.company_id)  # each user's notification preferences


def _send(subscription: ChorusSubscription, stage: int, recipients: list[str], base_url: str) -> None:
    expires = expiry_date(subscription)
    if stage == 0:
        subject = _("Chorus Pro: your technical password has expired")
    else:
        subject = ngettext(
            "Chorus Pro: your technical password expires in %(days)d day",
            "Chorus Pro: your technical password expires in %(days)d days",
            stage,
        ) % {"days": stage}
    context = {
        "company": subscription.company,
        "subscription": subscription,
        "stage": stage,
        "expires": expires,
        "url": base_url.rstrip("/") + reverse("accounts:subscription_edit"),
    }
    text = render_to_string("accounts/emails/password_reminder.txt", context)
    html = render_to_string("accounts/emails/password_reminder.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=recipients)
    message.attach_alternative(html, "text/html")
    message.send()


def send_password_reminders(today: date | None = None, base_url: str = "http://127.0.0.1:8000") -> ReminderRun:
    """Send every reminder due today (idempotent). Safe to run as often as wanted, late, or concurrently."""
    today = today or timezone.localdate()
    run = ReminderRun()
    for subscription in ChorusSubscription.objects.select_related("company"):
        stage = due_stage(days_left(subscription, today))
        if stage is None:
            continue
        expires = expiry_date(subscription)
        if PasswordReminder.objects.filter(company=subscription.company, expires_on=expires, stage=stage).exists():
            run.skipped += 1
            continue
        recipients = _recipients(subscription)
        try:
            with transaction.atomic(), translation.override("fr"):
                PasswordReminder.objects.create(
                    company=subscription.company, expires_on=expires, stage=stage, recipients=recipients
                )
                _send(subscription, stage, recipients, base_url)
        except IntegrityError:
            run.skipped += 1  # another run sent it between our check and our insert
            continue
        log.info("password reminder stage %s sent for company %s", stage, subscription.company_id)
        run.sent += 1
    return run
