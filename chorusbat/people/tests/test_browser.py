"""Issue 18 in a real browser: an administrator invites a colleague who sets a password; a forgotten password."""

from __future__ import annotations

import re

import pytest
from django.core import mail

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def link(pattern: str) -> str:
    return re.search(pattern, mail.outbox[-1].body).group(1)


def test_invitation_from_members_page_to_first_login(page, login, admin_user, browser, live_server):
    login(page, admin_user)
    page.goto("/compte/")
    page.click("#members-link")
    page.fill("input[name=email]", "lea@example.fr")
    page.fill("input[name=first_name]", "Léa")
    page.fill("input[name=last_name]", "Martin")
    page.check("input[name=role][value=member]")
    page.click("#invite-form button[type=submit]")
    page.wait_for_selector(".msg-success")
    assert "Invitation envoyée à lea@example.fr" in page.inner_text(".messages")
    assert "invitation envoyée" in page.inner_text("#members").lower()

    path = link(r"https?://[^/\s]+(/invitation/\S+/)")
    guest = browser.new_context(base_url=live_server.url, locale="fr-FR", viewport={"width": 390, "height": 844})
    other = guest.new_page()
    other.goto(path)
    assert "Vous rejoignez PEINTURES DU LITTORAL SARL" in other.content()
    other.fill("input[name=new_password1]", "un-mot-de-passe-solide-42")
    other.fill("input[name=new_password2]", "un-mot-de-passe-solide-42")
    other.click("button[type=submit]")
    other.wait_for_selector(".msg-success")
    assert "Bienvenue" in other.inner_text(".messages")
    guest.close()

    page.reload()
    row = page.inner_text("#members")
    assert "Léa Martin" in row and "invitation envoyée" not in row.lower()


def test_forgotten_password(page, member_user):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/connexion/")
    page.click("#forgotten-password")
    page.fill("input[name=email]", "yann@example.fr")
    page.click("button[type=submit]")
    page.wait_for_selector("text=Consultez votre messagerie")

    page.goto(link(r"https?://[^/\s]+(/connexion/reinitialiser/\S+/)"))
    page.fill("input[name=new_password1]", "encore-un-secret-2026")
    page.fill("input[name=new_password2]", "encore-un-secret-2026")
    page.click("button[type=submit]")
    page.wait_for_selector("text=Mot de passe enregistré")
    page.click("a.button.primary")
    page.fill("input[name=username]", "yann")
    page.fill("input[name=password]", "encore-un-secret-2026")
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/connexion/" not in url)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_two_factor_on_then_asked_at_the_next_login(page, login, member_user, settings):
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, member_user)
    page.goto("/compte/")
    page.click("#two-factor-link")
    assert page.locator(".qr img").evaluate("img => img.naturalWidth") > 0  # the QR code is drawn (CSP allows it)
    device = TOTPDevice.objects.get(user=member_user, confirmed=False)
    page.fill("input[name=otp_token]", f"{totp(device.bin_key):06d}")
    page.click("button[value=confirm]")
    page.wait_for_selector("#recovery-codes")
    codes = page.locator(".recovery-codes li").all_inner_texts()
    assert len(codes) == 10

    page.context.clear_cookies()
    login_page = page
    login_page.goto("/factures/")
    login_page.fill("input[name=username]", "yann")
    login_page.fill("input[name=password]", "a-test-password-123")
    login_page.click("button[type=submit]")
    login_page.wait_for_url("**/connexion/verification/**")
    login_page.fill("input[name=otp_token]", codes[0])
    login_page.click("#verify-form button[type=submit]")
    login_page.wait_for_url("**/factures/")
    assert "code de secours" in login_page.inner_text(".messages")
