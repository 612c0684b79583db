"""Checking a market's buyer against Chorus Pro's directory (chorus-pro-api.md §15).

:func:`lookup_buyer` is the one seam to Chorus Pro: it delegates to ``chorusbat.accounts.buyer_cache.lookup_buyer``
(cached per company), which returns ``None`` when the company's subscription is not verified — then nothing is
checked. Tests replace this module-level function. :func:`buyer_errors` turns the buyer's routing rules
(``chorusbat.chorus.buyers.BuyerInfo``) into French form errors that name the rule.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from chorusbat.accounts.buyer_cache import lookup_buyer as cached_lookup
from chorusbat.accounts.chorus_access import CallsHeld
from chorusbat.chorus.buyers import BuyerInfo, BuyerRule
from chorusbat.chorus.errors import ChorusError

# Reserved for invoices between public bodies; never offered to a private supplier (chorus-pro-api.md §15).
RESERVED_SERVICE_CODES = {"FACTURES_PUBLIQUES"}
ORDINARY_INVOICE_FRAMEWORKS = {"A1"}


@dataclass(frozen=True)
class Lookup:
    """The outcome of a lookup: the buyer's data, or why Chorus Pro could not be asked (``error``)."""

    info: BuyerInfo | None = None
    error: str = ""


def lookup_buyer(company, siret, service_code=""):
    """The buyer's ``BuyerInfo`` from Chorus Pro, or ``None`` when the subscription is not verified.

    Only ``service_code`` (the market's service) is consulted for its own flags, never every service.
    """
    return cached_lookup(company, siret, service_code=service_code)


def checked_lookup(company, siret: str, service_code: str = "") -> Lookup:
    """:func:`lookup_buyer`, with Chorus Pro failures turned into a French reason instead of an exception."""
    try:
        return Lookup(info=lookup_buyer(company, siret, service_code))
    except ChorusError as exc:
        return Lookup(error=exc.user_message)
    except CallsHeld as exc:
        return Lookup(error=str(exc))


def usable_services(info: BuyerInfo | None) -> list:
    """The buyer's active services a supplier may pick, in Chorus Pro's order."""
    if info is None:
        return []
    return [s for s in info.services if s.code not in RESERVED_SERVICE_CODES]


def buyer_errors(info: BuyerInfo | None, service_code: str, engagement: str, framework: str) -> dict[str, list[str]]:
    """Errors by form field for this buyer's routing rules; empty when everything is satisfied."""
    errors: dict[str, list[str]] = {}

    def add(field, message):
        errors.setdefault(field, []).append(message)

    if info is None:
        return errors
    if not info.found:
        add("buyer_siret", _("Chorus Pro does not know this SIRET: check it with the buyer."))
        return errors
    if info.is_public is False:
        add("buyer_siret", _("This SIRET is a private structure in Chorus Pro: only public buyers receive invoices "
                             "there. Check the buyer's SIRET."))
        return errors
    if not info.active:
        add("buyer_siret", _("This buyer is inactive in Chorus Pro: it cannot receive invoices."))
        return errors
    if info.is_moa_only and framework in ORDINARY_INVOICE_FRAMEWORKS:
        add("framework", _("This buyer only acts as contracting authority for works: it does not receive "
                           "ordinary invoices (A1). Choose a works framework."))
    services = {s.code: s for s in usable_services(info)}
    if service_code and service_code not in services:
        add("buyer_service_code", _("This service code is not an active service of this buyer in Chorus Pro."))
    if info.service_required and not service_code:
        add("buyer_service_code", _("This buyer requires a service code."))
    if info.ej_required and not engagement:
        add("engagement", _("This buyer requires a legal commitment number (EJ)."))
    if info.rule == BuyerRule.SERVICE_OR_EJ and not service_code and not engagement:
        add("buyer_service_code", _("This buyer requires a service code or a legal commitment number (EJ)."))
    service = services.get(service_code)
    if service is not None and service.ej_required and not engagement:
        add("engagement", _("The service %(code)s requires a legal commitment number (EJ).") % {"code": service.code})
    return errors
