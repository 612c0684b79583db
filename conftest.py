"""Fixtures shared by the whole suite: companies and users, and a real browser for screen tests.

Browser tests use Playwright for Python driving Debian's chromium (/usr/bin/chromium) against pytest-django's
``live_server``; Playwright never downloads a browser of its own.
"""

from __future__ import annotations

import ipaddress
import os
import shutil
import socket
from pathlib import Path

import pytest

# The Chorus Pro sandbox as a real process on loopback (fixtures `sandbox_process` and `sandbox`).
pytest_plugins = ["chorus_sandbox.pytest_plugin"]

# --- nothing leaves the machine -----------------------------------------------------------------------------
# Tests may only talk to loopback. Any attempt to resolve or connect elsewhere fails loudly instead of reaching
# the Internet (a real Chorus Pro, above all).
_real_getaddrinfo = socket.getaddrinfo
_real_connect = socket.socket.connect
_LOCAL_NAMES = {"localhost", "testserver", ""}


def _is_loopback(host) -> bool:
    if host is None or host in _LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(str(host).strip("[]")).is_loopback
    except ValueError:
        return False


def _guarded_getaddrinfo(host, *args, **kwargs):
    if not _is_loopback(host if not isinstance(host, bytes) else host.decode()):
        raise OSError(f"tests may not reach {host!r}: only loopback is allowed")
    return _real_getaddrinfo(host, *args, **kwargs)


def _guarded_connect(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address[0]):
        raise OSError(f"tests may not connect to {address!r}: only loopback is allowed")
    return _real_connect(self, address)


socket.getaddrinfo = _guarded_getaddrinfo
socket.socket.connect = _guarded_connect


# The Chorus Pro Swagger files (sandbox conformance tests) live beside the repository (../shared/reference).
REFERENCE_DIR = Path(os.environ.get("CHORUSBAT_REFERENCE_DIR", Path(__file__).resolve().parent.parent / "shared" / "reference"))
# The example situation file of docs/situation-rules.md §4 and its exact expected output, in the repository.
EXAMPLES_DIR = Path(__file__).resolve().parent / "docs" / "examples"

CHROMIUM = os.environ.get("CHORUSBAT_CHROMIUM", "/usr/bin/chromium")
PASSWORD = "a-test-password-123"


@pytest.fixture
def company(db):
    from chorusbat.accounts.models import Company

    return Company.objects.create(
        legal_name="PEINTURES DU LITTORAL SARL",
        siret="73282932000074",
        vat_number="FR44732829320",
        address_line1="12 quai de la Fosse",
        postcode="44000",
        city="Nantes",
        iban="FR7630006000011234567890189",
    )


@pytest.fixture
def other_company(db):
    from chorusbat.accounts.models import Company

    return Company.objects.create(legal_name="AUTRE BTP", siret="21440109300015")


def make_user(company, username, role):
    from django.contrib.auth import get_user_model

    from chorusbat.accounts.models import Membership

    user = get_user_model().objects.create_user(username=username, password=PASSWORD, email=f"{username}@example.fr")
    Membership.objects.create(user=user, company=company, role=role)
    return user


@pytest.fixture
def admin_user(company):
    return make_user(company, "claire", "admin")


@pytest.fixture
def member_user(company):
    return make_user(company, "yann", "member")


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def member_client(client, member_user):
    client.force_login(member_user)
    return client


# --- browser -------------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.fail(f"Debian chromium is required for browser tests ({CHROMIUM}); run `make test` as root.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        yield b
        b.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="fr-FR", viewport={"width": 1366, "height": 900})
    context.set_default_timeout(15_000)
    p = context.new_page()
    yield p
    context.close()


@pytest.fixture
def login():
    """``login(page, user)`` logs a user in through the real login form."""

    def _login(page, user, password=PASSWORD):
        page.goto("/connexion/")
        page.fill("input[name=username]", user.username)
        page.fill("input[name=password]", password)
        page.click("button[type=submit]")
        page.wait_for_url(lambda url: "/connexion/" not in url)

    return _login


# --- Chorus Pro, through the sandbox ----------------------------------------------------------------------------


@pytest.fixture
def chorus(sandbox, settings):
    """Point chorusbat at the running sandbox, with the sandbox's PISTE application; returns the sandbox handle."""
    creds = sandbox.credentials
    settings.CHORUSBAT_SANDBOX_URL = sandbox.base_url
    settings.CHORUSBAT_PISTE_APPLICATIONS = {
        **settings.CHORUSBAT_PISTE_APPLICATIONS,
        "sandbox": {"client_id": creds["piste"]["client_id"], "client_secret": creds["piste"]["client_secret"]},
    }
    return sandbox


@pytest.fixture
def subscription(company, chorus):
    """The company's subscription to the sandbox's first technical account (the supplier 73282932000074)."""
    from chorusbat.accounts.models import ChorusSubscription

    account = chorus.credentials["technical_accounts"][0]
    sub = ChorusSubscription(company=company, siret=company.siret, referent_email="compta@example.fr",
                             technical_login=account["login"], environment="sandbox")
    sub.set_password(account["password"])
    sub.save()
    return sub
