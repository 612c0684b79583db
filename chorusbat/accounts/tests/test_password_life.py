"""The technical password's life: reminders exactly once, banner, hold after expiry."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.management import call_command

from chorusbat.accounts import password_life
from chorusbat.accounts.models import ChorusSubscription, PasswordReminder
from chorusbat.people import password_reminders

PARIS = ZoneInfo("Europe/Paris")


def set_on_1_march_2026(company) -> ChorusSubscription:
    """Set on 1 March 2026 at noon, Paris: expires 1 March 2027 (12 months, no date reported by Chorus Pro)."""
    sub = ChorusSubscription(company=company, siret=company.siret, referent_email="compta@example.fr",
                             technical_login="TECH_1_73282932000074@cpro.fr")
    sub.set_password("Secret-Tech-1")
    sub.password_set_at = datetime(2026, 3, 1, 12, 0, tzinfo=PARIS)
    sub.save()
    return sub


@pytest.fixture
def subscription(company, admin_user):
    return set_on_1_march_2026(company)


def test_expiry_is_twelve_months_after_setting_unless_chorus_reports_one(subscription):
    assert password_life.expiry_date(subscription) == date(2027, 3, 1)
    subscription.password_expires_reported = datetime(2027, 1, 15, 0, 0, tzinfo=PARIS)
    assert password_life.expiry_date(subscription) == date(2027, 1, 15)


@pytest.mark.parametrize(
    "days,stage", [(45, None), (31, None), (30, 30), (20, 30), (15, 15), (8, 15), (7, 7), (2, 7), (1, 1), (0, 0),
                   (-10, 0)]
)
def test_due_stage(days, stage):
    assert password_life.due_stage(days) == stage


def test_each_reminder_is_sent_exactly_once_in_the_normal_schedule(subscription):
    sent_on = []
    day = date(2027, 1, 1)
    while day <= date(2027, 3, 5):
        for _ in range(2):  # the job runs twice a day
            before = len(mail.outbox)
            password_reminders.send_password_reminders(today=day)
            if len(mail.outbox) > before:
                sent_on.append(day)
        day += timedelta(days=1)
    assert sent_on == [date(2027, 1, 30), date(2027, 2, 14), date(2027, 2, 22), date(2027, 2, 28), date(2027, 3, 1)]
    assert sorted(PasswordReminder.objects.values_list("stage", flat=True)) == [0, 1, 7, 15, 30]


def test_reminder_goes_to_referent_and_admins_in_french_with_text_and_html(subscription, admin_user, member_user):
    password_reminders.send_password_reminders(today=date(2027, 2, 22))
    (message,) = mail.outbox
    assert set(message.to) == {"compta@example.fr", admin_user.email}
    assert member_user.email not in message.to
    assert "expire dans 7 jours" in message.subject
    assert "1 mars 2027" in message.body
    assert "/compte/abonnement-chorus-pro/" in message.body
    (html, mime), = message.alternatives
    assert mime == "text/html" and "<ol>" in html
    assert "Secret-Tech-1" not in message.body + html


def test_a_late_run_sends_only_the_most_urgent_stage(subscription):
    password_reminders.send_password_reminders(today=date(2027, 2, 25))  # 4 days left: the 30/15-day ones were missed
    assert list(PasswordReminder.objects.values_list("stage", flat=True)) == [7]
    assert len(mail.outbox) == 1
    password_reminders.send_password_reminders(today=date(2027, 2, 26))
    assert len(mail.outbox) == 1


def test_already_expired_sends_the_expired_notice_once(subscription):
    run = password_reminders.send_password_reminders(today=date(2027, 5, 1))
    assert run.sent == 1
    assert "a expiré" in mail.outbox[0].subject
    assert password_reminders.send_password_reminders(today=date(2027, 5, 2)).sent == 0


def test_new_password_starts_a_new_series(subscription):
    password_reminders.send_password_reminders(today=date(2027, 2, 28))
    subscription.set_password("Renewed-Secret-2")
    subscription.password_set_at = datetime(2027, 2, 28, 9, 0, tzinfo=PARIS)
    subscription.save()
    password_reminders.send_password_reminders(today=date(2027, 3, 1))
    assert len(mail.outbox) == 1  # nothing due for the new password yet
    password_reminders.send_password_reminders(today=date(2028, 1, 30))
    assert len(mail.outbox) == 2


def test_failed_mail_is_retried_next_run(subscription, monkeypatch):
    def boom(*args, **kwargs):
        raise OSError("SMTP down")

    monkeypatch.setattr(password_reminders, "_send", boom)
    with pytest.raises(OSError):
        password_reminders.send_password_reminders(today=date(2027, 2, 22))
    assert not PasswordReminder.objects.exists()
    monkeypatch.undo()
    assert password_reminders.send_password_reminders(today=date(2027, 2, 22)).sent == 1


def test_management_command(subscription):
    call_command("remind-passwords")  # today (2026-11-27 or later): whatever is due, at most one
    call_command("remind-passwords")
    assert PasswordReminder.objects.count() == len(mail.outbox) <= 1


def _set_expiry_in(subscription, days):
    subscription.password_set_at = datetime.now(PARIS) - timedelta(days=365) + timedelta(days=days, hours=1)
    subscription.save()


def test_banner_for_admins_from_thirty_days(admin_client, member_user, subscription, client):
    _set_expiry_in(subscription, 40)
    assert "banner-warning" not in admin_client.get("/compte/").content.decode()
    _set_expiry_in(subscription, 20)
    html = admin_client.get("/compte/").content.decode()
    assert "banner-warning" in html and "expire le" in html and "dans 20 jours" in html
    client.force_login(member_user)
    assert "banner-warning" not in client.get("/compte/").content.decode()


def test_banner_after_expiry_and_hold(admin_client, subscription):
    _set_expiry_in(subscription, -3)
    html = admin_client.get("/compte/").content.decode()
    assert "banner-error" in html and "a expiré" in html
    reason = password_life.hold_reason(subscription)
    assert reason and "a expiré" in reason


def test_expired_answer_from_chorus_holds_even_before_the_date(subscription):
    assert password_life.hold_reason(subscription) is None or password_life.is_expired(subscription)
    _set_expiry_in(subscription, 100)
    assert password_life.hold_reason(subscription) is None
    subscription.status = "expired"
    assert password_life.hold_reason(subscription)


def test_no_subscription_is_a_hold():
    assert "Aucun abonnement" in password_life.hold_reason(None)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_runs_send_each_reminder_once(company, admin_user):
    import threading

    from django.db import connection

    set_on_1_march_2026(company)
    barrier = threading.Barrier(4)
    errors = []

    def run():
        try:
            barrier.wait()
            password_reminders.send_password_reminders(today=date(2027, 2, 22))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    assert PasswordReminder.objects.count() == 1
    assert len(mail.outbox) == 1
