"""Input guard: what any JSON body must satisfy before an operation sees it, whatever the operation.

Chorus Pro's services are Java: a number that does not fit the field's Java type, or JSON the parser refuses,
is a 400 from the platform, never a 500. The sandbox applies the same limits once, at the server level, so no
operation has to defend itself (a Python int has no limit; SQLite's integers stop at 64 bits):

* integers outside the signed 64-bit range (Java ``long``, the Swagger's ``int64``) are refused;
* numbers that are not finite doubles (``NaN``, ``Infinity``, ``1e400``) are refused;
* strings with lone UTF-16 surrogates (``"\\ud800"``), which cannot be stored nor answered in UTF-8, are refused;
* bodies nested deeper than :data:`MAX_DEPTH` are refused.

The per-field ``int32`` range comes from the Swagger contract itself (contract.py).
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1
DOUBLE_MAX = Decimal("1.7976931348623157e308")
MAX_DEPTH = 64


class BadInput(ValueError):
    """A body the platform would refuse with HTTP 400: ``field`` names where, ``detail`` says what."""

    def __init__(self, field: str, detail: str):
        self.field, self.detail = field, detail
        super().__init__(f"{field}: {detail}")


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"constante JSON non standard {name}")


def parse_json(raw: bytes) -> Any:
    """Decode a request body: floats as Decimal; ``NaN``/``Infinity`` and runaway nesting are malformed JSON."""
    try:
        return json.loads(raw.decode("utf-8"), parse_float=Decimal, parse_constant=_refuse_constant)
    except RecursionError:
        raise ValueError("JSON trop imbriqué") from None


def check(value: Any, path: str = "", depth: int = 0) -> None:
    """Raise :class:`BadInput` for the first value of ``value`` outside the limits above."""
    if depth > MAX_DEPTH:
        raise BadInput(path or "(corps)", "structure trop imbriquée")
    if isinstance(value, bool) or value is None:
        return
    if isinstance(value, int):
        if not INT64_MIN <= value <= INT64_MAX:
            raise BadInput(path or "(corps)", "entier hors de l'intervalle d'un entier 64 bits")
    elif isinstance(value, Decimal):
        if not value.is_finite() or abs(value) > DOUBLE_MAX:
            raise BadInput(path or "(corps)", "nombre hors de l'intervalle d'un nombre décimal")
    elif isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise BadInput(path or "(corps)", "caractère Unicode invalide") from None
    elif isinstance(value, dict):
        for key, item in value.items():
            check(key, path or "(corps)", depth + 1)
            check(item, f"{path}.{key}" if path else str(key), depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            check(item, f"{path}.{index}" if path else str(index), depth + 1)
