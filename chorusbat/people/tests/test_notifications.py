"""Each user chooses the e-mails they receive; the existing senders respect it; the "situation due" reminder."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.management import call_command

from chorusbat.accounts.models import ChorusSubscription
from chorusbat.gateway import notify
from chorusbat.gateway.models import Transmission
from chorusbat.people import password_reminders
from chorusbat.people.models import NotificationPreferences, SituationDueReminder
from chorusbat.people.notifications import wanted
from chorusbat.situations.models import Situation

pytestmark = pytest.mark.django_db


def turn_off(user, *kinds):
    NotificationPreferences.objects.update_or_create(user=user, defaults=dict.fromkeys(kinds, False))


@pytest.fixture
def referent(company):
    sub = ChorusSubscription(company=company, siret=company.siret, referent_email="compta@example.fr",
                             technical_login="TECH_1_73282932000074@cpro.fr")
    sub.set_password("Secret-Tech-1")
    sub.password_set_at = datetime.datetime(2026, 3, 1, 12, 0, tzinfo=datetime.UTC)
    sub.save()
    return sub


def test_preferences_page(member_client, member_user):
    page = member_client.get("/compte/notifications/")
    assert page.status_code == 200
    assert "Une facture est rejetée ou refusée" in page.content.decode()
    assert all(page.context["form"].initial[k] for k in NotificationPreferences.KINDS)
    member_client.post("/compte/notifications/", {"rejection": "on", "payment": "on"})
    prefs = NotificationPreferences.objects.get(user=member_user)
    assert (prefs.rejection, prefs.suspension, prefs.payment, prefs.password_expiry, prefs.situation_due) == (
        True, False, True, False, False)
    assert 'id="notifications-link"' in member_client.get("/compte/").content.decode()


def test_wanted_keeps_strangers_and_users_who_did_not_opt_out(admin_user, member_user, other_company):
    turn_off(member_user, "payment")
    emails = ["compta@example.fr", admin_user.email, member_user.email]
    assert wanted(emails, "payment", admin_user.membership.company_id) == ["compta@example.fr", admin_user.email]
    assert wanted(emails, "rejection") == emails
    # the opt-out of a user of another company does not silence an address used by this one
    assert wanted([member_user.email], "payment", other_company.pk) == [member_user.email]


def test_deactivated_or_removed_members_receive_nothing(admin_user, member_user, admin_client):
    from chorusbat.people import members

    members.deactivate(member_user.membership)
    assert wanted(["compta@example.fr", member_user.email], "rejection", admin_user.membership.company_id) == [
        "compta@example.fr"]
    members.reactivate(member_user.membership)
    assert wanted([member_user.email], "rejection", admin_user.membership.company_id) == [member_user.email]
    members.remove(member_user.membership)
    assert wanted([member_user.email], "rejection", admin_user.membership.company_id) == []


@pytest.mark.parametrize("status, kind", [("REJETEE", "rejection"), ("SUSPENDUE", "suspension"),
                                          ("MISE_EN_PAIEMENT", "payment")])
def test_invoice_emails_follow_the_authors_choice(market_with_situations, admin_user, referent, status, kind):
    situation = Situation.objects.get(number="F2026-0093")  # created by admin_user
    t = Transmission.objects.create(company=situation.company, situation=situation, state="integrated",
                                    chorus_status=status, chorus_comment="Motif de test")
    notify.notify_status(t)
    (message,) = mail.outbox
    assert set(message.to) == {"compta@example.fr", admin_user.email}
    assert message.alternatives[0][1] == "text/html" and "F2026-0093" in message.body
    mail.outbox.clear()
    turn_off(admin_user, kind)
    notify.notify_status(t)
    (message,) = mail.outbox
    assert message.to == ["compta@example.fr"]


def test_password_reminder_follows_the_choice(referent, admin_user, company):
    turn_off(admin_user, "password_expiry")
    password_reminders.send_password_reminders(today=datetime.date(2027, 2, 22))
    (message,) = mail.outbox
    assert message.to == ["compta@example.fr"]


def test_situation_due_reminder_once_per_market_and_month(market_with_situations, admin_user, member_user):
    # the Nantes market runs September to November 2026; November has only a draft, December nothing
    market = market_with_situations
    Situation.objects.filter(market=market, period=datetime.date(2026, 11, 1)).delete()
    turn_off(member_user, "situation_due")
    from chorusbat.people.notifications import send_situation_reminders

    assert send_situation_reminders(today=datetime.date(2026, 11, 19)) == 0  # too early in the month
    assert send_situation_reminders(today=datetime.date(2026, 11, 20)) == 1
    (message,) = mail.outbox
    assert message.to == [admin_user.email]
    assert "2026-TX-004" in message.subject and "11/2026" in message.subject
    assert "novembre 2026" in message.body and f"/marches/{market.pk}/" in message.body
    assert message.alternatives[0][1] == "text/html"
    assert send_situation_reminders(today=datetime.date(2026, 11, 25)) == 0  # once
    assert send_situation_reminders(today=datetime.date(2026, 12, 22)) == 0  # the market has ended
    assert SituationDueReminder.objects.count() == 1


def test_market_with_its_situation_gets_no_reminder(market_with_situations):
    from chorusbat.people.notifications import send_situation_reminders

    assert send_situation_reminders(today=datetime.date(2026, 10, 25)) == 0  # F2026-0107 covers October
    call_command("remind-situations")
    assert not mail.outbox or all("2026-TX-004" not in m.subject for m in mail.outbox)
