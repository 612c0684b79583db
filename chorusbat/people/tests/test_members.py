"""Mon compte › Membres: invitation by e-mail, roles, deactivation and removal, never the last administrator."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.http import HttpRequest

from chorusbat.accounts.models import Membership
from conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db
User = get_user_model()


def invitation_url(message) -> str:
    return re.search(r"https?://[^/\s]+(/invitation/\S+/)", message.body).group(1)


def test_members_page_is_for_administrators(member_client):
    assert member_client.get("/compte/membres/").status_code == 403


def test_member_list_shows_roles_and_last_login(admin_client, admin_user, member_user):
    response = admin_client.get("/compte/membres/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "claire@example.fr" in page and "yann@example.fr" in page
    assert "jamais" in page  # yann never logged in
    assert len(response.context["rows"]) == 2


def test_invite_sends_a_french_mail_with_a_signed_link(admin_client, company):
    response = admin_client.post("/compte/membres/", {"email": "Lea@Example.fr", "first_name": "Léa",
                                                      "last_name": "Martin", "role": "admin"})
    assert response.status_code == 302
    user = User.objects.get(username="lea@example.fr")
    assert not user.has_usable_password()
    assert user.membership.company == company and user.membership.role == "admin"
    [message] = mail.outbox
    assert message.to == ["lea@example.fr"]
    assert "Invitation" in message.subject and "PEINTURES DU LITTORAL SARL" in message.subject
    assert "Choisissez votre mot de passe" in message.body
    assert message.alternatives and message.alternatives[0][1] == "text/html"
    url = invitation_url(message)

    admin_client.logout()
    client = admin_client
    page = client.get(url)
    assert page.status_code == 200 and "lea@example.fr" in page.content.decode()
    done = client.post(url, {"new_password1": "un-mot-de-passe-solide-42", "new_password2": "un-mot-de-passe-solide-42"})
    assert done.status_code == 302
    assert client.get("/compte/").status_code == 200  # logged in
    user.refresh_from_db()
    assert user.check_password("un-mot-de-passe-solide-42")
    # the link worked once
    client.logout()
    assert client.get(url).status_code == 400


def test_invitation_errors(admin_client, member_user):
    taken = admin_client.post("/compte/membres/", {"email": "YANN@example.fr", "role": "member"})
    assert "a déjà un compte" in taken.content.decode()
    bad = admin_client.post("/compte/membres/", {"email": "pas-une-adresse", "role": "chef"})
    assert bad.status_code == 200 and bad.context["form"].errors.keys() == {"email", "role"}
    assert not mail.outbox
    admin_client.logout()
    assert admin_client.get("/invitation/MTIz/abc-def/").status_code == 400
    assert admin_client.get("/invitation/%%%/x/").status_code in (400, 404)


def test_invitation_expires(admin_client, monkeypatch):
    admin_client.post("/compte/membres/", {"email": "lea@example.fr", "role": "member"})
    url = invitation_url(mail.outbox[0])
    from chorusbat.people.invitation_links import invitation_tokens

    now = invitation_tokens._now()
    import datetime

    monkeypatch.setattr(type(invitation_tokens), "_now", lambda self: now + datetime.timedelta(days=8))
    admin_client.logout()
    response = admin_client.get(url)
    assert response.status_code == 400 and "plus valable" in response.content.decode()


def test_role_change_and_the_last_administrator(admin_client, admin_user, member_user, company):
    me = admin_user.membership
    refused = admin_client.post(f"/compte/membres/{me.pk}/role/", {"role": "member"}, follow=True)
    assert "au moins un administrateur actif" in refused.content.decode()
    assert Membership.objects.get(pk=me.pk).role == "admin"
    for action in ("deactivate", "remove"):
        admin_client.post(f"/compte/membres/{me.pk}/{action}/")
        assert Membership.objects.get(pk=me.pk).user.is_active

    yann = member_user.membership
    admin_client.post(f"/compte/membres/{yann.pk}/role/", {"role": "admin"})
    assert Membership.objects.get(pk=yann.pk).role == "admin"
    # now there are two administrators: claire may step down
    admin_client.post(f"/compte/membres/{me.pk}/role/", {"role": "member"})
    assert Membership.objects.get(pk=me.pk).role == "member"


def test_deactivate_reactivate_remove(admin_client, member_user):
    from django.test import Client

    client = Client()
    yann = member_user.membership
    admin_client.post(f"/compte/membres/{yann.pk}/deactivate/")
    member_user.refresh_from_db()
    assert not member_user.is_active
    assert not client.login(request=HttpRequest(), username="yann", password=PASSWORD)
    admin_client.post(f"/compte/membres/{yann.pk}/reactivate/")
    assert client.login(request=HttpRequest(), username="yann", password=PASSWORD)
    client.logout()
    admin_client.post(f"/compte/membres/{yann.pk}/remove/")
    assert not Membership.objects.filter(pk=yann.pk).exists()
    member_user.refresh_from_db()
    assert not member_user.is_active and not member_user.has_usable_password()


def test_no_action_on_another_company(admin_client, other_company):
    stranger = make_user(other_company, "autre", "member").membership
    assert admin_client.post(f"/compte/membres/{stranger.pk}/remove/").status_code == 404
    assert Membership.objects.filter(pk=stranger.pk).exists()
    assert admin_client.get(f"/compte/membres/{stranger.pk}/remove/").status_code in (404, 405)


def test_my_account_links(admin_client):
    page = admin_client.get("/compte/").content.decode()
    assert 'id="members-link"' in page and 'id="password-link"' in page


def test_a_removed_person_can_be_invited_again(admin_client, member_user):
    admin_client.post(f"/compte/membres/{member_user.membership.pk}/remove/")
    response = admin_client.post("/compte/membres/", {"email": "yann@example.fr", "role": "member"})
    assert response.status_code == 302
    member_user.refresh_from_db()
    assert member_user.is_active and not member_user.has_usable_password()
    assert member_user.membership.role == "member"
    assert "/invitation/" in mail.outbox[-1].body
    assert "invitation envoyée" in admin_client.get("/compte/membres/").content.decode()
