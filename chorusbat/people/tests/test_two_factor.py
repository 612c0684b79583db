"""Optional TOTP two-factor authentication with recovery codes; compulsory for administrators on a setting."""

from __future__ import annotations

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_throttling(settings):
    """django-otp makes one wait 1 s, 2 s, 4 s… after each wrong code; these tests type wrong codes on purpose."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


def code(device: TOTPDevice, shift: int = 0) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift + shift):06d}"


def log_in(user) -> Client:
    client = Client()
    response = client.post("/connexion/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def turn_on(client, user) -> list[str]:
    page = client.get("/compte/double-authentification/")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'src="data:image/svg+xml;base64,' in body and 'id="totp-secret"' in body
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert "otpauth://" in device.config_url
    wrong = client.post("/compte/double-authentification/", {"action": "confirm", "otp_token": "000000"})
    assert "pas valable" in wrong.content.decode()
    done = client.post("/compte/double-authentification/", {"action": "confirm", "otp_token": code(device)})
    assert done.status_code == 200
    codes = done.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    return codes


def test_off_by_default_nothing_changes(member_user):
    client = log_in(member_user)
    assert client.get("/compte/").status_code == 200


def test_turn_on_then_every_login_asks_for_a_code(member_user):
    client = log_in(member_user)
    codes = turn_on(client, member_user)
    assert client.get("/compte/").status_code == 200  # this session is verified

    fresh = log_in(member_user)
    blocked = fresh.get("/factures/")
    assert blocked.status_code == 302 and blocked["Location"] == "/connexion/verification/?next=%2Ffactures%2F"
    assert fresh.get("/compte/double-authentification/")["Location"] == "/connexion/verification/"
    bad = fresh.post("/connexion/verification/", {"otp_token": "123456", "next": "/factures/"})
    assert bad.status_code == 200 and "pas valable" in bad.content.decode()
    device = TOTPDevice.objects.get(user=member_user)
    ok = fresh.post("/connexion/verification/", {"otp_token": code(device, shift=1), "next": "/factures/"})
    assert ok.status_code == 302 and ok["Location"] == "/factures/"
    assert fresh.get("/factures/").status_code == 200

    # a recovery code works once
    other = log_in(member_user)
    used = other.post("/connexion/verification/", {"otp_token": codes[0], "next": "/"}, follow=True)
    assert "code de secours" in used.content.decode()
    assert StaticToken.objects.filter(device__user=member_user).count() == 9
    again = log_in(member_user)
    assert again.post("/connexion/verification/", {"otp_token": codes[0]}).status_code == 200


def test_unsafe_next_is_ignored(member_user):
    client = log_in(member_user)
    codes = turn_on(client, member_user)
    fresh = log_in(member_user)
    response = fresh.post("/connexion/verification/", {"otp_token": codes[1], "next": "https://ailleurs.example/"})
    assert response["Location"] == "/"


def test_new_codes_and_turn_off(member_user):
    client = log_in(member_user)
    first = turn_on(client, member_user)
    renewed = client.post("/compte/double-authentification/", {"action": "codes"}).context["codes"]
    assert set(renewed).isdisjoint(first)
    refused = client.post("/compte/double-authentification/", {"action": "disable", "otp_token": "999999"})
    assert "pas valable" in refused.content.decode()
    client.post("/compte/double-authentification/", {"action": "disable", "otp_token": renewed[0]})
    assert not TOTPDevice.objects.filter(user=member_user).exists()
    assert log_in(member_user).get("/factures/").status_code == 200


def test_required_for_administrators_when_the_setting_says_so(settings, admin_user, member_user):
    settings.REQUIRE_ADMIN_TWO_FACTOR = True
    member = log_in(member_user)
    assert member.get("/factures/").status_code == 200  # users keep the choice
    admin = log_in(admin_user)
    response = admin.get("/factures/")
    assert response.status_code == 302 and response["Location"] == "/compte/double-authentification/"
    page = admin.get("/compte/double-authentification/")
    assert "exige" in page.content.decode()
    turn_on(admin, admin_user)
    assert admin.get("/factures/").status_code == 200
    page = admin.get("/compte/double-authentification/").content.decode()
    assert "Désactiver la double authentification" not in page
    admin.post("/compte/double-authentification/", {"action": "disable", "otp_token": "x"})
    assert TOTPDevice.objects.filter(user=admin_user, confirmed=True).exists()
