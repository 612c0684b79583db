"""Checking a market's buyer against Chorus Pro's directory (chorus-pro-api.md §15).

:func:`lookup_buyer` is the one seam to Chorus Pro: it delegates to ``chorusbat.accounts.buyers.lookup_buyer``,
which returns ``None`` when the company's subscription is not verified (then nothing is checked). Tests replace
this module-level function. :func:`buyer_errors` turns the buyer's routing rules into French form errors that
name the rule.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

# Reserved for invoices between public bodies; never offered to a private supplier (chorus-pro-api.md §15).
RESERVED_SERVICE_CODES = {"FACTURES_PUBLIQUES"}


def lookup_buyer(company, siret):
    """The buyer's ``BuyerInfo`` from Chorus Pro, or ``None`` when the subscription is not verified."""
    from chorusbat.accounts.models import ChorusSubscription, SubscriptionStatus

    if not ChorusSubscription.objects.filter(company=company, status=SubscriptionStatus.VERIFIED).exists():
        return None  # nothing to ask Chorus Pro without a verified subscription
    from chorusbat.accounts.buyers import lookup_buyer as real_lookup

    return real_lookup(company, siret)


def usable_services(info) -> list:
    """The buyer's active services a supplier may pick, in Chorus Pro's order."""
    if info is None:
        return []
    return [s for s in info.active_services if s.code not in RESERVED_SERVICE_CODES]


def buyer_errors(info, service_code: str, engagement: str) -> dict[str, list[str]]:
    """Errors by form field for this buyer's routing rules; empty when everything is satisfied."""
    errors: dict[str, list[str]] = {}

    def add(field, message):
        errors.setdefault(field, []).append(message)

    if info is None:
        return errors
    if not info.found:
        add("buyer_siret", _("Chorus Pro does not know this SIRET: check it with the buyer."))
        return errors
    if not info.active:
        add("buyer_siret", _("This buyer is inactive in Chorus Pro: it cannot receive invoices."))
        return errors
    services = {s.code: s for s in usable_services(info)}
    if service_code and service_code not in services:
        add("buyer_service_code", _("This service code is not an active service of this buyer in Chorus Pro."))
    if info.service_required and not service_code:
        add("buyer_service_code", _("This buyer requires a service code."))
    if info.ej_required and not engagement:
        add("engagement", _("This buyer requires a legal commitment number (EJ)."))
    if info.service_or_ej and not service_code and not engagement:
        add("buyer_service_code", _("This buyer requires a service code or a legal commitment number (EJ)."))
    service = services.get(service_code)
    if service is not None and service.ej_required and not engagement:
        add("engagement", _("The service %(code)s requires a legal commitment number (EJ).") % {"code": service.code})
    return errors
