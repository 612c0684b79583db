import pytest
from django.core.exceptions import ValidationError

from chorusbat.accounts.validators import normalize_siret, technical_login_warning, validate_siret


@pytest.mark.parametrize("value", ["73282932000074", "732 829 320 00074", " 73282932000074 ", "35600000000048"])
def test_valid_sirets(value):
    validate_siret(value)


def test_la_poste_exception_digit_sum_multiple_of_five():
    # SIREN 356000000 establishments do not follow Luhn: the digit sum must be a multiple of 5.
    la_poste = "35600000049837"  # digit sum 3+5+6+4+9+8+3+7 = 45
    validate_siret(la_poste)
    with pytest.raises(ValidationError) as e:
        validate_siret("35600000049838")  # digit sum 46
    assert e.value.code == "siret_checksum"


@pytest.mark.parametrize(
    "value,code",
    [
        ("7328293200007", "siret_length"),  # 13 digits
        ("732829320000745", "siret_length"),  # 15 digits
        ("7328293200007A", "siret_format"),
        ("73282932000075", "siret_checksum"),  # bad Luhn key
        ("", "siret_format"),
        ("７３２８２９３２００００７４", "siret_format"),  # full-width digits are not ASCII digits
    ],
)
def test_invalid_sirets(value, code):
    with pytest.raises(ValidationError) as e:
        validate_siret(value)
    assert e.value.code == code


def test_normalize_siret_drops_spaces():
    assert normalize_siret("732 829 320\t00074") == "73282932000074"


def test_technical_login_warning():
    assert technical_login_warning("TECH_1_73282932000074@cpro.fr") is None
    assert technical_login_warning("TECH_000000000415049@cpp2017.fr") is None
    assert "TECH_" in technical_login_warning("claire.martin@example.fr")
    assert technical_login_warning("TECH_something@example.fr")  # unusual shape: still a warning
