"""Fixtures shared by the whole suite: companies and users, and a real browser for screen tests.

Browser tests use Playwright for Python driving Debian's chromium (/usr/bin/chromium) against pytest-django's
``live_server``; Playwright never downloads a browser of its own.
"""

from __future__ import annotations

import os
import shutil

import pytest

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
