"""Every validation rule of situation-rules.md §3 (plus the engine's own sanity checks), with its message."""

from __future__ import annotations

from decimal import Decimal

import pytest

from chorusbat.engine import Contract, SituationValidationError, compute, validate
from chorusbat.engine.model import Penalty, SituationInput

from .builders import D, contract, line, situation

MARKET = contract(line("A", "forfait", 1000, 1), line("B", "unitaire", 10, 100, "10"))


def only_issue(market, situations):
    with pytest.raises(SituationValidationError) as raised:
        compute(market, situations)
    (problem,) = raised.value.errors
    return problem


@pytest.mark.parametrize(
    ("progress", "code", "message"),
    [
        ({"A": 120}, "percentage_out_of_range",
         "Situation F1, ligne A, avancement : le pourcentage doit être compris entre 0 et 100 (reçu 120)."),
        ({"A": "-0.01"}, "percentage_out_of_range",
         "Situation F1, ligne A, avancement : le pourcentage doit être compris entre 0 et 100 (reçu -0.01)."),
        ({"B": -1}, "negative_quantity",
         "Situation F1, ligne B, avancement : la quantité ne doit pas être négative (reçu -1)."),
        ({"Z": 1}, "unknown_line",
         "Situation F1, ligne Z, avancement : cette ligne n'existe pas dans le marché."),
        ({"A": "NaN"}, "not_finite", "Situation F1, ligne A, avancement : le nombre doit être fini (reçu NaN)."),
        ({"B": "Infinity"}, "not_finite",
         "Situation F1, ligne B, avancement : le nombre doit être fini (reçu Infinity)."),
        ({"B": "1E+20"}, "out_of_bounds",
         "Situation F1, ligne B, avancement : le nombre doit avoir au plus 15 chiffres avant la virgule et 12 après"
         " (reçu 1E+20)."),
    ],
)
def test_progress_rules(progress, code, message):
    problem = only_issue(MARKET, [situation("F1", "2026-01", progress)])
    assert (problem.situation, problem.line, problem.field, problem.code) == ("F1", next(iter(progress)), "progress", code)
    assert problem.message == message


def test_boundaries_are_accepted():
    # 0 and 100 % are valid percentages, 0 a valid quantity.
    compute(MARKET, [situation("F1", "2026-01", {"A": 0, "B": 0}), situation("F2", "2026-02", {"A": 100})])


@pytest.mark.parametrize("value", [12.5, 12, "12", None])
def test_only_decimals_are_numbers_for_the_engine(value):
    bad = SituationInput(number="F1", period="2026-01", progress={"A": value})
    problem = only_issue(MARKET, [bad])
    assert problem.code == "not_a_number"
    assert problem.message.startswith(f"Situation F1, ligne A, avancement : « {value} » n'est pas un nombre décimal")


def test_missing_and_non_positive_index_of_a_revised_contract():
    revised = contract(line("A", "forfait", 1000, 1), revision=("0.15", "0.85", "100"))
    problem = only_issue(revised, [situation("F1", "2026-01", {"A": 1})])
    assert problem.message == "Situation F1, indice : l'indice est obligatoire car les prix du marché sont révisables."
    problem = only_issue(revised, [situation("F1", "2026-01", {"A": 1}, index="0")])
    assert problem.message == "Situation F1, indice : l'indice doit être strictement positif (reçu 0)."


def test_index_is_ignored_without_revision():
    compute(MARKET, [situation("F1", "2026-01", {"A": 1}, index="120")])


@pytest.mark.parametrize(
    ("kwargs", "code", "field", "message"),
    [
        ({"revision": ("0.15", "0.85", "0")}, "base_index_not_positive", "market.revision.base_index",
         "Marché, révision des prix, indice de base : l'indice de base doit être strictement positif (reçu 0)."),
        ({"revision": ("0.15", "0.85", "-3")}, "base_index_not_positive", "market.revision.base_index",
         "Marché, révision des prix, indice de base : l'indice de base doit être strictement positif (reçu -3)."),
        ({"retention": "0.06"}, "retention_rate_out_of_range", "market.retention_rate",
         "Marché, taux de retenue de garantie : le taux de retenue de garantie doit être compris entre 0 et 0.05"
         " (reçu 0.06)."),
        ({"retention": "-0.01"}, "retention_rate_out_of_range", "market.retention_rate",
         "Marché, taux de retenue de garantie : le taux de retenue de garantie doit être compris entre 0 et 0.05"
         " (reçu -0.01)."),
        ({"advance": "0.61"}, "advance_rate_out_of_range", "market.advance.rate",
         "Marché, avance, taux : le taux d'avance doit être compris entre 0 et 0.60 (reçu 0.61)."),
        ({"advance": "-0.05"}, "advance_rate_out_of_range", "market.advance.rate",
         "Marché, avance, taux : le taux d'avance doit être compris entre 0 et 0.60 (reçu -0.05)."),
        ({"advance": ("0.05", "0.80", "0.80")}, "advance_start_not_before_end", "market.advance.start",
         "Marché, avance, seuil de début : le seuil de début de remboursement (0.80) doit être inférieur au seuil"
         " de fin (0.80)."),
        ({"advance": ("0.05", "0.9", "0.8")}, "advance_start_not_before_end", "market.advance.start",
         "Marché, avance, seuil de début : le seuil de début de remboursement (0.9) doit être inférieur au seuil"
         " de fin (0.8)."),
    ],
)
def test_contract_parameter_rules(kwargs, code, field, message):
    market = contract(line("A", "forfait", 1000, 1), **kwargs)
    problem = only_issue(market, [situation("F1", "2026-01", {"A": 1}, index="100")])
    assert (problem.situation, problem.line, problem.field, problem.code) == (None, None, field, code)
    assert problem.message == message


def test_limits_of_the_parameters_are_accepted():
    market = contract(line("A", "forfait", 1000, 1), advance=("0.60", "0", "0.01"), retention="0.05")
    compute(market, [situation("F1", "2026-01", {"A": 1})])
    compute(contract(line("A", "forfait", 1000, 1), retention="0"), [])


@pytest.mark.parametrize(
    ("bad_line", "code", "message"),
    [
        (line("A", "unitaire", "-1", 1), "negative_unit_price",
         "Marché, ligne A, prix unitaire : le prix unitaire ne doit pas être négatif (reçu -1)."),
        (line("A", "unitaire", "1.23456", 1), "unit_price_precision",
         "Marché, ligne A, prix unitaire : le prix unitaire a au plus 4 décimales (reçu 1.23456)."),
        (line("A", "unitaire", 1, "-2"), "negative_contract_quantity",
         "Marché, ligne A, quantité : la quantité du marché ne doit pas être négative (reçu -2)."),
        (line("A", "unitaire", 1, 1, "101"), "vat_rate_out_of_range",
         "Marché, ligne A, taux de TVA : le taux de TVA doit être compris entre 0 et 100 (reçu 101)."),
        (line("A", "forfaitaire", 1, 1), "unknown_kind",
         "Marché, ligne A, nature : la nature doit être « forfait » ou « unitaire » (reçu « forfaitaire »)."),
    ],
)
def test_contract_line_rules(bad_line, code, message):
    problem = only_issue(contract(bad_line), [])
    assert (problem.line, problem.code, problem.message) == ("A", code, message)


def test_unit_price_with_four_decimals_and_trailing_zeros_is_accepted():
    compute(contract(line("A", "unitaire", "1.2345", 1), line("B", "unitaire", "1.234500", 1)), [])


def test_duplicate_line_refs_and_empty_contract():
    problem = only_issue(contract(line("A", "forfait", 1, 1), line("A", "unitaire", 1, 1)), [])
    assert problem.message == "Marché, ligne A, référence : référence de ligne en double dans le marché."
    problem = only_issue(Contract(lines=()), [])
    assert problem.message == "Marché, lignes : le marché doit comporter au moins une ligne."


def test_duplicate_situation_number():
    problem = only_issue(MARKET, [situation("F1", "2026-01", {}), situation("F1", "2026-02", {})])
    assert problem.message == (
        "Situation F1, numéro : ce numéro de situation est déjà utilisé par une situation précédente."
    )


@pytest.mark.parametrize("second_period", ["2026-02", "2026-01"])
def test_periods_must_strictly_increase(second_period):
    problem = only_issue(MARKET, [situation("F1", "2026-02", {}), situation("F2", second_period, {})])
    assert problem.message == (
        "Situation F2, période : la période doit être postérieure à celle de la situation précédente F1 (2026-02)."
    )


@pytest.mark.parametrize("period", ["2026-13", "2026-1", "26-01", "2026-00", ""])
def test_period_format(period):
    problem = only_issue(MARKET, [situation("F1", period, {})])
    assert problem.code == "bad_period"
    assert problem.message == f"Situation F1, période : la période doit être au format AAAA-MM (reçu « {period} »)."


@pytest.mark.parametrize(
    ("kwargs", "code", "field", "message"),
    [
        ({"penalties": [("Retard", "10.005")]}, "money_precision", "penalties[0].amount",
         "Situation F1, pénalité n° 1, montant : un montant a au plus 2 décimales (reçu 10.005)."),
        ({"penalties": [("Retard", "1"), ("Propreté", "-5")]}, "negative_amount", "penalties[1].amount",
         "Situation F1, pénalité n° 2, montant : le montant ne doit pas être négatif (reçu -5)."),
        ({"advance_paid": "-1.00"}, "negative_amount", "advance_paid",
         "Situation F1, avance versée : le montant ne doit pas être négatif (reçu -1.00)."),
    ],
)
def test_money_inputs(kwargs, code, field, message):
    problem = only_issue(MARKET, [situation("F1", "2026-01", {}, **kwargs)])
    assert (problem.field, problem.code, problem.message) == (field, code, message)


def test_every_issue_is_collected_at_once_in_reading_order():
    market = contract(
        line("A", "forfait", "-5", 1),
        line("A", "forfait", 1, 1),
        revision=("0.15", "0.85", "0"),
        advance="0.61",
        retention="0.10",
    )
    situations = [
        situation("F1", "2026-02", {"A": 120, "Z": 1}, index="100"),
        SituationInput(
            number="F1", period="2026-01", progress={"A": Decimal("NaN")},
            penalties=(Penalty("Retard", D("1.001")),),
        ),
    ]
    with pytest.raises(SituationValidationError) as raised:
        compute(market, situations)
    errors = raised.value.errors
    assert [(e.situation, e.line, e.code) for e in errors] == [
        (None, "A", "negative_unit_price"),
        (None, "A", "duplicate_line_ref"),
        (None, None, "base_index_not_positive"),
        (None, None, "advance_rate_out_of_range"),
        (None, None, "retention_rate_out_of_range"),
        ("F1", "A", "percentage_out_of_range"),
        ("F1", "Z", "unknown_line"),
        ("F1", None, "duplicate_number"),
        ("F1", None, "period_not_increasing"),
        ("F1", None, "missing_index"),
        ("F1", "A", "not_finite"),
        ("F1", None, "money_precision"),
    ]
    # str() of the exception lists every message, one per line; validate() gives the same issues without raising.
    assert str(raised.value).splitlines() == [e.message for e in errors]
    assert validate(market, situations) == errors


def test_valid_inputs_have_no_issue():
    assert validate(MARKET, [situation("F1", "2026-01", {"A": 50, "B": 250})]) == []
