"""Each user's choice of e-mails, and the record of the monthly "situation due" reminders (sent once each)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class NotificationPreferences(models.Model):
    """Which e-mails a user receives; everything is on until the user says otherwise."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="notification_preferences")
    rejection = models.BooleanField(_("an invoice is rejected or refused"), default=True)
    suspension = models.BooleanField(_("an invoice is suspended or must be recycled"), default=True)
    payment = models.BooleanField(_("an invoice is put into payment"), default=True)
    password_expiry = models.BooleanField(_("the Chorus Pro technical password is about to expire"), default=True)
    situation_due = models.BooleanField(
        _("a situation is due this month for a market that has none yet"), default=True)

    KINDS = ("rejection", "suspension", "payment", "password_expiry", "situation_due")

    class Meta:
        verbose_name = _("notification preferences")


class SituationDueReminder(models.Model):
    """The "situation due this month" e-mail of one market and month, recorded so that it is sent once."""

    market = models.ForeignKey("markets.Market", on_delete=models.CASCADE, related_name="+")
    period = models.DateField()
    sent_at = models.DateTimeField(default=timezone.now)
    recipients = models.JSONField(default=list)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["market", "period"], name="one_due_reminder_per_month")]
