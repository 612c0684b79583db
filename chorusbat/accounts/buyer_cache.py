"""Public buyers as Chorus Pro knows them, cached per company (and environment) with a refresh date.

Markets call :func:`lookup_buyer` on save, with the service chosen on the market: only that service is consulted
(``consulter/service``), never every service of the buyer (fidelity review B3). A cached buyer remembers which
services were consulted; ``chorusbat refresh-buyers`` (scheduled) keeps the cache fresh, re-consulting only those.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from chorusbat.accounts.chorus_access import client_for
from chorusbat.accounts.models import BuyerLookup, ChorusSubscription, Company, SubscriptionStatus
from chorusbat.chorus.buyers import BuyerInfo, check_service
from chorusbat.chorus.buyers import lookup_buyer as chorus_lookup_buyer

MAX_AGE = timedelta(hours=24)


def lookup_buyer(company: Company, siret: str, *, service_code: str = "", refresh: bool = False,
                 interactive: bool = True) -> BuyerInfo | None:
    """The buyer's data, from the cache when fresh, else from Chorus Pro.

    ``service_code`` (the service chosen on the market) is consulted once if the cache does not know its own
    flags yet; no other service is consulted, whatever the number of services of the buyer.
    Returns None when the company's subscription is not verified (nothing can be asked of Chorus Pro then).
    Raises :class:`chorusbat.chorus.errors.ChorusError` (with a French ``user_message``) when Chorus Pro fails,
    and :class:`chorusbat.accounts.chorus_access.CallsHeld` when no call may be made.
    """
    subscription = ChorusSubscription.objects.filter(company=company).first()
    if subscription is None or subscription.status != SubscriptionStatus.VERIFIED:
        return None
    cached = BuyerLookup.objects.filter(company=company, environment=subscription.environment, siret=siret).first()
    cached_info = BuyerInfo.from_json_dict(cached.data) if cached else None
    if cached_info and not refresh and timezone.now() - cached.refreshed_at < MAX_AGE:
        service = cached_info.service(service_code) if service_code else None
        if service is None or service.ej_required is not None:
            return cached_info
        with client_for(subscription, interactive=interactive) as client:
            info = check_service(client, cached_info, service_code)
        _store(company, subscription, siret, info, refreshed_at=cached.refreshed_at)
        return info
    # A refresh re-consults the services consulted before (those chosen on markets), and only those.
    codes = {service_code, *(cached_info.consulted_service_codes if cached_info else ())} - {""}
    with client_for(subscription, interactive=interactive) as client:
        info = chorus_lookup_buyer(client, siret, service_codes=codes)
    _store(company, subscription, siret, info, refreshed_at=timezone.now())
    return info


def check_market_service(company: Company, siret: str, service_code: str) -> BuyerInfo | None:
    """The buyer with ``service_code`` consulted again now (one call when the buyer is cached), e.g. just
    before a transmission (background timeouts); None when the subscription is not verified. Raises like
    :func:`lookup_buyer`."""
    subscription = ChorusSubscription.objects.filter(company=company).first()
    if subscription is None or subscription.status != SubscriptionStatus.VERIFIED:
        return None
    cached = BuyerLookup.objects.filter(company=company, environment=subscription.environment, siret=siret).first()
    if cached is None or timezone.now() - cached.refreshed_at >= MAX_AGE:
        return lookup_buyer(company, siret, service_code=service_code, refresh=True, interactive=False)
    with client_for(subscription, interactive=False) as client:
        info = check_service(client, BuyerInfo.from_json_dict(cached.data), service_code)
    _store(company, subscription, siret, info, refreshed_at=cached.refreshed_at)
    return info


def _store(company: Company, subscription: ChorusSubscription, siret: str, info: BuyerInfo, *, refreshed_at) -> None:
    BuyerLookup.objects.update_or_create(
        company=company, environment=subscription.environment, siret=siret,
        defaults={"data": info.to_json_dict(), "refreshed_at": refreshed_at},
    )


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
