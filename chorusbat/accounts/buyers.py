"""Public buyers as Chorus Pro knows them, cached per company (and environment) with a refresh date.

Markets call :func:`lookup_buyer` on save; ``chorusbat refresh-buyers`` (scheduled) keeps the cache fresh.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from chorusbat.accounts.chorus_access import client_for
from chorusbat.accounts.models import BuyerLookup, ChorusSubscription, Company, SubscriptionStatus
from chorusbat.chorus.buyers import BuyerInfo
from chorusbat.chorus.buyers import lookup_buyer as chorus_lookup_buyer

MAX_AGE = timedelta(hours=24)


def lookup_buyer(company: Company, siret: str, *, refresh: bool = False) -> BuyerInfo | None:
    """The buyer's data, from the cache when fresh, else from Chorus Pro.

    Returns None when the company's subscription is not verified (nothing can be asked of Chorus Pro then).
    Raises :class:`chorusbat.chorus.errors.ChorusError` (with a French ``user_message``) when Chorus Pro fails,
    and :class:`chorusbat.accounts.chorus_access.CallsHeld` when no call may be made.
    """
    subscription = ChorusSubscription.objects.filter(company=company).first()
    if subscription is None or subscription.status != SubscriptionStatus.VERIFIED:
        return None
    cached = BuyerLookup.objects.filter(company=company, environment=subscription.environment, siret=siret).first()
    if cached and not refresh and timezone.now() - cached.refreshed_at < MAX_AGE:
        return BuyerInfo.from_json_dict(cached.data)
    with client_for(subscription, interactive=True) as client:
        info = chorus_lookup_buyer(client, siret)
    BuyerLookup.objects.update_or_create(
        company=company, environment=subscription.environment, siret=siret,
        defaults={"data": info.to_json_dict(), "refreshed_at": timezone.now()},
    )
    return info


def refresh_stale_lookups(max_age: timedelta = MAX_AGE) -> tuple[int, int]:
    """Refresh every cached buyer older than ``max_age``; returns (refreshed, failed)."""
    refreshed = failed = 0
    stale = BuyerLookup.objects.filter(refreshed_at__lt=timezone.now() - max_age).select_related("company")
    for entry in stale:
        try:
            if lookup_buyer(entry.company, entry.siret, refresh=True) is not None:
                refreshed += 1
        except Exception:  # noqa: BLE001 - one failing buyer must not stop the others; retried next run
            failed += 1
    return refreshed, failed
