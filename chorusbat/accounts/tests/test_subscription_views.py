"""Mon compte › Abonnement ChorusPRO: every rule of issue 2, through Django's test client."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from chorusbat.accounts.models import ChorusSubscription, SubscriptionAuditEntry
from conftest import make_user

EDIT = reverse("accounts:subscription_edit")
ACCOUNT = reverse("accounts:my_account")
SECRET = "S3cr3t-Tech-Pa55!"

VALID = {
    "siret": "732 829 320 00074",
    "referent_email": "compta@example.fr",
    "technical_login": "TECH_1_73282932000074@cpro.fr",
    "password": SECRET,
    "password_confirm": SECRET,
    "environment": "qualification",
    "action": "save",
}


def submit(client, **changes):
    return client.post(EDIT, {**VALID, **changes})


def confirm(client, response):
    token = re.search(r'name="token" value="([^"]+)"', response.content.decode()).group(1)
    return client.post(EDIT, {"action": "confirm", "token": token})


def save(client, **changes):
    r = submit(client, **changes)
    assert r.status_code == 200 and b"confirm-button" in r.content, r.content.decode()[:2000]
    return confirm(client, r)


def test_login_required(client, db):
    r = client.get(ACCOUNT)
    assert r.status_code == 302 and "/connexion/" in r["Location"]


def test_my_account_shows_company_and_button_with_tooltip(admin_client, company):
    r = admin_client.get(ACCOUNT)
    html = r.content.decode()
    assert company.legal_name in html and "732 829 320 00074" in html  # SIRET grouped
    assert "Abonnement ChorusPRO" in html
    assert 'role="tooltip"' in html
    assert "pour le compte de votre entreprise" in html or "en votre nom" in html or "pour vous" in html


def test_form_prefilled_with_company_siret(admin_client, company):
    r = admin_client.get(EDIT)
    assert r.status_code == 200
    assert 'value="73282932000074"' in r.content.decode()
    assert "pas de votre mot de passe de connexion" in r.content.decode()


def test_save_requires_confirmation_then_saves(admin_client, company, admin_user):
    r = submit(admin_client)
    assert r.status_code == 200
    assert "Confirmer l’enregistrement ?" in r.content.decode() or "Confirmer l'enregistrement ?" in r.content.decode()
    assert not ChorusSubscription.objects.exists(), "nothing is saved before confirmation"
    assert SECRET not in r.content.decode()
    r = confirm(admin_client, r)
    assert r.status_code == 302
    sub = ChorusSubscription.objects.get(company=company)
    assert sub.siret == "73282932000074"
    assert sub.technical_login == VALID["technical_login"]
    assert sub.get_password() == SECRET
    assert sub.password_set_at is not None
    # Saved, then checked at once: no PISTE application is configured for qualification in the tests.
    assert sub.status == "misconfigured" and "PISTE" in sub.status_detail
    entry = SubscriptionAuditEntry.objects.get()
    assert entry.user == admin_user and entry.action == "created"
    assert "password" in entry.changed_fields
    page = admin_client.get(ACCOUNT).content.decode()
    assert "mot de passe enregistré le" in page
    assert "configuration refusée" in page
    assert SECRET not in page


def test_cancel_leaves_everything_unchanged(admin_client, company):
    r = submit(admin_client)
    token = re.search(r'name="token" value="([^"]+)"', r.content.decode()).group(1)
    r = admin_client.post(EDIT, {"action": "cancel", "token": token})
    assert r.status_code == 302
    assert not ChorusSubscription.objects.exists()
    assert not SubscriptionAuditEntry.objects.exists()
    # The token cannot be used after cancelling.
    admin_client.post(EDIT, {"action": "confirm", "token": token})
    assert not ChorusSubscription.objects.exists()


def test_forged_confirmation_token_is_refused(admin_client, company):
    submit(admin_client)
    r = admin_client.post(EDIT, {"action": "confirm", "token": "forged"})
    assert r.status_code == 302
    assert not ChorusSubscription.objects.exists()


def test_empty_passwords_keep_the_stored_one(admin_client, company):
    save(admin_client)
    first = ChorusSubscription.objects.get()
    save(admin_client, password="", password_confirm="", referent_email="autre@example.fr")
    sub = ChorusSubscription.objects.get()
    assert sub.get_password() == SECRET
    assert sub.password_set_at == first.password_set_at
    assert sub.referent_email == "autre@example.fr"
    last = SubscriptionAuditEntry.objects.first()
    assert last.action == "updated" and last.changed_fields == ["referent_email"]


def test_new_password_restarts_its_date(admin_client, company):
    save(admin_client)
    first = ChorusSubscription.objects.get()
    save(admin_client, password="Another-One-42", password_confirm="Another-One-42")
    sub = ChorusSubscription.objects.get()
    assert sub.get_password() == "Another-One-42"
    assert sub.password_set_at > first.password_set_at
    assert SubscriptionAuditEntry.objects.first().changed_fields == ["password"]


def test_password_required_on_creation(admin_client, company):
    r = submit(admin_client, password="", password_confirm="")
    assert r.status_code == 200
    assert "Ce champ est obligatoire" in r.content.decode()
    assert not ChorusSubscription.objects.exists()


def test_unchanged_submission_saves_nothing(admin_client, company):
    save(admin_client)
    r = submit(admin_client, password="", password_confirm="")
    assert r.status_code == 302
    assert SubscriptionAuditEntry.objects.count() == 1


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("siret", "7328293200007", "14 chiffres"),
        ("siret", "732829320000745", "14 chiffres"),
        ("siret", "ABCDEFGHIJKLMN", "uniquement des chiffres"),
        ("siret", "73282932000075", "clé de contrôle"),
        ("referent_email", "compta.example.fr", "adresse de courriel valide"),
        ("referent_email", "compta @example.fr", "adresse de courriel valide"),
        ("technical_login", "TECH_1_73282932000074", "adresse de courriel valide"),
        ("password_confirm", "different", "ne correspondent pas"),
        ("environment", "mars", "Sélectionnez un choix valide"),
    ],
)
def test_bad_input_gets_a_french_message_and_nothing_is_saved(admin_client, company, field, value, message):
    r = submit(admin_client, **{field: value})
    html = r.content.decode()
    assert r.status_code == 200
    assert message in html, html
    assert "confirm-button" not in html
    assert not ChorusSubscription.objects.exists()
    # What the user typed is kept, except passwords.
    if field not in ("password", "password_confirm", "environment"):
        assert f'value="{value}"' in html
    assert SECRET not in html


def test_valid_la_poste_siret_is_accepted(admin_client, company):
    r = submit(admin_client, siret="35600000049837")
    assert b"confirm-button" in r.content


def test_login_without_tech_prefix_is_a_warning_not_an_error(admin_client, company):
    r = submit(admin_client, technical_login="claire@example.fr")
    html = r.content.decode()
    assert "confirm-button" in html
    assert "TECH_" in html
    confirm(admin_client, r)
    assert ChorusSubscription.objects.get().technical_login == "claire@example.fr"


def test_huge_inputs_are_refused_cleanly(admin_client, company):
    big = "x" * 10_000
    r = submit(admin_client, siret=big, referent_email=big + "@example.fr", technical_login=big,
               password=big, password_confirm=big)
    assert r.status_code == 200
    assert "caractères" in r.content.decode()
    assert not ChorusSubscription.objects.exists()


def test_html_is_rendered_inert(admin_client, company):
    evil = '<script>alert("x")</script>'
    r = submit(admin_client, siret=evil, referent_email=evil, technical_login=evil)
    html = r.content.decode()
    assert evil not in html
    assert "&lt;script&gt;" in html


def test_html_in_stored_values_is_escaped_on_the_account_page(admin_client, company):
    company.legal_name = '<img src=x onerror=alert(1)>'
    company.save()
    html = admin_client.get(ACCOUNT).content.decode()
    assert "<img src=x" not in html and "&lt;img src=x" in html


def test_production_is_shown_prominently(admin_client, company):
    r = submit(admin_client, environment="production")
    assert 'class="badge prod"' in r.content.decode()
    confirm(admin_client, r)
    assert 'badge prod' in admin_client.get(ACCOUNT).content.decode()


def test_member_cannot_see_or_change_the_subscription(member_client, company):
    assert member_client.get(EDIT).status_code == 403
    r = member_client.post(EDIT, VALID)
    assert r.status_code == 403
    assert not ChorusSubscription.objects.exists()
    page = member_client.get(ACCOUNT)
    assert page.status_code == 200
    assert b"subscription-button" not in page.content


def test_member_cannot_confirm_an_admin_pending_change(client, admin_user, member_user, company):
    client.force_login(admin_user)
    r = submit(client)
    token = re.search(r'name="token" value="([^"]+)"', r.content.decode()).group(1)
    other = Client()
    other.force_login(member_user)
    assert other.post(EDIT, {"action": "confirm", "token": token}).status_code == 403
    assert not ChorusSubscription.objects.exists()


def test_user_of_another_company_never_sees_this_subscription(client, admin_user, other_company, company):
    client.force_login(admin_user)
    save(client)
    stranger = make_user(other_company, "stranger", "admin")
    c = Client()
    c.force_login(stranger)
    html = c.get(ACCOUNT).content.decode()
    assert VALID["technical_login"] not in html
    assert "Aucun abonnement Chorus Pro" in html
    # Their own save creates their own subscription and leaves ours alone.
    r = c.post(EDIT, {**VALID, "siret": "21440109300015"})
    confirm(c, r)
    assert ChorusSubscription.objects.get(company=company).siret == "73282932000074"
    assert ChorusSubscription.objects.get(company=other_company).siret == "21440109300015"


def test_user_without_company_is_refused(client, db):
    from django.contrib.auth import get_user_model

    u = get_user_model().objects.create_user("lonely", password="x")
    client.force_login(u)
    assert client.get(ACCOUNT).status_code == 403
    assert client.get(EDIT).status_code == 403


def test_missing_csrf_token_is_rejected(admin_user, company):
    c = Client(enforce_csrf_checks=True)
    c.force_login(admin_user)
    r = c.post(EDIT, VALID)
    assert r.status_code == 403
    assert not ChorusSubscription.objects.exists()


def test_password_is_encrypted_at_rest_and_absent_from_every_page(admin_client, company):
    save(admin_client)
    with connection.cursor() as cur:
        cur.execute("SELECT * FROM accounts_chorussubscription")
        row = " ".join(str(v) for v in cur.fetchone())
        cur.execute("SELECT session_data FROM django_session")
        sessions = " ".join(str(v[0]) for v in cur.fetchall())
    assert SECRET not in row
    assert SECRET not in sessions
    for url in (ACCOUNT, EDIT, reverse("home")):
        r = admin_client.get(url, follow=True)
        assert SECRET not in r.content.decode()
    # The pending (not yet confirmed) change in the session is encrypted too.
    submit(admin_client, password="Pending-Secret-9", password_confirm="Pending-Secret-9")
    with connection.cursor() as cur:
        cur.execute("SELECT session_data FROM django_session")
        sessions = " ".join(str(v[0]) for v in cur.fetchall())
    from django.contrib.sessions.models import Session

    decoded = " ".join(str(s.get_decoded()) for s in Session.objects.all())
    assert "Pending-Secret-9" not in sessions and "Pending-Secret-9" not in decoded


def test_audit_trail_visible_to_admins_without_secrets(admin_client, company):
    save(admin_client)
    save(admin_client, password="", password_confirm="", technical_login="TECH_1_73282932000075@cpro.fr")
    html = admin_client.get(ACCOUNT).content.decode()
    assert 'id="audit"' in html
    assert "Compte technique Chorus Pro" in html
    assert SECRET not in html
    assert all(SECRET not in str(e.changed_fields) for e in SubscriptionAuditEntry.objects.all())


def test_own_piste_application_is_optional_and_its_secret_encrypted(admin_client, company):
    r = submit(admin_client, piste_client_id="my-app")
    assert "Indiquez le secret" in r.content.decode()
    save(admin_client, piste_client_id="my-app", piste_client_secret="App-Secret-77")
    sub = ChorusSubscription.objects.get()
    assert sub.piste_client_id == "my-app" and sub.get_piste_secret() == "App-Secret-77"
    with connection.cursor() as cur:
        cur.execute("SELECT piste_client_secret_encrypted FROM accounts_chorussubscription")
        assert "App-Secret-77" not in cur.fetchone()[0]
    html = admin_client.get(EDIT).content.decode() + admin_client.get(ACCOUNT).content.decode()
    assert "App-Secret-77" not in html
    # Kept when left empty; removed with the client id.
    save(admin_client, password="", password_confirm="", referent_email="x@example.fr", piste_client_id="my-app")
    assert ChorusSubscription.objects.get().get_piste_secret() == "App-Secret-77"
    save(admin_client, password="", password_confirm="", piste_client_id="")
    assert ChorusSubscription.objects.get().piste_client_secret_encrypted == ""
