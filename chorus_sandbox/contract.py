"""The official Swagger contract, used to reject request bodies Chorus Pro would reject.

``contract/`` holds verbatim copies of the two official Swagger 2.0 files (reference §0). A request body is
validated against its operation's ``#/definitions/...`` schema: wrong types and enum values are refused, unknown
fields are ignored (Swagger definitions allow additional properties), and nothing is required because the
Swagger declares no ``required`` lists for requests — mandatory fields are business rules (rules.py). Integer
formats are checked: an ``int32`` field refuses a value beyond 2^31 - 1, as the Java platform does.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import jsonschema

from . import guard

CONTRACT_DIR = Path(__file__).with_name("contract")
SWAGGER_FILES = {"factures": "factures.swagger.json", "structures": "structures.swagger.json"}


@cache
def swagger(family: str) -> dict:
    return json.loads((CONTRACT_DIR / SWAGGER_FILES[family]).read_text(encoding="utf-8"))


def operation_definitions(family: str, operation: str) -> tuple[str | None, str | None]:
    """(request definition, 200-response definition) names of ``/v1/<operation>`` in the family's Swagger."""
    if family not in SWAGGER_FILES:
        return None, None
    op = swagger(family)["paths"].get(f"/v1/{operation}", {}).get("post")
    if op is None:
        return None, None
    body = next((p for p in op.get("parameters", []) if p.get("in") == "body"), {})
    request_ref = body.get("schema", {}).get("$ref")
    response_ref = op.get("responses", {}).get("200", {}).get("schema", {}).get("$ref")
    name = lambda ref: ref.rsplit("/", 1)[-1] if ref else None  # noqa: E731
    return name(request_ref), name(response_ref)


def definition_schema(family: str, definition: str) -> dict:
    """A self-contained JSON Schema for one Swagger definition (its refs resolve inside ``definitions``)."""
    return {"$ref": f"#/definitions/{definition}", "definitions": swagger(family)["definitions"]}


#: The Swagger's integer formats are Java ``int``/``long``: a value outside their range is a 400 on the platform.
FORMATS = jsonschema.FormatChecker(formats=())


@FORMATS.checks("int32")
def _int32(value: object) -> bool:
    return not isinstance(value, int) or isinstance(value, bool) or guard.INT32_MIN <= value <= guard.INT32_MAX


@FORMATS.checks("int64")
def _int64(value: object) -> bool:
    return not isinstance(value, int) or isinstance(value, bool) or guard.INT64_MIN <= value <= guard.INT64_MAX


@cache
def _validator(family: str, definition: str) -> jsonschema.Draft4Validator:
    return jsonschema.Draft4Validator(definition_schema(family, definition), format_checker=FORMATS)


def request_errors(family: str, operation: str, body: object) -> list[tuple[str, str]]:
    """Contract violations of a request body, as (field path, message) pairs; empty when the body conforms."""
    definition, _ = operation_definitions(family, operation)
    if definition is None:
        return []
    errors = sorted(_validator(family, definition).iter_errors(body), key=lambda e: list(e.absolute_path))
    return [(".".join(str(p) for p in e.absolute_path) or "(corps)", _message(e)) for e in errors]


def _message(error: jsonschema.ValidationError) -> str:
    if error.validator == "enum":
        return f"valeur {error.instance!r} hors de la liste autorisée"
    if error.validator == "type":
        return f"type attendu {error.validator_value}, reçu {type(error.instance).__name__}"
    if error.validator == "format":
        return f"entier hors de l'intervalle {error.validator_value}"
    return error.message
