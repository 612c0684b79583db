"""The projet de décompte final (situation-rules.md §6): the advance settled, everything else as any situation."""

from __future__ import annotations

import copy
import dataclasses
import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings

from chorusbat.engine import SituationValidationError, compute, compute_situation_file, validate

from .builders import contract, line, situation
from .test_properties import as_file, chains

EXAMPLES = Path(__file__).resolve().parents[3] / "docs" / "examples"


def figures(result, *names):
    return tuple(str(getattr(result, name)) for name in names)


def test_a_final_statement_below_80_percent_recovers_the_rest_of_the_advance():
    # One forfait line 10000.00 at 20 %: T = 12000.00; advance 10 % → A = 1200.00; retention 5 %.
    # Recovery from 0.65 × T = 7800.00 to 0.80 × T = 9600.00 (width 1800.00).
    market = contract(line("A", "forfait", "10000.00", 1), advance="0.10", retention="0.05")
    result = compute(market, [
        situation("S1", "2026-01", {"A": 70}, advance_paid="1200.00"),
        situation("S2", "2026-02", {"A": 75}, final=True),  # the works end at 75 % of the market (9000.00 TTC)
    ])
    first, final = result.situations
    # S1: ttc 8400.00, R = round2(1200 × 600 / 1800) = 400.00 = f; g = 420.00; net = 8400 + 1200 − 400 − 420.
    assert figures(first, "f", "g", "net", "advance_recovered_cumulative") == ("400.00", "420.00", "8780.00", "400.00")
    assert not first.final
    # S2 (final): a = 500.00, b = 100.00, ttc = 600.00, cumulative TTC 9000.00 < 9600.00 — a monthly situation
    # would recover round2(1200 × 1200 / 1800) − 400 = 400.00; the final statement recovers A − R(1) = 800.00.
    # g = round2(0.05 × 600) = 30.00; net = 600 − 800 − 30 = −230.00.
    assert final.final
    assert figures(final, "a", "b", "ttc", "f", "g", "net", "advance_recovered_cumulative") == (
        "500.00", "100.00", "600.00", "800.00", "30.00", "-230.00", "1200.00",
    )
    assert sum(s.f for s in result.situations) == result.advance_amount == Decimal("1200.00")
    assert sum(s.g for s in result.situations) == Decimal("450.00")  # the retention held, released at the DGD


def test_a_final_statement_after_the_advance_is_recovered_recovers_nothing():
    # S1 at 90 %: cumulative TTC 10800.00 ≥ 9600.00 → R = A = 1200.00 already; the final statement has f = 0.
    market = contract(line("A", "forfait", "10000.00", 1), advance="0.10", retention="0.05")
    result = compute(market, [
        situation("S1", "2026-01", {"A": 90}),
        situation("S2", "2026-02", {"A": 100}, final=True),
    ])
    first, final = result.situations
    assert figures(first, "f", "advance_recovered_cumulative") == ("1200.00", "1200.00")
    # S2: a = 1000.00, ttc = 1200.00, f = 1200 − 1200 = 0.00, g = 60.00, net = 1140.00.
    assert figures(final, "ttc", "f", "g", "net", "advance_recovered_cumulative") == (
        "1200.00", "0.00", "60.00", "1140.00", "1200.00",
    )


def test_a_final_statement_without_advance_and_the_other_figures_unchanged():
    market = contract(line("A", "unitaire", "12.5", 10, "10"), revision=("0.15", "0.85", "100"), retention="0.03")
    monthly = compute(market, [situation("S1", "2026-01", {"A": 4}, index="110", penalties=[("Retard", "5.00")])])
    final = compute(market, [situation("S1", "2026-01", {"A": 4}, index="110", penalties=[("Retard", "5.00")],
                                       final=True)])
    names = ("a", "d", "b", "ttc", "c", "e", "f", "g", "net", "coefficient", "advance_recovered_cumulative")
    assert figures(final.situations[0], *names) == figures(monthly.situations[0], *names)
    assert figures(final.situations[0], "f") == ("0.00",)


def test_only_the_last_situation_may_be_final():
    market = contract(line("A", "forfait", "1000.00", 1))
    chain = [situation("S1", "2026-01", {"A": 50}, final=True), situation("S2", "2026-02", {"A": 60})]
    with pytest.raises(SituationValidationError) as error:
        compute(market, chain)
    [problem] = error.value.errors
    assert problem.code == "final_not_last"
    assert problem.message.startswith("Situation S1, projet de décompte final : seul le dernier décompte")


def test_final_must_be_a_boolean_in_the_engine_and_in_the_file():
    market = contract(line("A", "forfait", "1000.00", 1))
    chain = [situation("S1", "2026-01", {"A": 50}, final="yes")]
    assert [problem.code for problem in validate(market, chain)] == ["not_a_boolean"]
    data = json.loads((EXAMPLES / "situation-file.example.json").read_text())
    for wrong in ("true", 1, None):
        broken = copy.deepcopy(data)
        broken["situations"][-1]["final"] = wrong
        with pytest.raises(SituationValidationError) as error:
            compute_situation_file(broken)
        assert [problem.code for problem in error.value.errors] == ["not_a_boolean"]


def test_the_file_echoes_final_on_the_final_statement_only():
    data = json.loads((EXAMPLES / "situation-file.example.json").read_text())
    plain = compute_situation_file(data)
    assert all("final" not in s for s in plain["situations"])
    data["situations"][-1]["final"] = True
    output = compute_situation_file(data)
    assert output["situations"][-1]["final"] is True
    assert all("final" not in s for s in output["situations"][:-1])
    data["situations"][-1]["final"] = False
    assert compute_situation_file(data) == plain
    data["situations"][0]["final"] = True
    with pytest.raises(SituationValidationError) as error:
        compute_situation_file(data)
    assert [problem.code for problem in error.value.errors] == ["final_not_last"]


@settings(max_examples=200, deadline=None)
@given(chains())
def test_a_chain_ending_with_a_final_statement_recovers_exactly_the_advance(chain):
    market, situations = chain
    situations[-1] = dataclasses.replace(situations[-1], final=True)
    result = compute(market, situations)
    assert sum(s.f for s in result.situations) == result.advance_amount
    assert result.situations[-1].advance_recovered_cumulative == result.advance_amount
    assert result.situations[-1].final and not any(s.final for s in result.situations[:-1])
    for s in result.situations:
        assert s.net == s.ttc + s.e - s.c - s.f - s.g
    # the same chain through the situation file
    data = as_file(market, situations)
    data["situations"][-1]["final"] = True
    output = compute_situation_file(data)
    assert output["situations"][-1]["final"] is True
    assert sum(Decimal(s["f"]) for s in output["situations"]) == Decimal(output["advance_amount"])
