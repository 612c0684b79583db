"""The invoice identifier rule: format, suggestion, uniqueness, chronology and no gaps."""

from datetime import date

import pytest

from chorusbat.situations.numbering import Numbered, format_errors, sequence_errors, split, suggest

HISTORY = [Numbered("F2026-0093", date(2026, 9, 30)), Numbered("F2026-0107", date(2026, 10, 31))]


def test_split():
    assert split("F2026-0107") == ("F2026-", 107, 4)
    assert split("SIT/12") == ("SIT/", 12, 2)
    assert split("AVOIR") is None


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("F2026-00000000000001", None),  # exactly 20
        ("F2026-000000000000001", "20 caractères au plus (21 saisis)"),
        ("F 2026-1", "ni espace"),
        ("F2026-éte", "ni accent"),
        ("F2026#1", "lettres, des chiffres et les caractères - _ / ."),
        ("A_b-c/d.9", None),
    ],
)
def test_format(number, message):
    errors = format_errors(number)
    if message is None:
        assert errors == []
    else:
        assert message in errors[0]


def test_suggestion_follows_the_latest_series():
    assert suggest([], date(2026, 9, 1)) == "F2026-0001"
    assert suggest(HISTORY, date(2026, 11, 30)) == "F2026-0108"
    assert suggest(HISTORY + [Numbered("SIT-7", date(2026, 11, 1))], date(2026, 11, 30)) == "SIT-8"
    # A new year starts a new series of the same shape.
    assert suggest(HISTORY, date(2027, 1, 15)) == "F2027-0001"
    assert suggest(HISTORY + [Numbered("F2027-0001", date(2027, 1, 15))], date(2027, 2, 1)) == "F2027-0002"


def test_used_identifier_is_refused():
    assert "déjà utilisé" in sequence_errors(HISTORY, "F2026-0093", date(2026, 11, 30))[0]


def test_chronology_within_a_series():
    # Next number dated before the last one: refused.
    assert "ordre des dates" in sequence_errors(HISTORY, "F2026-0108", date(2026, 10, 15))[0]
    # A hole below the highest number may be filled only between the right dates.
    assert sequence_errors(HISTORY, "F2026-0100", date(2026, 10, 15)) == []
    assert "ordre des dates" in sequence_errors(HISTORY, "F2026-0100", date(2026, 11, 15))[0]
    # Same date as the latest is fine; another series is not compared.
    assert sequence_errors(HISTORY, "F2026-0108", date(2026, 10, 31)) == []
    assert sequence_errors(HISTORY, "SIT-1", date(2026, 1, 1)) == []


def test_no_gap_after_the_highest_number():
    errors = sequence_errors(HISTORY, "F2026-0110", date(2026, 11, 30))
    assert errors == ["Le numéro suivant de cette série est F2026-0108 : F2026-0110 laisserait un trou dans la "
                      "numérotation."]
    # The first identifier of a series is free (the company continues its previous numbering).
    assert sequence_errors(HISTORY, "F2027-0042", date(2027, 1, 2)) == []
