"""Properties of the décompte as the services hand markets and situations to the engine (no database).

For any market and chain of situations the engine accepts:
- per line, the sum of the period amounts over the chain equals the last cumulative (idem per VAT rate for a);
- net = ttc + e − c − f − g, and ttc = a + d + b, for every situation.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from chorusbat.markets.models import VAT_RATES, ContractLine, Market
from chorusbat.situations.services import SituationData, compute_chain

money = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("50000"), places=2)
quantity = st.decimals(min_value=Decimal("0"), max_value=Decimal("2000"), places=2)
percent = st.decimals(min_value=Decimal("0"), max_value=Decimal("100"), places=1)


@st.composite
def market_and_chain(draw):
    count = draw(st.integers(min_value=1, max_value=5))
    lines = []
    for i in range(count):
        kind = draw(st.sampled_from(["forfait", "unitaire"]))
        lines.append(ContractLine(
            pk=i + 1, ref=f"L{i + 1}", label="x", kind=kind, unit="u", unit_price=draw(money),
            quantity=Decimal("1") if kind == "forfait" else draw(quantity), vat_rate=draw(st.sampled_from(VAT_RATES)),
        ))
    revised = draw(st.booleans())
    fixed = draw(st.sampled_from([Decimal("0.125"), Decimal("0.15"), Decimal("0.2")]))
    market = Market(
        number="M", title="t", start_date=datetime.date(2026, 1, 1), duration_months=12,
        revision_fixed=fixed if revised else None, revision_variable=(1 - fixed) if revised else None,
        revision_base_index=Decimal("118.4") if revised else None,
        advance_rate=draw(st.sampled_from([Decimal("0"), Decimal("0.05"), Decimal("0.30"), Decimal("0.45")])),
        advance_start=Decimal("0.65"), advance_end=Decimal("0.80"),
        retention_rate=draw(st.sampled_from([Decimal("0"), Decimal("0.03"), Decimal("0.05")])),
    )
    chain = []
    for n in range(draw(st.integers(min_value=1, max_value=4))):
        progress = {line.pk: draw(percent if line.kind == "forfait" else quantity) for line in lines}
        penalties = [("p", draw(money))] if draw(st.booleans()) else []
        chain.append(SituationData(
            number=f"F-{n}", period=datetime.date(2026, n + 1, 1), date=datetime.date(2026, n + 1, 28),
            index_value=draw(st.decimals(min_value=Decimal("100"), max_value=Decimal("140"), places=2)),
            advance_paid=draw(st.sampled_from([Decimal("0"), Decimal("500.00")])), progress=progress,
            penalties=penalties,
        ))
    return market, lines, chain


@settings(max_examples=60, deadline=None)
@given(market_and_chain())
def test_period_amounts_add_up_to_the_cumulative(case):
    market, lines, chain = case
    result = compute_chain(market, lines, chain)
    last = result.situations[-1]
    for line in last.lines:
        assert sum(s_line.period for s in result.situations for s_line in s.lines if s_line.ref == line.ref) == (
            line.cumulative)
    for rate in last.by_rate:
        assert sum(r.a for s in result.situations for r in s.by_rate if r.rate == rate.rate) == rate.cumulative_ht


@settings(max_examples=60, deadline=None)
@given(market_and_chain())
def test_net_is_ttc_plus_e_minus_c_f_g(case):
    market, lines, chain = case
    for s in compute_chain(market, lines, chain).situations:
        assert s.ttc == s.a + s.d + s.b
        assert s.net == s.ttc + s.e - s.c - s.f - s.g
        assert s.cumulative_ht == sum(r.cumulative_ht for r in s.by_rate)
