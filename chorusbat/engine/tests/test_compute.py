"""Hand-checked cases of situation-rules.md §2–§3; the arithmetic is written next to each case."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from chorusbat.engine import compute
from chorusbat.engine.compute import revision_coefficient
from chorusbat.engine.model import Revision
from chorusbat.engine.rounding import ceil_thousandth, round2, round2_fraction

from .builders import D, contract, line, situation


def figures(result, *names):
    return tuple(str(getattr(result, name)) for name in names)


# ------------------------------------------------------------------------------------------------- rounding


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0.005", "0.01"),  # half-up, not half-even
        ("2.675", "2.68"),  # a float would give 2.67
        ("0.015", "0.02"),
        ("1.0049999", "1.00"),
        ("-0.005", "-0.01"),  # halves go away from zero
        ("-0.004", "0.00"),  # and no negative zero
        ("12", "12.00"),
    ],
)
def test_round2_is_half_up_to_the_cent(value, expected):
    assert str(round2(Decimal(value))) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(Fraction(1, 200), "0.01"), (Fraction(1, 3), "0.33"), (Fraction(2, 3), "0.67"), (Fraction(-1, 200), "-0.01")],
)
def test_round2_of_an_exact_fraction(value, expected):
    assert str(round2_fraction(value)) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("119.0001", "119.001"), ("119.000", "119.000"), ("119", "119.000"), ("119.0009", "119.001"), ("-1.0009", "-1.000")],
)
def test_index_is_rounded_up_to_the_thousandth(value, expected):
    assert str(ceil_thousandth(Decimal(value))) == expected


def test_coefficient_uses_the_rounded_up_index_and_is_itself_rounded_up():
    # Cn = 0 + 1 × In / 0.5 = 2 × In. In = 0.5001 is rounded up to 0.501 → Cn = 1.002.
    # (Without rounding the index first: 2 × 0.5001 = 1.0002 → 1.001.)
    assert revision_coefficient(Revision(D(0), D(1), D("0.5")), D("0.5001")) == (D("1.002"), D("0.501"))
    # The example: 0.125 + 0.875 × 119.0 / 118.4 = 1.004434… → 1.005 (au millième supérieur).
    assert revision_coefficient(Revision(D("0.125"), D("0.875"), D("118.4")), D("119.0"))[0] == D("1.005")
    # Exactly on a thousandth stays: 0.15 + 0.85 × 120 / 100 = 1.170.
    assert revision_coefficient(Revision(D("0.15"), D("0.85"), D(100)), D(120))[0] == D("1.170")


# ----------------------------------------------------------------------------------------- whole situations


def test_several_rates_including_5_5_and_0_and_a_quantity_corrected_downwards():
    # Contract: L1 forfait 1000.00 × 1 at 20 %; L2 unitaire 2.5050 × 100 at 5.5 % = 250.50; L3 unitaire 10 × 50 at 0 %.
    # HT = 1000.00 + 250.50 + 500.00 = 1750.50.
    # T = round2(1000 × 1.2) + round2(250.50 × 1.055 = 264.2775) + 500.00 = 1200.00 + 264.28 + 500.00 = 1964.28.
    market = contract(
        line("L1", "forfait", "1000.00", 1, "20"),
        line("L2", "unitaire", "2.5050", 100, "5.5"),
        line("L3", "unitaire", "10", 50, "0"),
    )
    result = compute(
        market,
        [
            situation("S1", "2026-01", {"L1": 30, "L2": "10.5", "L3": 20}),
            situation("S2", "2026-02", {"L1": 30, "L2": 8, "L3": 20}),
        ],
    )
    assert figures(result, "contract_ht", "contract_ttc", "advance_amount") == ("1750.50", "1964.28", "0.00")
    first, second = result.situations

    # S1: L1 = round2(1000.00 × 30 / 100) = 300.00; L2 = round2(2.505 × 10.5 = 26.3025) = 26.30; L3 = 200.00.
    # b[5.5] = round2(26.30 × 0.055 = 1.4465) = 1.45; b[20] = 60.00; b[0] = 0.00. ttc = 526.30 + 61.45 = 587.75.
    # cumulative TTC = 200.00 + round2(26.30 × 1.055 = 27.7465) + 360.00 = 587.75.
    assert [(str(r.rate), str(r.cumulative_ht), str(r.a), str(r.d), str(r.b)) for r in first.by_rate] == [
        ("0", "200.00", "200.00", "0.00", "0.00"),
        ("5.5", "26.30", "26.30", "0.00", "1.45"),
        ("20", "300.00", "300.00", "0.00", "60.00"),
    ]
    assert str(first.coefficient) == "1.000" and first.index is None
    assert figures(first, "cumulative_ht", "a", "d", "b", "ttc", "net", "cumulative_ttc_initial") == (
        "526.30", "526.30", "0.00", "61.45", "587.75", "587.75", "587.75",
    )

    # S2: L2 corrected down to 8 → round2(2.505 × 8) = 20.04, period 20.04 − 26.30 = −6.26.
    # b[5.5] = round2(−6.26 × 0.055 = −0.3443) = −0.34; ttc = −6.26 − 0.34 = −6.60 (a credit note).
    # cumulative TTC = 200.00 + round2(20.04 × 1.055 = 21.1422) + 360.00 = 581.14.
    assert [(row.ref, str(row.cumulative), str(row.previous), str(row.period)) for row in second.lines] == [
        ("L1", "300.00", "300.00", "0.00"),
        ("L2", "20.04", "26.30", "-6.26"),
        ("L3", "200.00", "200.00", "0.00"),
    ]
    assert figures(second, "cumulative_ht", "a", "b", "ttc", "g", "net", "cumulative_ttc_initial") == (
        "520.04", "-6.26", "-0.34", "-6.60", "0.00", "-6.60", "581.14",
    )


def test_every_contract_rate_appears_even_when_nothing_is_billed_at_it():
    market = contract(line("A", "forfait", 100, 1, "20"), line("B", "forfait", 100, 1, "10.0"), line("C", "forfait", 5, 1, "10"))
    (only,) = compute(market, [situation("S1", "2026-01", {"A": 10})]).situations
    # 10.0 and 10 are the same rate; written without trailing zero.
    assert [(str(r.rate), str(r.a)) for r in only.by_rate] == [("10", "0.00"), ("20", "10.00")]


def test_revision_applies_to_the_period_amount_per_rate():
    # Cn = 0.15 + 0.85 × 119.0001 ↑ 119.001 / 100 = 1.1615085 → 1.162.
    # a[20] = round2(3333.33 × 10 / 100 = 333.333) = 333.33; d = round2(333.33 × 0.162 = 53.99946) = 54.00.
    # b = round2((333.33 + 54.00) × 0.2 = 77.466) = 77.47; ttc = 333.33 + 54.00 + 77.47 = 464.80.
    market = contract(line("A", "forfait", "3333.33", 1), revision=("0.15", "0.85", "100"))
    (only,) = compute(market, [situation("S1", "2026-01", {"A": 10}, index="119.0001")]).situations
    assert str(only.index) == "119.001"
    assert str(only.coefficient) == "1.162"
    assert figures(only, "a", "d", "b", "ttc") == ("333.33", "54.00", "77.47", "464.80")


def test_negative_period_is_revised_too():
    # a = 50.00 − 100.00 = −50.00 at Cn = 0 + 1 × 101 / 100 = 1.010: d = round2(−50 × 0.010) = −0.50,
    # b = round2(−50.50 × 0.2) = −10.10, ttc = −60.60.
    market = contract(line("A", "unitaire", 10, 10), revision=("0", "1", "100"))
    result = compute(
        market,
        [situation("S1", "2026-01", {"A": 10}, index=100), situation("S2", "2026-02", {"A": 5}, index=101)],
    )
    assert figures(result.situations[1], "a", "d", "b", "ttc") == ("-50.00", "-0.50", "-10.10", "-60.60")


def test_half_up_on_line_cumulatives_and_on_retention():
    # A: unitaire 1.0050 × 1 = 1.005 → 1.01 (half-even would give 1.00);
    # B: forfait line total 10.01 at 50 % = 5.005 → 5.01.
    # Rate 0 so ttc = a = 6.02 + 94.08 = 100.10 with C; retention round2(0.05 × 100.10 = 5.005) = 5.01.
    market = contract(
        line("A", "unitaire", "1.0050", 1, "0"),
        line("B", "forfait", "10.01", 1, "0"),
        line("C", "unitaire", "94.08", 1, "0"),
        retention="0.05",
    )
    (only,) = compute(market, [situation("S1", "2026-01", {"A": 1, "B": 50, "C": 1})]).situations
    assert [str(row.cumulative) for row in only.lines] == ["1.01", "5.01", "94.08"]
    assert figures(only, "ttc", "g", "net") == ("100.10", "5.01", "95.09")


def test_advance_recovery_penalties_retention_and_advance_paid():
    # One forfait line 10000.00 at 20 %: T = 12000.00; advance 10 % → A = 1200.00; retention 5 %.
    # Recovery runs from 0.65 × T = 7800.00 to 0.80 × T = 9600.00 (width 1800.00).
    market = contract(line("A", "forfait", "10000.00", 1), advance="0.10", retention="0.05")
    result = compute(
        market,
        [
            situation("S1", "2026-01", {"A": 70}, penalties=[("Retard", "150.00"), ("Propreté", "0.55")], advance_paid="1200.00"),
            situation("S2", "2026-02", {"A": 75}),
            situation("S3", "2026-03", {"A": 100}),
        ],
    )
    assert figures(result, "contract_ttc", "advance_amount") == ("12000.00", "1200.00")
    first, second, third = result.situations
    # S1: a = 7000.00, b = 1400.00, ttc = 8400.00 = cumulative TTC; R = round2(1200 × (8400 − 7800) / 1800) = 400.00.
    # g = round2(0.05 × 8400) = 420.00; c = 150.55; e = 1200.00; net = 8400 + 1200 − 150.55 − 400 − 420 = 8629.45.
    assert figures(first, "ttc", "c", "e", "f", "g", "net", "advance_recovered_cumulative") == (
        "8400.00", "150.55", "1200.00", "400.00", "420.00", "8629.45", "400.00",
    )
    # S2: a = 500, ttc = 600.00, cumulative TTC 9000.00 → R = round2(1200 × 1200 / 1800) = 800.00, f = 400.00;
    # g = 30.00; net = 600 − 400 − 30 = 170.00.
    assert figures(second, "ttc", "f", "g", "net", "advance_recovered_cumulative") == (
        "600.00", "400.00", "30.00", "170.00", "800.00",
    )
    # S3: cumulative TTC 12000.00 ≥ 9600.00 → R = A = 1200.00, f = 400.00; ttc 3000.00, g 150.00, net 2450.00.
    assert figures(third, "ttc", "f", "g", "net", "advance_recovered_cumulative") == (
        "3000.00", "400.00", "150.00", "2450.00", "1200.00",
    )


def test_advance_recovery_follows_the_cumulative_and_may_go_back_down():
    # T = round2(1000.00 × 1.2) = 1200.00, A = round2(0.60 × 1200) = 720.00 (0.60 is the maximum rate).
    # start 0, end 0.80 → width 960.00. S1 at 0.7 %: cumulative TTC = round2(7.00 × 1.2) = 8.40,
    # R = round2(720 × 8.40 / 960 = 6.3) = 6.30. S2 at 1.5 %: TTC 18.00 → 720 × 18 / 960 = 13.5 → 13.50.
    # S3 at 0.5 %: TTC 6.00 → R = 4.50: f = 4.50 − 13.50 = −9.00 (the recovered advance is given back).
    market = contract(line("A", "forfait", "1000.00", 1), advance=("0.60", "0", "0.80"))
    result = compute(
        market,
        [
            situation("S1", "2026-01", {"A": "0.7"}),
            situation("S2", "2026-02", {"A": "1.5"}),
            situation("S3", "2026-03", {"A": "0.5"}),
        ],
    )
    assert str(result.advance_amount) == "720.00"
    assert [str(s.f) for s in result.situations] == ["6.30", "7.20", "-9.00"]
    assert [str(s.advance_recovered_cumulative) for s in result.situations] == ["6.30", "13.50", "4.50"]


def test_advance_recovery_half_cent_goes_up():
    # T = round2(100.00 × 1) = 100.00 (rate 0), A = round2(0.05 × 100) = 5.00, start 0, end 0.80 → width 80.00.
    # Progress 0.9 %: cumulative TTC 0.90 → R = round2(5 × 0.90 / 80 = 0.05625) = 0.06;
    # progress 0.1 %: 0.10 → 5 × 0.10 / 80 = 0.00625 → 0.01 (half-up on the exact value, not on 0.006).
    market = contract(line("A", "forfait", "100.00", 1, "0"), advance=("0.05", "0", "0.80"))
    first = compute(market, [situation("S1", "2026-01", {"A": "0.9"})]).situations[0]
    assert str(first.f) == "0.06"
    first = compute(market, [situation("S1", "2026-01", {"A": "0.1"})]).situations[0]
    assert str(first.f) == "0.01"


def test_unit_price_lines_may_exceed_the_contract_quantity():
    # A DQE quantity is an estimate: executed quantities beyond it are paid at the unit price
    # (works-billing-background.md §7); the rules only refuse negative quantities. 10 × 120 = 1200.00.
    # With an advance, cumulative TTC above T clamps the recovery at A.
    market = contract(line("A", "unitaire", 10, 100), advance="0.05")
    (only,) = compute(market, [situation("S1", "2026-01", {"A": 120})]).situations
    assert figures(only, "cumulative_ht", "cumulative_ttc_initial", "advance_recovered_cumulative") == (
        "1200.00", "1440.00", "60.00",
    )


def test_no_revision_no_advance_no_retention_and_missing_refs_count_as_zero():
    market = contract(line("A", "forfait", 500, 2), line("B", "unitaire", 3, 10))
    (only,) = compute(market, [situation("S1", "2026-01", {"A": 50})]).situations
    # A: line total 1000.00 × 50 % = 500.00; B absent → 0.00.
    assert [(row.ref, str(row.cumulative)) for row in only.lines] == [("A", "500.00"), ("B", "0.00")]
    assert figures(only, "coefficient", "f", "g", "c", "e", "net") == ("1.000", "0.00", "0.00", "0.00", "0.00", "600.00")


def test_a_free_contract_with_an_advance_does_not_divide_by_zero():
    market = contract(line("A", "forfait", 0, 1), advance="0.10")
    result = compute(market, [situation("S1", "2026-01", {"A": 100})])
    assert figures(result, "contract_ttc", "advance_amount") == ("0.00", "0.00")
    assert str(result.situations[0].f) == "0.00"


def test_no_situation_gives_the_contract_figures_only():
    result = compute(contract(line("A", "unitaire", "62.50", 600)), [])
    assert figures(result, "contract_ht", "contract_ttc") == ("37500.00", "45000.00")
    assert result.situations == []
