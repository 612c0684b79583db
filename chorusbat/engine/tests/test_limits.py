"""The limits of chorusbat/engine/limits.py, as the engine and the situation file apply them (issue 13)."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from chorusbat.engine import SituationValidationError, compute, compute_situation_file, limits, load_situation_file
from chorusbat.engine.tests.builders import contract, line, situation
from conftest import EXAMPLES_DIR

EXAMPLE = json.loads((EXAMPLES_DIR / "situation-file.example.json").read_text(encoding="utf-8"))
ROOT = Path(__file__).resolve().parents[3]


def codes(contract_, situations=()) -> list[tuple]:
    with pytest.raises(SituationValidationError) as raised:
        compute(contract_, list(situations))
    return [(problem.line, problem.field, problem.code) for problem in raised.value.errors]


def file_codes(data) -> list[tuple]:
    with pytest.raises(SituationValidationError) as raised:
        compute_situation_file(data)
    return [(problem.field, problem.code) for problem in raised.value.errors]


def example():
    return copy.deepcopy(EXAMPLE)


# ----------------------------------------------------------------------------------------------- amounts


def test_a_unit_price_and_a_quantity_of_ten_digits_are_refused():
    found = codes(contract(line("L1", "unitaire", "9999999999", "9999999999")))
    assert ("L1", "unit_price", "unit_price_too_large") in found
    assert ("L1", "quantity", "quantity_too_large") in found


def test_a_line_total_beyond_the_money_columns_is_refused():
    found = codes(contract(line("L1", "unitaire", "999999999", "999999999")))
    assert ("L1", "quantity", "line_total_too_large") in found


def test_the_largest_line_allowed_computes():
    # 833 333 333 333.30 HT at 20 % → 999 999 999 999.96 TTC: just below the limit.
    result = compute(contract(line("L1", "forfait", "833333333.3333", "1000")),
                     [situation("F1", "2026-01", {"L1": "100"})])
    assert result.contract_ttc == limits.Decimal("999999999999.96")
    assert result.situations[0].ttc <= limits.MAX_AMOUNT


def test_a_contract_total_beyond_the_limit_is_refused_even_when_every_line_fits():
    lines = [line(f"L{n}", "forfait", "999999999", "999", "20") for n in range(3)]
    found = codes(contract(*lines))
    assert (None, "contract", "result_too_large") in found


def test_penalties_and_advance_paid_are_bounded():
    found = codes(contract(line("L1", "forfait", "100", "1")),
                  [situation("F1", "2026-01", {"L1": "10"}, penalties=[("x", "1000000000000")],
                             advance_paid="1000000000000")])
    assert (None, "penalties[0].amount", "amount_too_large") in found
    assert (None, "advance_paid", "amount_too_large") in found


def test_quantities_have_at_most_six_decimals():
    found = codes(contract(line("L1", "unitaire", "1", "1.1234567")))
    assert ("L1", "quantity", "quantity_precision") in found


# ------------------------------------------------------------------------------------------------ indices


def test_an_index_far_beyond_its_base_is_refused_before_anything_is_computed():
    revised = contract(line("L1", "forfait", "100", "1"), revision=("0.15", "0.85", "0.0001"))
    found = codes(revised, [situation("F1", "2026-01", {"L1": "10"}, index="99999999.9999")])
    assert (None, "index", "index_out_of_range") in found


def test_a_revision_coefficient_beyond_the_limit_is_refused():
    revised = contract(line("L1", "forfait", "100", "1"), revision=("0.15", "0.85", "0.0001"))
    found = codes(revised, [situation("F1", "2026-01", {"L1": "10"}, index="99999")])
    assert (None, "index", "coefficient_too_large") in found


def test_revision_parts_and_advance_thresholds_are_fractions():
    odd = contract(line("L1", "forfait", "100", "1"), revision=("5", "-4", "100"), advance=("0.1", "-1", "3"))
    found = codes(odd, [situation("F1", "2026-01", {"L1": "10"}, index="100")])
    for field in ("market.revision.fixed", "market.revision.variable", "market.advance.start",
                  "market.advance.end"):
        assert (None, field, "fraction_out_of_range") in found


# -------------------------------------------------------------------------------------------------- dates


@pytest.mark.parametrize("date", ["9999-12-31", "0001-01-01", "1999-12-31", "2101-01-01"])
def test_invoice_dates_out_of_range_are_refused(date):
    data = example()
    data["situations"][0]["date"] = date
    assert ("date", "date_out_of_range") in file_codes(data)


def test_the_boundary_dates_are_accepted():
    data = example()
    data["market"]["start_date"] = "2000-01-01"
    data["situations"][-1]["date"] = "2100-12-31"
    compute_situation_file(data)


def test_periods_start_dates_and_durations_are_bounded():
    data = example()
    data["market"]["start_date"] = "0001-01-01"
    data["market"]["duration_months"] = 241
    data["situations"][0]["period"] = "1999-12"
    found = file_codes(data)
    assert ("market.start_date", "date_out_of_range") in found
    assert ("market.duration_months", "duration_out_of_range") in found
    assert ("period", "period_out_of_range") in found


# ------------------------------------------------------------------------------------------------ parties


@pytest.mark.parametrize(
    ("party", "key", "value", "code"),
    [
        ("supplier", "iban", "FR7630006000011234567890188", "bad_iban"),  # wrong checksum
        ("supplier", "iban", "<script>alert(1)</script>", "bad_iban"),
        ("supplier", "siret", "73282932000075", "siret_checksum"),
        ("buyer", "siret", "21440109300016", "siret_checksum"),
        ("supplier", "vat_number", "FR00732829320", "bad_vat_number"),
        ("supplier", "name", "x" * 5000, "text_too_long"),
    ],
)
def test_parties_are_validated_like_the_screens(party, key, value, code):
    data = example()
    data[party][key] = value
    with pytest.raises(SituationValidationError) as raised:
        compute_situation_file(data)
    (problem,) = raised.value.errors
    assert (problem.field, problem.code) == (f"{party}.{key}", code)


# ---------------------------------------------------------------------------------------------- the file


def test_a_file_larger_than_the_limit_is_refused_without_reading_it_all(tmp_path):
    big = tmp_path / "big.json"
    with big.open("wb") as stream:
        stream.truncate(limits_file_bytes() + 10)  # sparse: no disk used
    with pytest.raises(SituationValidationError) as raised:
        load_situation_file(big)
    assert raised.value.errors[0].code == "file_too_large"


def limits_file_bytes() -> int:
    from chorusbat.engine.situation_file import MAX_FILE_BYTES

    return MAX_FILE_BYTES


def run_cli(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "chorusbat.settings_test"}
    return subprocess.run([sys.executable, "-m", "chorusbat", "situation", *args], capture_output=True, text=True,
                          encoding="utf-8", errors="replace", env=env, cwd=ROOT, timeout=120)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((), "argument obligatoire manquant : compute ou render"),
        (("compute",), "argument obligatoire manquant : fichier de situation"),
        (("render",), "argument obligatoire manquant : fichier de situation"),
        (("frobnicate",), "sous-commande inconnue"),
        (("compute", "/dev/urandom"), "trop volumineux"),
    ],
)
def test_the_command_line_answers_in_french_without_a_traceback(args, expected):
    done = run_cli(*args)
    assert done.returncode == 2
    assert expected in done.stderr
    assert "Traceback" not in done.stderr


def test_render_refuses_invalid_parties_with_exit_2(tmp_path):
    data = example()
    data["supplier"]["iban"] = "<script>x</script>"
    data["buyer"]["siret"] = "21440109300016"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    done = run_cli("render", str(path), "--out", str(tmp_path / "out"))
    assert done.returncode == 2, done.stdout
    assert "IBAN" in done.stderr and "SIRET" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
