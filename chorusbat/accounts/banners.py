"""Banners shown on every page (e.g. the technical password about to expire)."""

from __future__ import annotations

from chorusbat.accounts.models import ChorusSubscription
from chorusbat.accounts.password_life import banner_for


def banners_for(membership) -> list[dict]:
    """The banners for this member: dicts with ``level``, ``text`` and optional ``url``/``action``.

    Password banners are for administrators only: they are the ones who can act on them.
    """
    banners = []
    if membership.is_admin:
        subscription = ChorusSubscription.objects.filter(company_id=membership.company_id).first()
        banner = banner_for(subscription)
        if banner:
            banners.append(banner)
    return banners
