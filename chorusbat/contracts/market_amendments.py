"""Amendments (avenants) of a market: adding one (checked by the engine on the market's chain), deleting one, and
the market's amounts — initial, each amendment, current — as the engine computes them."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from chorusbat import engine
from chorusbat.markets.models import Amendment, AmendmentChange, ContractLine, Market
from chorusbat.markets.services import contract_for, engine_line
from chorusbat.situations.services import SituationData, market_situations


class AmendmentError(Exception):
    def __init__(self, messages: list[str]):
        self.messages = messages
        super().__init__("; ".join(messages))


def last_validated_period(market: Market) -> datetime.date | None:
    row = market.situations.filter(status="validated").order_by("-period").first()
    return row.period if row else None


def check_period(market: Market, period: datetime.date) -> str | None:
    """An amendment may not reach back into a validated situation (its décompte never changes)."""
    last = last_validated_period(market)
    if last is not None and period <= last:
        return _("The situation of %(month)s is validated: an amendment can only apply from a later month.") % {
            "month": f"{last:%m/%Y}"}
    return None


@dataclass
class NewAmendment:
    number: str
    date: datetime.date
    object: str
    period: datetime.date
    changes: list[tuple[ContractLine, object, object]]  # (line, new unit price or None, new quantity or None)
    lines: list[ContractLine]  # unsaved, with ref, label, kind, unit, unit_price, quantity, vat_rate, extra_work

    def engine_amendment(self) -> engine.Amendment:
        return engine.Amendment(
            number=self.number, period=f"{self.period:%Y-%m}", date=self.date, object=self.object,
            lines=tuple(engine_line(line) for line in self.lines),
            changes=tuple(engine.LineChange(ref=line.ref, unit_price=price, quantity=quantity)
                          for line, price, quantity in self.changes),
        )


def check(market: Market, new: NewAmendment) -> list[str]:
    """Every problem of the market's chain with this amendment added (engine messages, in French)."""

    problem = check_period(market, new.period)
    if problem:
        return [problem]
    lines = list(market.lines.all())
    refs = {line.pk: line.ref for line in lines}
    chain = [SituationData.of(s).engine_input(refs) for s in market_situations(market)]
    try:
        engine.compute(contract_for(market, lines, extra_amendments=(new.engine_amendment(),)), chain)
    except engine.SituationValidationError as error:
        return [issue.message for issue in error.errors]
    return []


@transaction.atomic
def create(market: Market, new: NewAmendment, user) -> Amendment:
    market = Market.objects.select_for_update().get(pk=market.pk)
    problems = check(market, new)
    if problems:
        raise AmendmentError(problems)
    amendment = Amendment.objects.create(market=market, number=new.number, date=new.date, object=new.object,
                                         period=new.period, created_by=user)
    position = max([line.position for line in market.lines.all()] or [0])
    for offset, line in enumerate(new.lines, start=1):
        line.market, line.amendment, line.position = market, amendment, position + offset
        line.save()
    AmendmentChange.objects.bulk_create(
        AmendmentChange(amendment=amendment, line=line, unit_price=price, quantity=quantity)
        for line, price, quantity in new.changes)
    return amendment


@transaction.atomic
def delete(amendment: Amendment) -> None:
    market = Market.objects.select_for_update().get(pk=amendment.market_id)
    problem = check_period(market, amendment.period)
    if problem:
        raise AmendmentError([problem])
    if amendment.new_lines.filter(progress__isnull=False).exists():
        raise AmendmentError([_("A situation has progress on a line of this amendment: delete it there first.")])
    amendment.delete()


@dataclass
class AmendmentRow:
    amendment: Amendment | None
    result: engine.AmendmentResult


@dataclass
class MarketAmounts:
    initial_ht: object
    initial_ttc: object
    rows: list[AmendmentRow]
    current_ht: object
    current_ttc: object


def market_amounts(market: Market, until: datetime.date | None = None) -> MarketAmounts | None:
    """The initial amount, each amendment (up to the one applying to ``until``'s month) and the amount after."""
    lines = list(market.lines.all())
    if not lines:
        return None
    try:
        result = engine.compute(contract_for(market, lines), [])
    except engine.SituationValidationError:
        return None
    by_number = {a.number: a for a in market.amendments.all()}
    rows = [AmendmentRow(by_number.get(r.number), r) for r in result.amendments
            if until is None or r.period <= f"{until:%Y-%m}"]
    current_ht = rows[-1].result.ht_after if rows else result.contract_ht
    current_ttc = rows[-1].result.ttc_after if rows else result.contract_ttc
    return MarketAmounts(result.contract_ht, result.contract_ttc, rows, current_ht, current_ttc)
