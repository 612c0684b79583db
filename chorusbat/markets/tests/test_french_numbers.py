"""Reading and showing decimals the French way."""

from decimal import Decimal

import pytest
from django.utils import translation

from chorusbat.markets.french_numbers import parse_decimal
from chorusbat.markets.templatetags.market_format import money, num, percent, price


@pytest.mark.parametrize(
    ("text", "value"),
    [("12,5", "12.5"), ("12.5", "12.5"), ("1 234,56", "1234.56"), ("1\u202f234,56", "1234.56"),
     ("-3", "-3"), ("+0,001", "0.001"), (" 7 ", "7")],
)
def test_accepted(text, value):
    assert parse_decimal(text) == Decimal(value)


@pytest.mark.parametrize("text", ["", "abc", "NaN", "nan", "inf", "-Infinity", "1e309", "1E3", "1.234,5", "12,",
                                  ",5", "1,2,3", "0x10", "12 %"])
def test_refused(text):
    with pytest.raises(ValueError):
        parse_decimal(text)


def test_symbols_can_be_ignored():
    assert parse_decimal("5,5 %", symbols="%") == Decimal("5.5")


def test_display_filters():
    with translation.override("fr"):
        assert money(Decimal("13458.9")) == "13\xa0458,90"
        assert money(Decimal("-344.43")) == "-344,43"
        assert num(Decimal("12.5000")) == "12,5" and num(Decimal("100")) == "100"
        assert num("dix") == "dix"  # a wrong imported cell is shown as typed
        assert price(Decimal("12000.0000")) == "12\xa0000,00" and price(Decimal("16.6667")) == "16,6667"
        assert percent(Decimal("0.0500")) == "5\xa0%" and percent(Decimal("0.125")) == "12,5\xa0%"
