"""Demo data of the contract's life (`make run`): one invoice paid late by its buyer, with its late-payment claim.

A small firm-price market for the Commune de Rezé (a buyer of the sandbox seed) whose only situation (F2026-0061,
June 2026) was due on 30/07/2026 and put into payment by Chorus Pro on 14/09/2026: 46 days late at 10.15 % (ECB 2.15
% of the second half of 2026 + 8 points). Its Chorus Pro history is recorded as the status sync would have recorded
it; its status is final, so the sync never asks the sandbox about it. :func:`create_demo_late_payment` is
idempotent.
"""

from __future__ import annotations

import datetime
from decimal import Decimal as D

from django.db import transaction
from django.utils import timezone

from chorusbat.contracts import market_amendments
from chorusbat.contracts.models import MarketClosing
from chorusbat.gateway.models import ChorusStatusChange, Transmission
from chorusbat.markets.models import Amendment, ContractLine, Framework, Market
from chorusbat.situations.demo import HOUSING_MARKET, create_market
from chorusbat.situations.services import SituationData, final_statement, save_draft, validate_situation

REZE_MARKET = {
    "market": dict(
        title="Peinture des vestiaires du gymnase Arthur Dugast", buyer_name="Commune de Rezé",
        buyer_siret="21440107700018", number="2026-RZ-012", engagement="", framework=Framework.A1,
        start_date=datetime.date(2026, 6, 1), duration_months=1, retention_rate=D("0.05"), payment_delay_days=30,
    ),
    "lines": [
        ("1", "Préparation des supports", "forfait", "ens", D("2400.00"), D("1"), D("20")),
        ("2", "Peinture murs et plafonds", "unitaire", "m2", D("18.50"), D("420"), D("20")),
    ],
    "situations": [
        ("F2026-0061", datetime.date(2026, 6, 1), datetime.date(2026, 6, 30), None,
         {"1": D("100"), "2": D("420")}, [], True),
    ],
}
HISTORY = (("DEPOSEE", datetime.datetime(2026, 7, 1, 9, 12)),
           ("MISE_A_DISPOSITION", datetime.datetime(2026, 7, 1, 9, 40)),
           ("SERVICE_FAIT", datetime.datetime(2026, 8, 20, 14, 5)),
           ("MISE_EN_PAIEMENT", datetime.datetime(2026, 9, 14, 10, 30)))


@transaction.atomic
def create_demo_late_payment(company, admin_user) -> Market:

    fields = REZE_MARKET["market"]
    existing = Market.objects.filter(company=company, buyer_siret=fields["buyer_siret"],
                                     number=fields["number"]).first()
    if existing is not None:
        return existing
    market = create_market(company, admin_user, REZE_MARKET)
    situation = market.situations.get()
    at = {status: timezone.make_aware(moment) for status, moment in HISTORY}
    transmission = Transmission.objects.create(
        company=company, situation=situation, state=Transmission.State.INTEGRATED, created_by=admin_user,
        deposited_at=at["DEPOSEE"], chorus_invoice_number=situation.number, chorus_status="MISE_EN_PAIEMENT",
        chorus_status_at=at["MISE_EN_PAIEMENT"], created_at=at["DEPOSEE"],
    )
    ChorusStatusChange.objects.bulk_create(ChorusStatusChange(transmission=transmission, status=status, at=moment)
                                           for status, moment in at.items())
    return market


# The Rezé market, closed: réception on 3 July 2026; its projet de décompte final F2026-0075 (July 2026: 436 m²
# measured instead of 420; paid on time) sent on 15 July; the décompte général (12 559,20 € TTC, the final
# statement's cumulative amount) notified on 10 August and signed without reserves on 20 August: the DGD. The
# contract (its CCAP) set a guarantee period of 3 months instead of CCAG 44.1's year: it ended on 3 October 2026,
# the retention (627,96 € = 610,20 + 17,76) was due on 2 November and received on 6 November. The market shows
# « soldé ».
FINAL_STATEMENT = ("F2026-0075", datetime.date(2026, 7, 1), datetime.date(2026, 7, 15), {"1": D("100"), "2": D("436")})
FINAL_HISTORY = (("DEPOSEE", datetime.datetime(2026, 7, 15, 10, 2)),
                 ("MISE_A_DISPOSITION", datetime.datetime(2026, 7, 15, 10, 30)),
                 ("SERVICE_FAIT", datetime.datetime(2026, 8, 5, 9, 0)),
                 ("MISE_EN_PAIEMENT", datetime.datetime(2026, 8, 12, 11, 15)))
CLOSING = dict(reception_date=datetime.date(2026, 7, 3), guarantee_months=3,
               dg_notified_on=datetime.date(2026, 8, 10), dg_amount_ttc=D("12559.20"), dg_amount_ht=D("10466.00"),
               answer="accepted", answer_on=datetime.date(2026, 8, 20), dgd_on=datetime.date(2026, 8, 20),
               released_on=datetime.date(2026, 11, 6))


@transaction.atomic
def create_demo_closed_market(company, admin_user) -> Market:
    """The late-paid Rezé market, closed with a DGD and its retention released (idempotent)."""

    market = create_demo_late_payment(company, admin_user)
    if MarketClosing.objects.filter(market=market).exists():
        return market
    number, period, date, progress = FINAL_STATEMENT
    ids = {line.ref: line.pk for line in market.lines.all()}
    final = final_statement(market)
    if final is None:
        final = save_draft(market, SituationData(
            number=number, period=period, date=date, index_value=None, advance_paid=D("0"),
            progress={ids[ref]: value for ref, value in progress.items()}), admin_user)
        final.final = True
        final.save(update_fields=["final"])
        validate_situation(final, admin_user)
        at = {status: timezone.make_aware(moment) for status, moment in FINAL_HISTORY}
        transmission = Transmission.objects.create(
            company=company, situation=final, state=Transmission.State.INTEGRATED, created_by=admin_user,
            deposited_at=at["DEPOSEE"], chorus_invoice_number=final.number, chorus_status="MISE_EN_PAIEMENT",
            chorus_status_at=at["MISE_EN_PAIEMENT"], created_at=at["DEPOSEE"],
        )
        ChorusStatusChange.objects.bulk_create(ChorusStatusChange(transmission=transmission, status=status,
                                                                  at=moment) for status, moment in at.items())
    MarketClosing.objects.create(market=market, updated_by=admin_user, **CLOSING)
    return market


def create_demo_amendment(company, admin_user):
    """Amendment no. 1 of the demo's A4 market (Office public de l'habitat, created by
    :func:`chorusbat.situations.demo.create_demo_markets`): from November 2026, 40 m² more of roof insulation and a
    new lump-sum line for the outside joinery. Its November situation (a draft) is computed at the amended prices.
    Idempotent; nothing is done when that market does not exist."""

    fields = HOUSING_MARKET["market"]
    market = Market.objects.filter(company=company, buyer_siret=fields["buyer_siret"], number=fields["number"]).first()
    if market is None:
        return None
    existing = Amendment.objects.filter(market=market, number="1").first()
    if existing is not None:
        return existing
    insulation = market.lines.get(ref="8.3")
    joinery = ContractLine(ref="8.5", label="Peinture des menuiseries extérieures (avenant n° 1)", kind="forfait",
                           unit="ens", unit_price=D("2800.00"), quantity=D("1"), vat_rate=D("10"))
    return market_amendments.create(market, market_amendments.NewAmendment(
        number="1", date=datetime.date(2026, 11, 4),
        object="Isolation des combles étendue au local vélos ; peinture des menuiseries extérieures",
        period=datetime.date(2026, 11, 1), changes=[(insulation, None, D("420"))], lines=[joinery],
    ), admin_user)
