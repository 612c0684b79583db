"""Invariants of the rules, checked on random valid contracts and chains of situations (hypothesis)."""

from __future__ import annotations

import re
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from chorusbat.engine import (
    Advance,
    Contract,
    ContractLine,
    Penalty,
    Revision,
    SituationInput,
    compute,
    compute_situation_file,
    result_to_json,
)

RATES = [Decimal(rate) for rate in ("0", "2.1", "5.5", "10", "20")]
MONEY_STRING = re.compile(r"^-?\d+\.\d\d$")
SITUATION_MONEY = (
    "cumulative_ht", "a", "d", "b", "ttc", "c", "e", "f", "g", "net", "advance_recovered_cumulative",
    "cumulative_ttc_initial",
)


def decimals(low, high, places: int):
    return st.decimals(min_value=Decimal(low), max_value=Decimal(high), places=places, allow_nan=False,
                       allow_infinity=False)


@st.composite
def contract_lines(draw) -> tuple[ContractLine, ...]:
    count = draw(st.integers(min_value=1, max_value=8))
    return tuple(
        ContractLine(
            ref=f"L{number}",
            label=f"Line {number}",
            kind=draw(st.sampled_from(["forfait", "unitaire"])),
            unit="u",
            unit_price=draw(decimals(0, 20000, 4)),
            quantity=draw(decimals(0, 1000, 2)),
            vat_rate=draw(st.sampled_from(RATES)),
        )
        for number in range(count)
    )


@st.composite
def contracts(draw) -> Contract:
    revision = None
    if draw(st.booleans()):
        fixed = draw(decimals("0", "0.5", 3))
        revision = Revision(fixed=fixed, variable=1 - fixed, base_index=draw(decimals("50", "200", 1)))
    advance = None
    if draw(st.booleans()):
        start = draw(decimals("0", "0.9", 2))
        end = draw(decimals(start + Decimal("0.01"), "1", 2))
        advance = Advance(rate=draw(decimals("0", "0.60", 2)), start=start, end=end)
    return Contract(
        lines=draw(contract_lines()),
        revision=revision,
        advance=advance,
        retention_rate=draw(decimals("0", "0.05", 3)),
        number="M",
    )


@st.composite
def chains(draw) -> tuple[Contract, list[SituationInput]]:
    contract = draw(contracts())
    situations = []
    for month in range(draw(st.integers(min_value=1, max_value=6))):
        progress = {}
        for line in contract.lines:
            if draw(st.integers(0, 4)) == 0:
                continue  # a missing ref counts as 0
            if line.kind == "forfait":
                progress[line.ref] = draw(decimals(0, 100, 2))
            else:
                progress[line.ref] = draw(decimals(0, 2 * line.quantity, 3))  # may exceed the contract quantity
        penalties = draw(st.lists(decimals(0, 1000, 2), max_size=2))
        situations.append(
            SituationInput(
                number=f"F{month}",
                period=f"2026-{month + 1:02d}",
                progress=progress,
                index=draw(decimals("50", "200", 4)) if contract.revision else None,
                penalties=tuple(Penalty(label="p", amount=amount) for amount in penalties),
                advance_paid=draw(decimals(0, 1000, 2)),
            )
        )
    return contract, situations


def as_file(contract: Contract, situations: list[SituationInput]) -> dict:
    """The same inputs written as a situation file (decimals as plain strings)."""
    text = lambda value: format(value, "f")  # noqa: E731
    market = {
        "number": "M", "title": "T", "framework": "A1", "start_date": "2026-01-01", "duration_months": 6,
        "lines": [
            {"ref": line.ref, "label": line.label, "kind": line.kind, "unit": line.unit,
             "unit_price": text(line.unit_price), "quantity": text(line.quantity), "vat_rate": text(line.vat_rate)}
            for line in contract.lines
        ],
        "retention_rate": text(contract.retention_rate),
    }
    if contract.revision:
        market["revision"] = {name: text(getattr(contract.revision, name)) for name in ("fixed", "variable", "base_index")}
    if contract.advance:
        market["advance"] = {name: text(getattr(contract.advance, name)) for name in ("rate", "start", "end")}
    return {
        "supplier": {"name": "S", "siret": "73282932000074", "vat_number": "FR44732829320"},
        "buyer": {"name": "B", "siret": "21440109300015"},
        "market": market,
        "situations": [
            {
                "number": s.number, "period": s.period, "date": f"{s.period}-28",
                "progress": {ref: text(value) for ref, value in s.progress.items()},
                "penalties": [{"label": p.label, "amount": text(p.amount)} for p in s.penalties],
                "advance_paid": text(s.advance_paid),
                **({"index": text(s.index)} if s.index is not None else {}),
            }
            for s in situations
        ],
    }


@settings(max_examples=200, deadline=None)
@given(chains())
def test_invariants_of_a_chain(chain):
    contract, situations = chain
    result = compute(contract, situations)
    last = result.situations[-1]

    # Periods add up to the last cumulative, line by line and in total.
    for position, line in enumerate(last.lines):
        assert sum(s.lines[position].period for s in result.situations) == line.cumulative
    assert sum(s.a for s in result.situations) == last.cumulative_ht

    for s in result.situations:
        assert s.net == s.ttc + s.e - s.c - s.f - s.g
        assert s.ttc == s.a + s.d + s.b
        assert (s.a, s.d, s.b) == tuple(sum(getattr(r, name) for r in s.by_rate) for name in ("a", "d", "b"))
        assert s.cumulative_ht == sum(line.cumulative for line in s.lines)
        # every contract rate, ascending
        assert [r.rate for r in s.by_rate] == sorted({line.vat_rate for line in contract.lines})
        # money has exactly 2 decimals
        money = [getattr(s, name) for name in SITUATION_MONEY]
        money += [getattr(r, name) for r in s.by_rate for name in ("cumulative_ht", "a", "d", "b")]
        money += [getattr(line, name) for line in s.lines for name in ("cumulative", "previous", "period")]
        assert all(value.as_tuple().exponent == -2 for value in money)
        assert s.coefficient.as_tuple().exponent == -3

    assert all(v.as_tuple().exponent == -2 for v in (result.contract_ht, result.contract_ttc, result.advance_amount))

    # The advance recovered never exceeds the advance and adds up to the last R(n).
    assert sum(s.f for s in result.situations) == last.advance_recovered_cumulative
    assert Decimal(0) <= last.advance_recovered_cumulative <= result.advance_amount
    if contract.advance is None:
        assert all(s.f == 0 for s in result.situations)


@settings(max_examples=100, deadline=None)
@given(chains())
def test_the_situation_file_gives_the_same_result_with_well_formed_strings(chain):
    contract, situations = chain
    output = compute_situation_file(as_file(contract, situations))
    assert output == result_to_json(compute(contract, situations))
    money = [output["contract_ht"], output["contract_ttc"], output["advance_amount"]]
    for s in output["situations"]:
        money += [s[name] for name in SITUATION_MONEY]
        money += [r[name] for r in s["by_rate"] for name in ("cumulative_ht", "a", "d", "b")]
        money += [line[name] for line in s["lines"] for name in ("cumulative", "previous", "period")]
        assert re.fullmatch(r"-?\d+\.\d{3}", s["coefficient"])
        assert [Decimal(r["rate"]) for r in s["by_rate"]] == sorted(Decimal(r["rate"]) for r in s["by_rate"])
        assert all(r["rate"] in {"0", "2.1", "5.5", "10", "20"} for r in s["by_rate"])
    assert all(MONEY_STRING.match(value) for value in money)
