"""Demo markets and their situations for `make run` (`chorusbat demo`),
consistent with the Chorus Pro sandbox seed (chorus_sandbox/seed.yaml).

1. An A1 market for Ville de Nantes (service code required by the seed: ``DIR_BATIMENTS``): the example contract
   of ``situation-rules.md`` with its two situations validated (F2026-0093, F2026-0107) and a third one in draft.
2. An A4 market for the Office public de l'habitat Loire-Atlantique (service ``MAITRISE_OUVRAGE``) with the
   seed's project manager Atelier d'architecture Ouest as MOE: one situation validated, one in draft.

The situations are written through the same services as the screens (the engine computes and freezes them), but
without the form's numbering rule: the demo company numbered invoices before chorusbat, hence the gap between
F2026-0093 and F2026-0107. :func:`create_demo_markets` is idempotent.
"""

from __future__ import annotations

import datetime
from decimal import Decimal as D

from django.db import transaction

from chorusbat.markets.models import ContractLine, Framework, Market
from chorusbat.markets.services import refresh_totals
from chorusbat.situations.services import SituationData, save_draft, validate_situation

NANTES_MARKET = {
    "market": dict(
        title="Lot 07 Peinture - sols souples, école Jules Verne", buyer_name="Ville de Nantes",
        buyer_siret="21440109300015", buyer_service_code="DIR_BATIMENTS", number="2026-TX-004",
        engagement="1300045678", framework=Framework.A1, start_date=datetime.date(2026, 9, 1), duration_months=3,
        revision_fixed=D("0.125"), revision_variable=D("0.875"), revision_base_index=D("118.4"),
        revision_index_name="BT46", advance_rate=D("0.10"), advance_start=D("0.65"), advance_end=D("0.80"),
        retention_rate=D("0.05"), payment_delay_days=30,
    ),
    "lines": [
        ("7.1", "Peinture préau", "forfait", "ens", D("12000.00"), D("1"), D("20")),
        ("7.2", "Sol souple PVC", "unitaire", "m2", D("48.00"), D("300"), D("20")),
        ("7.3", "Plinthes bois logement gardien", "unitaire", "ml", D("9.35"), D("200"), D("10")),
    ],
    # number, period, date, index, progress by ref, penalties, validated
    "situations": [
        ("F2026-0093", datetime.date(2026, 9, 1), datetime.date(2026, 9, 30), D("119.0"),
         {"7.1": D("45"), "7.2": D("120"), "7.3": D("0")}, [], True),
        ("F2026-0107", datetime.date(2026, 10, 1), datetime.date(2026, 10, 31), D("119.7"),
         {"7.1": D("100"), "7.2": D("310"), "7.3": D("185.5")}, [("Retard remise DOE", D("150.00"))], True),
        ("F2026-0110", datetime.date(2026, 11, 1), datetime.date(2026, 11, 30), D("120.1"),
         {"7.1": D("100"), "7.2": D("310"), "7.3": D("200")}, [], False),
    ],
}

HOUSING_MARKET = {
    "market": dict(
        title="Réhabilitation de 24 logements, résidence du Port - lot 08 peinture et isolation",
        buyer_name="Office public de l'habitat Loire-Atlantique", buyer_siret="27440045600019",
        buyer_service_code="MAITRISE_OUVRAGE", number="OPH44-2026-017", engagement="",
        framework=Framework.A4, validator_name="Atelier d'architecture Ouest", validator_siret="44306184100013",
        start_date=datetime.date(2026, 10, 1), duration_months=4,
        advance_rate=D("0.05"), advance_start=D("0.65"), advance_end=D("0.80"), retention_rate=D("0.05"),
        payment_delay_days=30,
    ),
    "lines": [
        ("8.1", "Installation et repli de chantier", "forfait", "ens", D("3200.00"), D("1"), D("10")),
        ("8.2", "Peinture murs et plafonds des logements", "unitaire", "m2", D("14.80"), D("2400"), D("10")),
        ("8.3", "Isolation thermique des combles perdus", "unitaire", "m2", D("32.50"), D("380"), D("5.5")),
        ("8.4", "Peinture du local commercial en rez-de-chaussée", "forfait", "ens", D("6400.00"), D("1"), D("20")),
    ],
    "situations": [
        ("F2026-0108", datetime.date(2026, 10, 1), datetime.date(2026, 10, 31), None,
         {"8.1": D("50"), "8.2": D("600")}, [], True),
        ("F2026-0109", datetime.date(2026, 11, 1), datetime.date(2026, 11, 30), None,
         {"8.1": D("70"), "8.2": D("1450"), "8.3": D("380"), "8.4": D("40")}, [], False),
    ],
}


def create_market(company, user, definition: dict, with_situations: bool = True) -> Market:
    """Create one market from a definition above (lines, then situations through the services)."""
    market = Market.objects.create(company=company, created_by=user, **definition["market"])
    lines = ContractLine.objects.bulk_create(
        ContractLine(market=market, position=i, ref=ref, label=label, kind=kind, unit=unit, unit_price=price,
                     quantity=quantity, vat_rate=rate)
        for i, (ref, label, kind, unit, price, quantity, rate) in enumerate(definition["lines"], start=1)
    )
    refresh_totals(market)
    ids = {line.ref: line.pk for line in lines}
    for number, period, date, index, progress, penalties, validated in (
        definition["situations"] if with_situations else []
    ):
        data = SituationData(number=number, period=period, date=date, index_value=index, advance_paid=D("0"),
                             progress={ids[ref]: value for ref, value in progress.items()}, penalties=penalties)
        situation = save_draft(market, data, user)
        if validated:
            validate_situation(situation, user)
    return market


@transaction.atomic
def create_demo_markets(company, admin_user) -> list[Market]:
    """The two demo markets of ``company`` (created once; existing ones are returned as they are)."""
    markets = []
    for definition in (NANTES_MARKET, HOUSING_MARKET):
        fields = definition["market"]
        existing = Market.objects.filter(company=company, buyer_siret=fields["buyer_siret"],
                                         number=fields["number"]).first()
        markets.append(existing or create_market(company, admin_user, definition))
    return markets
