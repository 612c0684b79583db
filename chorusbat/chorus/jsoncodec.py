"""JSON in and out without floats: amounts stay exact ``Decimal`` in both directions.

``json`` turns JSON numbers with a fraction into floats and cannot write a ``Decimal`` as a number, while
Chorus Pro expects amounts as JSON numbers (chorus-pro-api.md §6). So responses are decoded with
``parse_float=Decimal`` and requests are encoded by :func:`encode`, which writes each ``Decimal`` digit for digit.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from enum import Enum

from chorusbat.chorus.dates import format_date


def decode(content: bytes | str) -> object:
    """Parse a JSON document; numbers with a fraction become ``Decimal``. Raises ``ValueError`` if not JSON."""
    return json.loads(content, parse_float=Decimal)


def encode(value: object) -> bytes:
    """Serialise dicts, lists, strings, ints, bools, None, ``Decimal``, dates and enums to UTF-8 JSON."""
    return _encode(value).encode("utf-8")


def _encode(value: object) -> str:
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, Enum):
        return _encode(value.value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError("a Chorus Pro amount must be a finite number")
        return format(value, "f")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        raise TypeError("floats are not sent to Chorus Pro: use Decimal")
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, date):
        return json.dumps(format_date(value))
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(str(k), ensure_ascii=False)}:{_encode(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(_encode(item) for item in value) + "]"
    raise TypeError(f"cannot send {type(value).__name__} to Chorus Pro")
