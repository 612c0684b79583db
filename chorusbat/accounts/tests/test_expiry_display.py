"""Issue 12, point 6: the password's expiry as one consistent statement, and never changed silently."""

import re
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from chorusbat.accounts.chorus_access import verify_subscription

ACCOUNT = reverse("accounts:my_account")
TEST = reverse("accounts:test_connection")


def password_life(html: str) -> str:
    return re.search(r'id="password-life">(.*?)</dd>', html, re.S).group(1)


def test_expired_by_chorus_never_shows_a_future_expiry(admin_client, subscription, chorus):
    chorus.expire_password(subscription.technical_login)
    admin_client.post(TEST)
    html = admin_client.get(ACCOUNT).content.decode()
    life = password_life(html)
    assert "mot de passe expiré" in html
    assert "expire le" not in life and "expiré" in life and "Chorus Pro" in life
    subscription.refresh_from_db()
    from chorusbat.accounts.password_life import hold_reason

    assert "expired on" not in hold_reason(subscription) and "a expiré" in hold_reason(subscription)


def test_expired_by_date_shows_that_date(admin_client, subscription):
    subscription.password_set_at = timezone.now() - timedelta(days=400)
    subscription.save()
    html = admin_client.get(ACCOUNT).content.decode()
    from chorusbat.web.french_format import day_month_year

    expected = day_month_year(timezone.localdate(subscription.password_expires_at))
    assert f"expiré le {expected}" in password_life(html)


def test_an_expiry_date_changed_by_a_test_is_explained(admin_client, subscription, chorus):
    verify_subscription(subscription)  # the date Chorus Pro gives at first
    subscription.refresh_from_db()
    expires = (timezone.now() + timedelta(days=20)).date()
    chorus.set_password_expiry(subscription.technical_login, expires.isoformat())
    r = admin_client.post(TEST, follow=True)
    html = r.content.decode()
    text = html.replace("&#x27;", "'")
    assert "Date d'expiration du mot de passe modifiée" in text and "c'est la date que Chorus Pro indique" in text
    history = html[html.index('id="audit"'):]
    assert "Date d" in history and "Chorus Pro (test de connexion)" in history
    assert "date indiquée par Chorus Pro" in password_life(html)
    # The same date again: nothing new is recorded.
    entries = subscription.company.subscription_audit.count()
    admin_client.post(TEST)
    assert subscription.company.subscription_audit.count() == entries


def test_siret_and_iban_grouped(admin_client, subscription):
    html = admin_client.get(ACCOUNT).content.decode()
    assert "732 829 320 00074" in html and "FR76 3000 6000 0112 3456 7890 189" in html
