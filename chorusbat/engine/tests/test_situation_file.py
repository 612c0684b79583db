"""Reading the situation file (§4): strict types, clear French messages, never a traceback."""

from __future__ import annotations

import copy
import json
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chorusbat.engine import (
    LineKind,
    SituationValidationError,
    compute_situation_file,
    load_situation_file,
    parse_situation_file,
)
from conftest import EXAMPLES_DIR

EXAMPLE = json.loads((EXAMPLES_DIR / "situation-file.example.json").read_text(encoding="utf-8"))


def example() -> dict:
    return copy.deepcopy(EXAMPLE)


def issues_of(data) -> list:
    with pytest.raises(SituationValidationError) as raised:
        compute_situation_file(data)
    return raised.value.errors


def messages_of(data) -> list[str]:
    return [problem.message for problem in issues_of(data)]


def test_parse_gives_engine_inputs_and_the_parties():
    contract, situations, parties = parse_situation_file(example())
    assert contract.number == "2026-TX-004" and contract.engagement == "1300045678"
    assert contract.start_date.isoformat() == "2026-09-01" and contract.duration_months == 3
    assert [line.kind for line in contract.lines] == [LineKind.FORFAIT, LineKind.UNITAIRE, LineKind.UNITAIRE]
    assert contract.lines[2].unit_price == Decimal("9.35")
    assert (contract.advance.rate, contract.advance.start, contract.advance.end) == (
        Decimal("0.10"), Decimal("0.65"), Decimal("0.80"),
    )
    assert situations[1].penalties[0].amount == Decimal("150.00")
    assert situations[0].advance_paid == 0 and situations[0].date.isoformat() == "2026-09-30"
    assert parties.supplier["iban"] == "FR7630006000011234567890189"
    assert parties.buyer["service_code"] == "DIR_BATIMENTS"
    assert parties.moe is None


def test_optional_parts_have_their_defaults():
    data = example()
    del data["market"]["revision"], data["market"]["retention_rate"], data["market"]["engagement"]
    data["market"]["advance"] = {"rate": "0.05"}
    data["moe"] = {"name": "Atelier MOE", "siret": "44306184100013", "address": "kept for the invoice"}
    for item in data["situations"]:
        del item["index"]
    contract, _, parties = parse_situation_file(data)
    assert contract.revision is None and contract.retention_rate == 0 and contract.engagement is None
    assert (contract.advance.start, contract.advance.end) == (Decimal("0.65"), Decimal("0.80"))
    assert parties.moe == {"name": "Atelier MOE", "siret": "44306184100013", "address": "kept for the invoice"}
    assert compute_situation_file(data)["situations"][0]["coefficient"] == "1.000"


@pytest.mark.parametrize(
    ("value", "code", "detail"),
    [
        (48, "decimal_not_string",
         'les nombres décimaux s\'écrivent entre guillemets, par exemple "12.50" (reçu le nombre 48 sans guillemets)'),
        (48.5, "decimal_not_string",
         'les nombres décimaux s\'écrivent entre guillemets, par exemple "12.50" (reçu le nombre 48.5 sans guillemets)'),
        (float("inf"), "decimal_not_string",  # what json.loads makes of a bare 1e309
         'les nombres décimaux s\'écrivent entre guillemets, par exemple "12.50" (reçu le nombre Infinity sans'
         " guillemets)"),
        ("NaN", "not_finite", "le nombre doit être fini (reçu NaN)"),
        ("Infinity", "not_finite", "le nombre doit être fini (reçu Infinity)"),
        ("-inf", "not_finite", "le nombre doit être fini (reçu -inf)"),
        ("1e309", "not_a_number", "« 1e309 » n'est pas un nombre décimal (format attendu : 1234.56, point décimal)"),
        ("48,00", "not_a_number", "« 48,00 » n'est pas un nombre décimal (format attendu : 1234.56, point décimal)"),
        (" 48", "not_a_number", "«  48 » n'est pas un nombre décimal (format attendu : 1234.56, point décimal)"),
        ("", "not_a_number", "«  » n'est pas un nombre décimal (format attendu : 1234.56, point décimal)"),
        ("48\n", "not_a_number", "« 48\n » n'est pas un nombre décimal (format attendu : 1234.56, point décimal)"),
        ("٤٨", "not_a_number", "« ٤٨ » n'est pas un nombre décimal (format attendu : 1234.56, point décimal)"),
        (None, "not_a_text", "doit être un texte entre guillemets (reçu null)"),
        (True, "not_a_text", "doit être un texte entre guillemets (reçu true)"),
        (["48"], "not_a_text", "doit être un texte entre guillemets (reçu une liste)"),
    ],
)
def test_malformed_decimals(value, code, detail):
    data = example()
    data["market"]["lines"][1]["unit_price"] = value
    (problem,) = issues_of(data)
    assert (problem.line, problem.field, problem.code) == ("7.2", "unit_price", code)
    assert problem.message == f"Marché, ligne 7.2, prix unitaire : {detail}."


def test_a_huge_decimal_string_is_refused_by_the_rules():
    data = example()
    data["situations"][0]["progress"]["7.2"] = "1" + "0" * 400
    (problem,) = issues_of(data)
    assert (problem.situation, problem.line, problem.code) == ("F2026-0093", "7.2", "out_of_bounds")


def test_missing_unknown_and_mistyped_keys_are_all_reported():
    data = example()
    del data["market"]["lines"][0]["unit_price"]
    data["market"]["retention"] = "0.05"  # typo of retention_rate
    data["market"]["duration_months"] = "3"
    data["situations"][0]["progres"] = {}
    del data["situations"][0]["progress"]
    data["situations"][1]["penalties"] = {"label": "Retard", "amount": "150.00"}
    data["buyer"]["siret"] = "2144010930001"
    del data["supplier"]["vat_number"]
    assert messages_of(data) == [
        "Titulaire, numéro de TVA : champ obligatoire manquant.",
        "Acheteur, SIRET : le SIRET doit comporter exactement 14 chiffres (reçu « 2144010930001 »).",
        "Marché, « retention » : champ inconnu (vérifiez l'orthographe).",
        "Marché, durée en mois : doit être un nombre entier (reçu « 3 »).",
        "Marché, ligne 7.1, prix unitaire : champ obligatoire manquant.",
        "Situation F2026-0093, « progres » : champ inconnu (vérifiez l'orthographe).",
        "Situation F2026-0093, avancement : champ obligatoire manquant.",
        "Situation F2026-0107, pénalités : doit être une liste JSON […] (reçu un objet).",
    ]


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d.update(situations={}), "Situations : doit être une liste JSON […] (reçu un objet)."),
        (lambda d: d.pop("market"), "Marché : champ obligatoire manquant."),
        (lambda d: d.update(market=[]), "Marché : doit être un objet JSON {…} (reçu une liste)."),
        (lambda d: d["market"]["lines"].append("7.4"), "Marché, ligne n° 4 : doit être un objet JSON {…} (reçu « 7.4 »)."),
        (lambda d: d["market"]["lines"][0].pop("ref"), "Marché, ligne n° 1, référence : champ obligatoire manquant."),
        (lambda d: d["market"]["lines"][0].update(kind="global"),
         "Marché, ligne 7.1, nature : la nature doit être « forfait » ou « unitaire » (reçu « global »)."),
        (lambda d: d["market"].update(revision="0.15"),
         "Marché, révision des prix : doit être un objet JSON {…} (reçu « 0.15 »)."),
        (lambda d: d["market"]["advance"].pop("rate"), "Marché, avance, taux : champ obligatoire manquant."),
        (lambda d: d["market"].update(start_date="2026-02-30"),
         "Marché, date de début : la date doit être une date existante au format AAAA-MM-JJ (reçu « 2026-02-30 »)."),
        (lambda d: d["situations"][0].update(date="30/09/2026"),
         "Situation F2026-0093, date : la date doit être une date existante au format AAAA-MM-JJ"
         " (reçu « 30/09/2026 »)."),
        (lambda d: d["situations"][0].update(date="20260930"),
         "Situation F2026-0093, date : la date doit être une date existante au format AAAA-MM-JJ (reçu « 20260930 »)."),
        (lambda d: d["situations"][1].update(number=107),
         "Situation n° 2, numéro : doit être un texte entre guillemets (reçu le nombre 107 sans guillemets)."),
        (lambda d: d["situations"][1].update(period="2026-10-01"),
         "Situation F2026-0107, période : la période doit être au format AAAA-MM (reçu « 2026-10-01 »)."),
        (lambda d: d["situations"][1]["penalties"][0].update(amount=150),
         "Situation F2026-0107, pénalité n° 1, montant : les nombres décimaux s'écrivent entre guillemets, par"
         ' exemple "12.50" (reçu le nombre 150 sans guillemets).'),
        (lambda d: d["situations"][0]["progress"].update({"7.2": "-3"}),
         "Situation F2026-0093, ligne 7.2, avancement : la quantité ne doit pas être négative (reçu -3)."),
        (lambda d: d["market"]["lines"].append(dict(d["market"]["lines"][0])),
         "Marché, ligne 7.1, référence : référence de ligne en double dans le marché."),
        (lambda d: d["market"]["lines"][0].update(unit_price="12000.00001"),
         "Marché, ligne 7.1, prix unitaire : le prix unitaire a au plus 4 décimales (reçu 12000.00001)."),
        (lambda d: d["market"]["lines"][0].update(unit_price="-12000"),
         "Marché, ligne 7.1, prix unitaire : le prix unitaire ne doit pas être négatif (reçu -12000)."),
        (lambda d: d["market"]["lines"][0].update(label=""), "Marché, ligne 7.1, libellé : ne doit pas être vide."),
        (lambda d: d["buyer"].update(siret="21440109300015\n"),
         "Acheteur, SIRET : le SIRET doit comporter exactement 14 chiffres (reçu « 21440109300015\n »)."),
        (lambda d: d["situations"][0].update(period="2026-09\n"),
         "Situation F2026-0093, période : la période doit être au format AAAA-MM (reçu « 2026-09\n »)."),
        (lambda d: d.update(moe=None), "Maître d'œuvre : doit être un objet JSON {…} (reçu null)."),
        (lambda d: d.update(extra=1), "« extra » : champ inconnu (vérifiez l'orthographe)."),
    ],
)
def test_structural_problems(mutate, message):
    data = example()
    mutate(data)
    assert messages_of(data) == [message]


@pytest.mark.parametrize(
    ("data", "shown"), [([], "une liste"), ("x", "« x »"), (None, "null"), (3, "le nombre 3 sans guillemets")]
)
def test_the_file_must_hold_an_object(data, shown):
    assert messages_of(data) == [f"Fichier : doit être un objet JSON {{…}} (reçu {shown})."]


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"{\"a\": [1, 2,]}", "invalid_json"),
        (b"", "invalid_json"),
        (b"\xff\xfe{}", "not_utf8"),
        (b"[" * 100000 + b"]" * 100000, "unusable_json"),
        (b"{\"a\": " + b"1" * 5000 + b"}", "unusable_json"),
    ],
)
def test_loading_a_broken_file(tmp_path, content, code):
    path = tmp_path / "situations.json"
    path.write_bytes(content)
    with pytest.raises(SituationValidationError) as raised:
        load_situation_file(path)
    (problem,) = raised.value.errors
    assert (problem.field, problem.code) == ("file", code)
    assert str(path) in problem.message


def test_loading_a_directory(tmp_path):
    with pytest.raises(SituationValidationError) as raised:
        load_situation_file(tmp_path)
    assert raised.value.errors[0].message == f"Fichier : impossible de lire « {tmp_path} » : c'est un dossier."


def test_loading_accepts_a_utf8_byte_order_mark(tmp_path):
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(EXAMPLE).encode())
    assert load_situation_file(path) == EXAMPLE


# ------------------------------------------------------------------------------------------ never a traceback

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8)
    | st.sampled_from(["NaN", "1e309", "-1", "0", "100", "2026-13", "2026-02-30", "forfait", "7.1"]),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=6,
)


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _paths(child, (*prefix, index))


ALL_PATHS = list(_paths(EXAMPLE))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(ALL_PATHS), JSON_VALUES | st.just("<delete>")), min_size=1, max_size=3))
def test_any_corruption_gives_a_result_or_validation_errors(changes):
    data = example()
    for path, value in changes:
        if not path:
            data = value
            continue
        parent = data
        try:
            for key in path[:-1]:
                parent = parent[key]
            if value == "<delete>":
                del parent[path[-1]]
            else:
                parent[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue
    try:
        result = compute_situation_file(data)
    except SituationValidationError as error:
        assert error.errors and all(problem.message.endswith(".") for problem in error.errors)
    else:
        assert set(result) == {"contract_ht", "contract_ttc", "advance_amount", "situations"}
