"""A validated situation's document is produced in the background, then follows its inputs until it is sent.

Validating a situation sends :data:`chorusbat.situations.signals.situation_validated` (situations sits below
invoicing and does not import it): its document is scheduled, in the validation's transaction.

The invoice of a validated situation also prints company details (name, address, IBAN…) and market details (buyer,
legal commitment, service code…) that may still be edited after validation. When they are saved, the documents
of the validated situations not yet handed to the gateway are checked again in the background (rebuilt only if
the invoice data really changed: :func:`chorusbat.invoicing.services.refresh_document`).
"""

from __future__ import annotations

from django.db.models.signals import post_save
from django.dispatch import receiver

from chorusbat.accounts.models import Company
from chorusbat.invoicing.tasks import schedule_document, schedule_refreshes
from chorusbat.markets.models import Market
from chorusbat.situations.models import Situation
from chorusbat.situations.signals import situation_validated


@receiver(situation_validated, sender=Situation, dispatch_uid="invoicing-situation-validated")
def situation_validated_received(sender, situation: Situation, **kwargs) -> None:
    schedule_document(situation.pk)  # the Factur-X is produced in the background, committed with the validation


@receiver(post_save, sender=Company, dispatch_uid="invoicing-company-saved")
def company_saved(sender, instance: Company, created: bool, raw: bool = False, **kwargs) -> None:
    if not created and not raw:
        schedule_refreshes(company=instance)


@receiver(post_save, sender=Market, dispatch_uid="invoicing-market-saved")
def market_saved(sender, instance: Market, created: bool, raw: bool = False, **kwargs) -> None:
    if not created and not raw:
        schedule_refreshes(market=instance)
