"""How chorusbat reaches Chorus Pro for a company: the one place that turns a subscription into a client.

- ``client_for(subscription)`` builds a :class:`~chorusbat.chorus.client.ChorusClient` with the company's
  technical account and the PISTE application (the company's own, else the platform's for that environment).
  It refuses — raising :class:`CallsHeld` with a French reason — when no call may be made: no subscription,
  password expired (by date or by Chorus Pro's answer), production from a platform with local settings.
- ``verify_subscription(subscription)`` runs "Tester la connexion" and stores the outcome on the subscription.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from datetime import timedelta
from functools import lru_cache

import httpx
from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from chorusbat.accounts.models import ChorusSubscription, SubscriptionAuditEntry, SubscriptionStatus
from chorusbat.accounts.password_life import hold_reason
from chorusbat.accounts.signals import subscription_verified
from chorusbat.chorus.client import ChorusClient, shared_ssl_context
from chorusbat.chorus.config import ClientConfig, PisteApplication, TechnicalAccount, Timeouts, choose_application
from chorusbat.chorus.connection import ConnectionCheck, ConnectionOutcome, check_connection
from chorusbat.chorus.environments import get_environment
from chorusbat.chorus.errors import MissingApplication
from chorusbat.chorus.retry import RetryPolicy
from chorusbat.ops.instruments import MeteredTransport
from chorusbat.web.french_format import day_month_year

log = logging.getLogger(__name__)


class CallsHeld(Exception):
    """No Chorus Pro call may be made for this company now; ``str()`` is the French reason."""


def sandbox_credentials() -> dict | None:
    """The local sandbox seed's credentials (``--print-credentials``), asked of the sandbox package by subprocess:
    it shares no code with chorusbat. Used by the demo data, `make run` and, in development, the PISTE application."""
    try:
        out = subprocess.run(
            [sys.executable, "-m", "chorus_sandbox", "--print-credentials"],
            capture_output=True, text=True, timeout=60, check=True,
        ).stdout
        return json.loads(out)
    except (subprocess.SubprocessError, OSError, ValueError):
        return None


@lru_cache(maxsize=1)
def _local_sandbox_application() -> PisteApplication | None:
    """Development only: the sandbox's seeded PISTE application."""
    piste = (sandbox_credentials() or {}).get("piste") or {}
    app = PisteApplication(client_id=piste.get("client_id", ""), client_secret=piste.get("client_secret", ""))
    return app if app.is_complete else None


def platform_application(environment: str) -> PisteApplication | None:
    conf = settings.CHORUSBAT_PISTE_APPLICATIONS.get(environment) or {}
    app = PisteApplication(client_id=conf.get("client_id", ""), client_secret=conf.get("client_secret", ""))
    if app.is_complete:
        return app
    if environment == "sandbox" and not settings.PRODUCTION:
        return _local_sandbox_application()
    return None


def _company_application(subscription: ChorusSubscription) -> PisteApplication | None:
    if subscription.piste_client_id and subscription.piste_client_secret_encrypted:
        return PisteApplication(client_id=subscription.piste_client_id, client_secret=subscription.get_piste_secret())
    return None


def environment_refusal(subscription: ChorusSubscription) -> str | None:
    """Why this subscription's environment cannot be used on this platform, or None."""
    if subscription.environment == "production" and not settings.PRODUCTION:
        return _(
            "Production cannot be used from this installation: it runs with local settings. Choose Qualification "
            "or the local sandbox, or ask the people who run chorusbat to enable production."
        )
    if subscription.environment == "sandbox" and settings.PRODUCTION:
        return _("The local sandbox is not available in production. Choose Qualification or Production.")
    return None


def client_for(subscription: ChorusSubscription | None, *, interactive: bool = False) -> ChorusClient:
    """A client for this company, or :class:`CallsHeld` with the reason no call may be made."""
    reason = hold_reason(subscription)
    if reason:
        raise CallsHeld(reason)
    refusal = environment_refusal(subscription)
    if refusal:
        raise CallsHeld(refusal)
    try:
        application = choose_application(
            platform_application(subscription.environment), _company_application(subscription)
        )
    except MissingApplication:
        raise CallsHeld(
            _("No PISTE application is configured for this environment. Ask the people who run chorusbat.")
        ) from None
    environment = get_environment(subscription.environment, sandbox_url=settings.CHORUSBAT_SANDBOX_URL)
    config = ClientConfig(
        environment=environment,
        application=application,
        account=TechnicalAccount(login=subscription.technical_login, password=subscription.get_password()),
        timeouts=_interactive_timeouts() if interactive else _background_timeouts(),
    )
    retry = RetryPolicy(max_attempts=2, max_delay=1.0, max_retry_after=2.0) if interactive else RetryPolicy()
    # Every call counted and timed for /metrics (chorusbat.ops.instruments); TLS verified as the client does.
    transport = MeteredTransport(httpx.HTTPTransport(verify=shared_ssl_context()))
    return ChorusClient(config, retry=retry, transport=transport)


def _background_timeouts() -> Timeouts:
    t = settings.CHORUSBAT_BACKGROUND_TIMEOUT
    return Timeouts(connect=min(5.0, t), read=t, write=t, pool=min(5.0, t))


def _interactive_timeouts() -> Timeouts:
    t = settings.CHORUSBAT_INTERACTIVE_TIMEOUT
    return Timeouts(connect=min(3.0, t), read=t, write=t, pool=min(3.0, t))


_OUTCOME_STATUS = {
    ConnectionOutcome.VERIFIED: SubscriptionStatus.VERIFIED,
    ConnectionOutcome.REFUSED: SubscriptionStatus.REFUSED,
    ConnectionOutcome.EXPIRED: SubscriptionStatus.EXPIRED,
    ConnectionOutcome.NOT_ATTACHED: SubscriptionStatus.NOT_ATTACHED,
    ConnectionOutcome.UNREACHABLE: SubscriptionStatus.UNREACHABLE,
    ConnectionOutcome.MISCONFIGURED: SubscriptionStatus.MISCONFIGURED,
}


def verify_subscription(subscription: ChorusSubscription) -> ConnectionCheck | None:
    """Test the connection and store the outcome; returns None when no call could be made (reason stored)."""
    try:
        client = client_for(subscription, interactive=True)
    except CallsHeld as held:
        subscription.status = (
            SubscriptionStatus.EXPIRED
            if subscription.status == SubscriptionStatus.EXPIRED or timezone.now() >= subscription.password_expires_at
            else SubscriptionStatus.MISCONFIGURED
        )
        subscription.status_detail = str(held)
        subscription.status_checked_at = timezone.now()
        subscription.save(update_fields=["status", "status_detail", "status_checked_at", "updated_at"])
        return None
    expiry_before = subscription.password_expires_at
    with client:
        check = check_connection(client, subscription.siret)
    subscription.status = _OUTCOME_STATUS[check.outcome]
    subscription.status_checked_at = check.checked_at
    subscription.status_detail = "" if check.ok else f"{check.message} {check.action}".strip()
    if check.structure_id:
        subscription.structure_id = check.structure_id
    if check.password_expires_at:
        subscription.password_expires_reported = check.password_expires_at
    subscription.save()
    _record_expiry_change(subscription, expiry_before)
    log.info("connection check for company %s: %s (%s)", subscription.company_id, check.outcome, check.detail)
    if check.ok:
        subscription_verified.send(sender=ChorusSubscription, subscription=subscription)
    return check


def _record_expiry_change(subscription: ChorusSubscription, before) -> None:
    """A connection test never changes the password's expiry date silently: the change goes into the subscription
    history with its reason, and ``subscription.expiry_change_note`` tells the person who ran the test."""
    after = subscription.password_expires_at
    if timezone.localdate(before) == timezone.localdate(after):
        return
    note = _("Password expiry date changed from %(old)s to %(new)s: this is the date Chorus Pro gives for this "
             "technical account (connection test).") % {
        "old": day_month_year(timezone.localdate(before)), "new": day_month_year(timezone.localdate(after))}
    SubscriptionAuditEntry.objects.create(company_id=subscription.company_id, user=None,
                                          action=SubscriptionAuditEntry.Action.UPDATED, changed_fields=[note])
    subscription.expiry_change_note = note


#: Statuses worth re-testing without a person: the cause may have gone away by itself.
RETRYABLE_STATUSES = (SubscriptionStatus.UNREACHABLE, SubscriptionStatus.MISCONFIGURED)


def reverify_subscriptions(min_age: timedelta = timedelta(minutes=5)) -> tuple[int, int]:
    """Re-test subscriptions left unreachable or misconfigured (e.g. a Chorus Pro outage, a sporadic PISTE 401),
    and refused ones after an hour (a transient refusal happens); returns (tested, verified)."""
    now = timezone.now()
    candidates = ChorusSubscription.objects.filter(
        Q(status__in=RETRYABLE_STATUSES, status_checked_at__lt=now - min_age)
        | Q(status=SubscriptionStatus.REFUSED, status_checked_at__lt=now - timedelta(hours=1))
    )
    tested = verified = 0
    for subscription in candidates:
        tested += 1
        check = verify_subscription(subscription)
        verified += bool(check and check.ok)
    return tested, verified
