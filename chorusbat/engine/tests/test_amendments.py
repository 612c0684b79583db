"""Amendments (avenants) and ordered extra works: a worked example, the file format, validation, properties."""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chorusbat.engine import (
    Amendment,
    LineChange,
    SituationValidationError,
    compute,
    compute_situation_file,
    result_to_json,
)
from chorusbat.engine.amendments import lines_at
from chorusbat.engine.tests.builders import D, contract, line, situation
from chorusbat.engine.tests.test_properties import as_file, chains, decimals

AV1 = Amendment(
    number="AV1", period="2026-03", date=datetime.date(2026, 2, 20), object="Prix du sol porté à 55 €, plinthes",
    changes=(LineChange(ref="L2", unit_price=D("55")),),
    lines=(dataclasses.replace(line("L3", "unitaire", "20", "10"), extra_work=True),),
)


def example():
    base = contract(line("L1", "forfait", "10000", "1"), line("L2", "unitaire", "50", "100"))
    return dataclasses.replace(base, amendments=(AV1,))


def test_worked_example_across_an_amendment():
    situations = [
        situation("F1", "2026-01", {"L1": "50", "L2": "40"}),
        situation("F2", "2026-02", {"L1": "50", "L2": "60"}),
        situation("F3", "2026-03", {"L1": "100", "L2": "80", "L3": "5"}),
    ]
    result = compute(example(), situations)
    assert (result.contract_ht, result.contract_ttc) == (D("15000.00"), D("18000.00"))  # the initial market
    [av1] = result.amendments
    # L2: 55 × 100 = 5 500 (+500); L3: 20 × 10 = 200 → +700 HT, +840 TTC.
    assert (av1.ht_change, av1.ttc_change, av1.ht_after, av1.ttc_after) == (
        D("700.00"), D("840.00"), D("15700.00"), D("18840.00"))
    assert (result.current_ht, result.current_ttc) == (D("15700.00"), D("18840.00"))
    f1, f2, f3 = result.situations
    assert [x.ref for x in f2.lines] == ["L1", "L2"] and [x.ref for x in f3.lines] == ["L1", "L2", "L3"]
    assert [(x.cumulative, x.previous, x.period) for x in f3.lines] == [
        (D("10000.00"), D("5000.00"), D("5000.00")),
        (D("4400.00"), D("3000.00"), D("1400.00")),  # 80 m² at the new price, 60 already billed at the old one
        (D("100.00"), D("0.00"), D("100.00")),
    ]
    assert (f3.a, f3.cumulative_ht) == (D("6500.00"), D("14500.00"))
    # The advance stays computed on the initial market.
    with_advance = dataclasses.replace(example(), advance=contract(line("X", "forfait", "1", "1"), advance="0.1").advance)
    assert compute(with_advance, situations).advance_amount == D("1800.00")


def test_the_situation_file_carries_amendments():
    base, situations = example(), [situation("F1", "2026-03", {"L2": "10", "L3": "1"})]
    data = as_file(base, situations)
    data["market"]["amendments"] = [{
        "number": "AV1", "period": "2026-03", "date": "2026-02-20", "object": AV1.object,
        "lines": [{"ref": "L3", "label": "Line L3", "kind": "unitaire", "unit": "u", "unit_price": "20",
                   "quantity": "10", "vat_rate": "20", "extra_work": True}],
        "changes": [{"ref": "L2", "unit_price": "55"}],
    }]
    output = compute_situation_file(data)
    assert output == result_to_json(compute(base, situations))
    assert output["amendments"] == [{"number": "AV1", "period": "2026-03", "ht_change": "700.00",
                                     "ttc_change": "840.00", "ht_after": "15700.00", "ttc_after": "18840.00"}]
    assert (output["current_ht"], output["situations"][0]["a"]) == ("15700.00", "570.00")
    assert "amendments" not in compute_situation_file(as_file(contract(line("L1", "forfait", "1", "1")), [
        situation("F1", "2026-01", {"L1": "1"})]))  # without amendments: exactly the §4 output


def test_amendment_errors_are_named():
    bad = dataclasses.replace(example(), amendments=(
        AV1,
        Amendment(number="AV1", period="2026-13", changes=(LineChange(ref="L9", quantity=D("-1")),
                                                           LineChange(ref="L1"))),
        Amendment(number="AV3", period="2026-04", lines=(line("L1", "forfait", "1", "1"),)),
    ))
    with pytest.raises(SituationValidationError) as error:
        compute(bad, [situation("F1", "2026-02", {"L3": "1"})])
    codes = {(e.code, e.line) for e in error.value.errors}
    assert {("duplicate_amendment_number", None), ("bad_period", None), ("unknown_line", "L9"),
            ("negative_contract_quantity", "L9"), ("empty_change", "L1"), ("duplicate_line_ref", "L1"),
            ("line_not_in_force", "L3")} <= codes
    messages = "\n".join(e.message for e in error.value.errors)
    assert "avenant n° 2" in messages and "n'existe qu'à partir de la période 2026-03" in messages


# ------------------------------------------------------------------------------------------------- properties


@st.composite
def amended_chains(draw):
    """A chain of the engine's property tests, with 0 to 2 amendments over its months."""
    base, situations = draw(chains())
    amendments = []
    for number in range(draw(st.integers(0, 2))):
        refs = [x.ref for x in base.lines]
        changes = tuple(
            LineChange(ref=ref, unit_price=draw(st.none() | decimals(0, 20000, 4)),
                       quantity=draw(st.none() | decimals(0, 1000, 2)))
            for ref in draw(st.lists(st.sampled_from(refs), unique=True, max_size=3)))
        changes = tuple(c for c in changes if c.unit_price is not None or c.quantity is not None)
        new = tuple(dataclasses.replace(x, ref=f"A{number}{x.ref}", extra_work=draw(st.booleans()))
                    for x in draw(st.lists(st.sampled_from(base.lines), max_size=2)))
        amendments.append(Amendment(number=f"AV{number}", period=f"2026-{draw(st.integers(1, 7)):02d}",
                                    lines=tuple({x.ref: x for x in new}.values()), changes=changes))
    amended = dataclasses.replace(base, amendments=tuple(amendments))
    rebuilt = []
    for s in situations:  # progress on the lines added by amendments in force at the period
        progress = dict(s.progress)
        for x in lines_at(amended, s.period):
            if x.ref.startswith("A") and draw(st.booleans()):
                progress[x.ref] = draw(decimals(0, 100, 2))
        rebuilt.append(dataclasses.replace(s, progress=progress))
    return amended, rebuilt


@settings(max_examples=150, deadline=None)
@given(chains(), st.integers(1, 7), st.data())
def test_an_amendment_that_changes_nothing_changes_no_amount(chain, month, data):
    base, situations = chain
    same = tuple(LineChange(ref=x.ref, unit_price=x.unit_price, quantity=x.quantity)
                 for x in data.draw(st.lists(st.sampled_from(base.lines), unique_by=lambda x: x.ref, min_size=1)))
    for amendment in (Amendment(number="AV0", period=f"2026-{month:02d}"),
                      Amendment(number="AV1", period=f"2026-{month:02d}", changes=same)):
        before = compute(base, situations)
        after = compute(dataclasses.replace(base, amendments=(amendment,)), situations)
        assert after.situations == before.situations
        assert (after.contract_ht, after.contract_ttc, after.advance_amount) == (
            before.contract_ht, before.contract_ttc, before.advance_amount)
        assert (after.current_ht, after.current_ttc) == (before.contract_ht, before.contract_ttc)
        assert after.amendments[0].ht_change == after.amendments[0].ttc_change == 0


@settings(max_examples=200, deadline=None)
@given(amended_chains())
def test_totals_equal_the_sum_over_lines_across_amendments(chain):
    amended, situations = chain
    try:
        result = compute(amended, situations)
    except SituationValidationError as error:  # only the limits may refuse a random chain
        assert {e.code for e in error.errors} <= {"percentage_out_of_range", "result_too_large",
                                                  "line_total_too_large"}
        return
    by_ref: dict[str, Decimal] = {}
    for s in result.situations:
        assert s.cumulative_ht == sum(x.cumulative for x in s.lines)
        assert s.a == sum(x.period for x in s.lines)
        assert (s.a, s.d, s.b) == tuple(sum(getattr(r, n) for r in s.by_rate) for n in ("a", "d", "b"))
        assert s.net == s.ttc + s.e - s.c - s.f - s.g
        for x in s.lines:
            assert x.previous == by_ref.get(x.ref, Decimal("0.00"))
            by_ref[x.ref] = x.cumulative
    last = result.situations[-1]
    assert sum(s.a for s in result.situations) == last.cumulative_ht
    assert result.current_ht == (result.amendments[-1].ht_after if result.amendments else result.contract_ht)
    assert sum((a.ht_change for a in result.amendments), result.contract_ht) == result.current_ht
    assert compute_situation_file(_file(amended, situations)) == result_to_json(result)


def _file(amended, situations):
    text = lambda value: format(value, "f")  # noqa: E731
    data = as_file(dataclasses.replace(amended, amendments=()), situations)
    data["market"]["amendments"] = [{
        "number": a.number, "period": a.period,
        "lines": [{"ref": x.ref, "label": x.label, "kind": x.kind, "unit": x.unit, "unit_price": text(x.unit_price),
                   "quantity": text(x.quantity), "vat_rate": text(x.vat_rate), "extra_work": x.extra_work}
                  for x in a.lines],
        "changes": [{"ref": c.ref, **({"unit_price": text(c.unit_price)} if c.unit_price is not None else {}),
                     **({"quantity": text(c.quantity)} if c.quantity is not None else {})} for c in a.changes],
    } for a in amended.amendments]
    return data
