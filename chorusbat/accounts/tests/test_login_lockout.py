"""Login brute force (issue 13, item 4): django-axes locks an account and an address; an administrator unlocks."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from conftest import PASSWORD

pytestmark = pytest.mark.django_db
LOGIN = "/connexion/"


def attempt(client: Client, username: str, password: str, address: str = "127.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_thirty_wrong_passwords_then_the_right_one_does_not_log_in(admin_user):
    client = Client()
    for _ in range(30):
        attempt(client, admin_user.username, "wrong-password")
    response = attempt(client, admin_user.username, PASSWORD)
    assert not logged_in(client)
    assert response.status_code == 429
    assert "Trop de tentatives de connexion échouées" in response.content.decode()


def test_an_account_is_locked_whatever_address_the_attempts_come_from(admin_user, settings):
    client = Client()
    for number in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, admin_user.username, "wrong-password", address=f"10.0.0.{number + 1}")
    assert attempt(client, admin_user.username, PASSWORD, address="10.9.9.9").status_code == 429
    assert not logged_in(client)


def test_an_address_is_locked_whatever_accounts_it_tries(admin_user, member_user, settings):
    client = Client()
    for number in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, f"someone-{number}", "wrong-password", address="10.1.1.1")
    assert attempt(client, member_user.username, PASSWORD, address="10.1.1.1").status_code == 429
    assert not logged_in(client)
    other = Client()  # another address still logs in
    assert attempt(other, member_user.username, PASSWORD, address="10.2.2.2").status_code == 302
    assert logged_in(other)


def test_a_few_mistakes_then_the_right_password_log_in_and_reset_the_counter(admin_user, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt(client, admin_user.username, "wrong-password")
    assert attempt(client, admin_user.username, PASSWORD).status_code == 302
    assert logged_in(client)


def test_an_administrator_unlocks_an_account_from_the_command_line(admin_user, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT + 2):
        attempt(client, admin_user.username, "wrong-password")
    assert attempt(client, admin_user.username, PASSWORD).status_code == 429
    out = StringIO()
    call_command("unlock-login", admin_user.username, stdout=out)
    assert "débloquées" in out.getvalue()
    assert attempt(client, admin_user.username, PASSWORD).status_code == 302
    assert logged_in(client)


def test_unlock_login_needs_a_username_or_an_address():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Indiquez l'identifiant"):
        call_command("unlock-login")


def test_force_login_still_works(admin_client):
    assert admin_client.get("/compte/").status_code == 200
