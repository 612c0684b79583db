"""From a market in the database to the computation engine's ``Contract``, and the market's engine totals.

The engine (:mod:`chorusbat.engine`) is the only place where amounts are computed. This module only translates
rows into its dataclasses; :mod:`chorusbat.situations.services` adds the situations.
"""

from __future__ import annotations

from decimal import Decimal

from chorusbat import engine
from chorusbat.markets.models import ContractLine, Market

ZERO = Decimal("0.00")


def engine_line(line: ContractLine) -> engine.ContractLine:
    return engine.ContractLine(
        ref=line.ref, label=line.label, kind=line.kind, unit=line.unit,
        unit_price=line.unit_price, quantity=line.quantity, vat_rate=line.vat_rate, extra_work=line.extra_work,
    )


def engine_amendments(market: Market, lines, extra=()) -> tuple[engine.Amendment, ...]:
    """The market's amendments as the engine takes them (``extra``: unsaved ones, checked by a form)."""
    if not market.pk:
        return tuple(extra)
    by_amendment: dict[int, list] = {}
    for line in lines:
        if line.amendment_id is not None:
            by_amendment.setdefault(line.amendment_id, []).append(engine_line(line))
    result = []
    for amendment in market.amendments.prefetch_related("changes__line"):
        result.append(engine.Amendment(
            number=amendment.number, period=f"{amendment.period:%Y-%m}", date=amendment.date,
            object=amendment.object, lines=tuple(by_amendment.get(amendment.pk, ())),
            changes=tuple(engine.LineChange(ref=c.line.ref, unit_price=c.unit_price, quantity=c.quantity)
                          for c in amendment.changes.all()),
        ))
    return tuple(result) + tuple(extra)


def contract_for(market: Market, lines=None, extra_amendments=()) -> engine.Contract:
    """The engine's view of a market; pass ``lines`` when they are already loaded, in their display order.

    Lines added by an amendment go with their amendment, not with the initial market."""
    if lines is None:
        lines = list(market.lines.all())
    amendments = engine_amendments(market, lines, extra_amendments)
    lines = [line for line in lines if getattr(line, "amendment_id", None) is None]
    revision = None
    if market.is_revised:
        revision = engine.Revision(fixed=market.revision_fixed, variable=market.revision_variable,
                                   base_index=market.revision_base_index)
    advance = None
    if market.advance_rate:
        advance = engine.Advance(rate=market.advance_rate, start=market.advance_start, end=market.advance_end)
    return engine.Contract(
        lines=tuple(engine_line(line) for line in lines),
        revision=revision,
        advance=advance,
        retention_rate=market.retention_rate,
        number=market.number,
        engagement=market.engagement or None,
        title=market.title,
        framework=market.framework,
        start_date=market.start_date,
        duration_months=market.duration_months,
        amendments=amendments,
    )


def refresh_totals(market: Market) -> None:
    """Store the engine's contract HT and TTC for the market's current lines (zero without lines)."""
    lines = list(market.lines.all())
    if lines:
        result = engine.compute(contract_for(market, lines), [])
        market.contract_ht, market.contract_ttc = result.contract_ht, result.contract_ttc
    else:
        market.contract_ht = market.contract_ttc = ZERO
    Market.objects.filter(pk=market.pk).update(contract_ht=market.contract_ht, contract_ttc=market.contract_ttc)
