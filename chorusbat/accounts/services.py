"""Saving the Chorus Pro subscription: the two-step confirmation and the audit trail.

A valid submission is not saved at once: it is parked in the user's session (the password encrypted, never
rendered back into a page) and the user is asked "Confirmer l'enregistrement ?". Only the confirmation writes
the subscription and its audit entry, in one transaction.
"""

from __future__ import annotations

import secrets

from django.db import transaction
from django.views.decorators.debug import sensitive_variables

from chorusbat import crypto
from chorusbat.accounts.models import ChorusSubscription, Company, SubscriptionAuditEntry

_SESSION_KEY = "pending_subscription"


@sensitive_variables("cleaned")
def park_pending_change(session, company: Company, cleaned: dict, changes: list[str]) -> str:
    """Keep a validated submission in the session until it is confirmed; return its token."""
    token = secrets.token_urlsafe(16)
    session[_SESSION_KEY] = {
        "token": token,
        "company_id": company.pk,
        "siret": cleaned["siret"],
        "referent_email": cleaned["referent_email"],
        "technical_login": cleaned["technical_login"],
        "environment": cleaned["environment"],
        "password_encrypted": crypto.encrypt(cleaned["password"]) if cleaned.get("password") else "",
        "piste_client_id": cleaned.get("piste_client_id", ""),
        "piste_secret_encrypted": (crypto.encrypt(cleaned["piste_client_secret"])
                                   if cleaned.get("piste_client_secret") else ""),
        "changes": changes,
    }
    return token


def pending_change(session, company: Company, token: str) -> dict | None:
    pending = session.get(_SESSION_KEY)
    if not pending or pending.get("company_id") != company.pk or not token:
        return None
    if not secrets.compare_digest(str(pending.get("token", "")), str(token)):
        return None
    return pending


def discard_pending_change(session) -> None:
    session.pop(_SESSION_KEY, None)


@sensitive_variables()
@transaction.atomic
def apply_pending_change(company: Company, user, pending: dict) -> ChorusSubscription:
    """Write the confirmed subscription and its audit entry together."""
    subscription = ChorusSubscription.objects.select_for_update().filter(company=company).first()
    created = subscription is None
    if created:
        subscription = ChorusSubscription(company=company)
    for field in ("siret", "referent_email", "technical_login", "environment"):
        setattr(subscription, field, pending[field])
    credentials_changed = created or any(
        f in pending["changes"]
        for f in ("siret", "technical_login", "environment", "password", "piste_client_id", "piste_client_secret")
    )
    if pending["password_encrypted"]:
        subscription.set_password(crypto.decrypt(pending["password_encrypted"]))
    subscription.piste_client_id = pending.get("piste_client_id", "")
    if not subscription.piste_client_id:
        subscription.piste_client_secret_encrypted = ""
    elif pending.get("piste_secret_encrypted"):
        subscription.piste_client_secret_encrypted = crypto.rotate(pending["piste_secret_encrypted"])
    if credentials_changed:
        # New credentials have not been checked against Chorus Pro yet.
        subscription.status = subscription._meta.get_field("status").default
        subscription.status_checked_at = None
        subscription.status_detail = ""
    subscription.save()
    SubscriptionAuditEntry.objects.create(
        company=company,
        user=user,
        action=SubscriptionAuditEntry.Action.CREATED if created else SubscriptionAuditEntry.Action.UPDATED,
        changed_fields=pending["changes"],
    )
    return subscription
