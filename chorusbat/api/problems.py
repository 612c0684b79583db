"""RFC 9457 problem details (``application/problem+json``) with a French ``detail`` and field-level ``errors``."""

from __future__ import annotations

import json

from django.http import HttpResponse
from django.utils.translation import gettext as _

CONTENT_TYPE = "application/problem+json"


class ApiProblem(Exception):
    """Raised by an operation: becomes a problem response."""

    def __init__(self, status: int, detail: str, *, slug: str | None = None, errors: list[dict] | None = None,
                 headers: dict | None = None):
        self.status, self.detail, self.errors, self.headers = status, detail, errors or [], headers or {}
        self.slug = slug or SLUGS.get(status, "error")
        super().__init__(detail)


SLUGS = {400: "bad-request", 401: "unauthorized", 404: "not-found", 405: "method-not-allowed", 409: "conflict",
         413: "too-large", 415: "unsupported-media-type", 422: "invalid-input", 429: "rate-limited",
         500: "server-error", 503: "unavailable"}


def titles() -> dict[int, str]:
    return {
        400: _("Bad request"), 401: _("Authentication required"), 404: _("Not found"),
        405: _("Method not allowed"), 409: _("Conflict"), 413: _("Request too large"),
        415: _("Unsupported media type"), 422: _("Invalid input"), 429: _("Too many requests"),
        500: _("Server error"), 503: _("Service unavailable"),
    }


def problem_response(status: int, detail: str, *, slug: str | None = None, errors: list[dict] | None = None,
                     instance: str | None = None, headers: dict | None = None) -> HttpResponse:
    body = {
        "type": f"/api/v1/problems/{slug or SLUGS.get(status, 'error')}",
        "title": titles().get(status, _("Error")),
        "status": status,
        "detail": detail,
        "instance": instance,
        "errors": errors or [],
    }
    response = HttpResponse(json.dumps(body, ensure_ascii=False), status=status, content_type=CONTENT_TYPE)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


# --- pydantic's errors, in French ----------------------------------------------------------------------------


def _message(error: dict) -> str:
    kind, ctx = error.get("type", ""), error.get("ctx") or {}
    messages = {
        "missing": _("required field missing"),
        "extra_forbidden": _("unknown field (check the spelling)"),
        "string_type": _("must be a text between quotes"),
        "int_type": _("must be a whole number"),
        "int_parsing": _("must be a whole number"),
        "int_from_float": _("must be a whole number"),
        "dict_type": _("must be a JSON object {…}"),
        "model_type": _("must be a JSON object {…}"),
        "model_attributes_type": _("must be a JSON object {…}"),
        "list_type": _("must be a JSON list […]"),
        "literal_error": _("must be one of: %(expected)s") % {"expected": ctx.get("expected", "")},
        "enum": _("must be one of: %(expected)s") % {"expected": ctx.get("expected", "")},
        "string_too_long": _("at most %(max)s characters") % {"max": ctx.get("max_length", "")},
        "string_too_short": _("must not be empty"),
        "too_long": _("at most %(max)s items") % {"max": ctx.get("max_length", "")},
        "too_short": _("at least %(min)s item(s)") % {"min": ctx.get("min_length", "")},
        "greater_than_equal": _("must be at least %(min)s") % {"min": ctx.get("ge", "")},
        "less_than_equal": _("must be at most %(max)s") % {"max": ctx.get("le", "")},
        "json_invalid": _("the body is not valid JSON"),
        "bool_type": _("must be true or false"),
        "bool_parsing": _("must be true or false"),
    }
    return messages.get(kind, _("invalid value"))


def pointer(loc) -> str:
    parts = list(loc)
    if parts and parts[0] in ("body", "query", "path", "header", "form", "file"):
        source = parts.pop(0)
        if source == "body" and parts and parts[0] in ("payload", "body"):
            parts.pop(0)
        elif source != "body" and parts:
            return str(parts[-1])
    return "/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in parts) if parts else ""


def validation_errors(errors: list[dict]) -> list[dict]:
    return [{"pointer": pointer(e.get("loc", ())), "detail": _message(e)} for e in errors]
