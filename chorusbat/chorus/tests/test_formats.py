"""Tolerant date parsing (§6) and float-free JSON (amounts stay Decimal both ways)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from chorusbat.chorus import jsoncodec
from chorusbat.chorus.dates import PARIS, format_date, parse_date, parse_datetime
from chorusbat.chorus.enums import FluxSyntax


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-04-03", datetime(2026, 4, 3, tzinfo=PARIS)),
        ("2026-04-03 14:05", datetime(2026, 4, 3, 14, 5, tzinfo=PARIS)),
        ("2017-02-27T18:26:36.010+01:00",
         datetime(2017, 2, 27, 18, 26, 36, 10000, tzinfo=timezone(timedelta(hours=1)))),
        ("2026-04-03T23:59:59", datetime(2026, 4, 3, 23, 59, 59, tzinfo=PARIS)),
        ("2026-04-03T10:00:00Z", datetime(2026, 4, 3, 10, tzinfo=UTC)),
    ],
)
def test_the_three_chorus_formats_are_read(text, expected):
    parsed = parse_datetime(text)
    assert parsed == expected
    assert parsed.tzinfo is not None


def test_empty_values_mean_no_date():
    assert parse_datetime("") is None and parse_datetime(None) is None and parse_date("") is None


def test_garbage_is_refused():
    with pytest.raises(ValueError):
        parse_datetime("03/04/2026")
    with pytest.raises(ValueError):
        parse_datetime(12)


def test_parse_date_gives_the_paris_calendar_day():
    assert parse_date("2026-04-03 23:30") == date(2026, 4, 3)
    assert parse_date("2026-04-03T23:30:00+00:00") == date(2026, 4, 4)  # 01:30 in Paris


def test_dates_are_sent_as_iso_days_and_period_bounds_with_time():
    assert format_date(date(2026, 4, 3)) == "2026-04-03"
    assert format_date(datetime(2026, 4, 30, 23, 59, 59)) == "2026-04-30T23:59:59"


def test_json_amounts_round_trip_exactly_as_decimal():
    decoded = jsoncodec.decode(b'{"montantHT": 16.6667, "total": 0.1, "n": 3}')
    assert decoded == {"montantHT": Decimal("16.6667"), "total": Decimal("0.1"), "n": 3}
    assert isinstance(decoded["total"], Decimal)
    encoded = jsoncodec.encode({"a": Decimal("1234567890123.45"), "b": Decimal("0.10"), "c": [1, None, True]})
    assert encoded == b'{"a":1234567890123.45,"b":0.10,"c":[1,null,true]}'


def test_json_encodes_dates_enums_and_unicode():
    encoded = jsoncodec.encode({"d": date(2026, 1, 2), "s": FluxSyntax.IN_DP_E2_CII_FACTURX, "t": "é\"x"})
    assert jsoncodec.decode(encoded) == {"d": "2026-01-02", "s": "IN_DP_E2_CII_FACTURX", "t": "é\"x"}


def test_json_refuses_floats_and_non_finite_amounts():
    with pytest.raises(TypeError):
        jsoncodec.encode({"x": 0.1})
    with pytest.raises(ValueError):
        jsoncodec.encode({"x": Decimal("NaN")})
