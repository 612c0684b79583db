"""Changing one's own password, and the reset by e-mail (Django's views, French pages and e-mails)."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from conftest import PASSWORD

pytestmark = pytest.mark.django_db
NEW = "encore-un-secret-2026"


def test_change_own_password(member_client, member_user):
    page = member_client.get("/compte/mot-de-passe/")
    assert page.status_code == 200 and "Ancien mot de passe" in page.content.decode()
    wrong = member_client.post("/compte/mot-de-passe/", {"old_password": "non", "new_password1": NEW,
                                                         "new_password2": NEW})
    assert wrong.status_code == 200 and wrong.context["form"].errors
    done = member_client.post("/compte/mot-de-passe/", {"old_password": PASSWORD, "new_password1": NEW,
                                                        "new_password2": NEW}, follow=True)
    assert "Mot de passe modifié" in done.content.decode()
    member_user.refresh_from_db()
    assert member_user.check_password(NEW)


def test_reset_by_email(client, member_user):
    assert "Mot de passe oublié" in client.get("/connexion/").content.decode()
    page = client.get("/connexion/mot-de-passe-oublie/")
    assert page.status_code == 200
    client.post("/connexion/mot-de-passe-oublie/", {"email": "yann@example.fr"})
    [message] = mail.outbox
    assert message.subject == "chorusbat : choisissez un nouveau mot de passe"
    assert "yann" in message.body and message.alternatives[0][1] == "text/html"
    path = re.search(r"https?://[^/\s]+(/connexion/reinitialiser/\S+/)", message.body).group(1)
    form = client.get(path, follow=True)
    assert "Choisissez un nouveau mot de passe" in form.content.decode()
    done = client.post(form.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW}, follow=True)
    assert "Mot de passe enregistré" in done.content.decode()
    member_user.refresh_from_db()
    assert member_user.check_password(NEW)
    # the link is spent
    assert "plus valable" in client.get(path, follow=True).content.decode()


def test_reset_for_an_unknown_address_says_the_same_and_sends_nothing(client):
    response = client.post("/connexion/mot-de-passe-oublie/", {"email": "personne@example.fr"}, follow=True)
    assert "Consultez votre messagerie" in response.content.decode()
    assert not mail.outbox
