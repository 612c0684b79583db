"""'Tester la connexion' against the sandbox running as a real process on loopback."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from chorusbat.accounts.chorus_access import CallsHeld, client_for, verify_subscription
from chorusbat.accounts.models import ChorusSubscription

TEST = reverse("accounts:test_connection")


def test_verified(subscription):
    check = verify_subscription(subscription)
    assert check.ok
    subscription.refresh_from_db()
    assert subscription.status == "verified"
    assert subscription.structure_id
    assert subscription.status_checked_at is not None


def test_button_shows_verified_status(admin_client, subscription):
    r = admin_client.post(TEST, follow=True)
    html = r.content.decode()
    assert "Connexion à Chorus Pro vérifiée" in html
    assert "vérifié le" in html


def test_wrong_password(subscription):
    subscription.set_password("not-the-password")
    subscription.save()
    check = verify_subscription(subscription)
    assert check.outcome == "refused"
    subscription.refresh_from_db()
    assert subscription.status == "refused"
    assert subscription.status_detail  # message + what to do, in French


def test_unknown_login(subscription):
    subscription.technical_login = "TECH_1_00000000000000@cpro.fr"
    subscription.save()
    assert verify_subscription(subscription).outcome == "refused"


def test_expired_password_reported_by_chorus(admin_client, subscription, chorus):
    chorus.expire_password(subscription.technical_login)
    r = admin_client.post(TEST, follow=True)
    subscription.refresh_from_db()
    assert subscription.status == "expired"
    assert "expiré" in r.content.decode()
    # From now on no call is made with that password…
    with pytest.raises(CallsHeld):
        client_for(subscription)
    # …until a new one is saved.
    subscription.set_password(chorus.credentials["technical_accounts"][0]["password"])
    subscription.status = "unverified"
    subscription.save()
    assert client_for(subscription) is not None


def test_siret_not_attached(subscription):
    subscription.siret = "21440109300015"  # a public buyer of the seed, not attached to this account
    subscription.save()
    check = verify_subscription(subscription)
    assert check.outcome == "not_attached"
    subscription.refresh_from_db()
    assert subscription.status == "not_attached"


def test_unreachable(subscription, settings):
    settings.CHORUSBAT_SANDBOX_URL = "http://127.0.0.1:9"  # nothing listens there
    assert verify_subscription(subscription).outcome == "unreachable"
    subscription.refresh_from_db()
    assert "injoignable" in subscription.get_status_display()


def test_server_errors(subscription, chorus):
    chorus.set_faults([{"route": "/cpro/*", "p500": 1.0}])
    assert verify_subscription(subscription).outcome == "unreachable"


def test_password_expiry_date_read_from_chorus(subscription, chorus):
    expires = (timezone.now() + timedelta(days=20)).date().isoformat()
    chorus.set_password_expiry(subscription.technical_login, expires)
    verify_subscription(subscription)
    subscription.refresh_from_db()
    assert subscription.password_expires_reported is not None
    assert subscription.password_expires_reported.date().isoformat() == expires


def test_production_refused_with_local_settings(subscription):
    subscription.environment = "production"
    subscription.save()
    assert verify_subscription(subscription) is None
    subscription.refresh_from_db()
    assert subscription.status == "misconfigured"
    assert "réglages locaux" in subscription.status_detail


def test_no_call_after_the_expiry_date(subscription, chorus):
    subscription.password_set_at = timezone.now() - timedelta(days=400)
    subscription.save()
    chorus.stop()  # any call would now fail as "unreachable": None proves that no client was even built
    try:
        assert verify_subscription(subscription) is None
    finally:
        chorus.start()
    subscription.refresh_from_db()
    assert subscription.status == "expired"


def test_member_cannot_test(member_client, subscription):
    assert member_client.post(TEST).status_code == 403
    assert ChorusSubscription.objects.get().status == "unverified"
