"""Members of a company: invitation by e-mail, roles, deactivation and removal — never the last administrator."""

from __future__ import annotations

import logging

from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from chorusbat.accounts.models import Company, Membership
from chorusbat.people.invitation_links import INVITATION_DAYS, invitation_tokens

log = logging.getLogger(__name__)
Role = Membership.Role


class MemberError(Exception):
    """A change refused, with the French sentence to show."""


def is_pending(user) -> bool:
    """Invited, has not chosen a password yet (removal also leaves no password, but closes the account)."""
    return user.is_active and not user.has_usable_password()


def invitation_path(user) -> str:
    return reverse("people:invitation", args=[urlsafe_base64_encode(force_bytes(user.pk)),
                                               invitation_tokens.make_token(user)])


@transaction.atomic
def invite(company: Company, by, email: str, role: str, first_name: str = "", last_name: str = "",
           base_url: str = "") -> Membership:
    User = get_user_model()
    email = email.strip().lower()
    existing = list(User.objects.filter(Q(username__iexact=email) | Q(email__iexact=email))[:2])
    if existing and (len(existing) > 1 or Membership.objects.filter(user=existing[0]).exists()
                     or existing[0].is_active):
        raise MemberError(_("Someone already has an account with this e-mail address."))
    # A person removed earlier (account closed, in no company) can be invited again: same account, new start.
    user = existing[0] if existing else User(username=email, email=email)
    user.first_name = first_name.strip() or user.first_name
    user.last_name = last_name.strip() or user.last_name
    user.is_active = True
    user.set_unusable_password()
    user.save()
    membership = Membership.objects.create(user=user, company=company, role=role)
    send_invitation(membership, by, base_url)
    return membership


def send_invitation(membership: Membership, by, base_url: str = "") -> None:
    user = membership.user
    context = {"company": membership.company, "by": by, "url": base_url + invitation_path(user),
               "days": INVITATION_DAYS, "role": membership.get_role_display(), "user": user}
    with translation.override("fr"):
        subject = _("Invitation to chorusbat for %(company)s") % {"company": membership.company.legal_name}
        text = render_to_string("people/emails/invitation.txt", context)
        html = render_to_string("people/emails/invitation.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[user.email])
    message.attach_alternative(html, "text/html")
    try:
        message.send()
    except OSError as exc:
        log.warning("invitation for user %s not sent: %s", user.pk, exc)
        raise MemberError(
            _("The invitation could not be sent: the mail server did not answer. Try again later.")) from exc


def _active_admins(company: Company):
    return Membership.objects.select_for_update().filter(company=company, role=Role.ADMIN, user__is_active=True)


def _guard_last_admin(membership: Membership) -> None:
    others = _active_admins(membership.company).exclude(pk=membership.pk)
    if membership.is_admin and membership.user.is_active and not others.exists():
        raise MemberError(_("The company must keep at least one active administrator."))


@transaction.atomic
def set_role(membership: Membership, role: str) -> None:
    if role not in Role.values:
        raise MemberError(_("Unknown role."))
    if role != Role.ADMIN:
        _guard_last_admin(membership)
    membership.role = role
    membership.save(update_fields=["role"])


@transaction.atomic
def deactivate(membership: Membership) -> None:
    _guard_last_admin(membership)
    user = membership.user
    user.is_active = False
    user.save(update_fields=["is_active"])


@transaction.atomic
def reactivate(membership: Membership) -> None:
    user = membership.user
    user.is_active = True
    user.save(update_fields=["is_active"])


@transaction.atomic
def remove(membership: Membership) -> None:
    """The person leaves the company: the account is closed (kept, for the history that names it).

    Their sessions end with it: Django refuses inactive users on every request.
    """
    _guard_last_admin(membership)
    user = membership.user
    membership.delete()
    user.is_active = False
    user.set_unusable_password()
    user.save(update_fields=["is_active", "password"])

