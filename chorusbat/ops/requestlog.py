"""Logs a person running chorusbat can feed to any log system: one JSON object per line.

``RequestLogMiddleware`` writes one line per request: method, the route *template* (``situations/<int:pk>/``,
never the ids or the query string), status, duration, company id and request id (taken from ``X-Request-ID``
when a proxy sets a sane one, else generated; returned in the response). ``JsonFormatter`` formats every log
record that way in production (``settings.LOGGING``). Neither ever writes a header, a body, a query string or a
local variable, so no password, token or key can reach the logs through them; exception tracebacks name code
lines only.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from datetime import UTC, datetime

log = logging.getLogger("chorusbat.request")
_SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
# Attributes every LogRecord has; anything else was passed with ``extra=`` and goes into the JSON object.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_") and key != "request":
                entry[key] = value if isinstance(value, (str, int, float, bool, type(None))) else str(value)
        if record.exc_info and record.exc_info[0] is not None:
            entry["exception"] = record.exc_info[0].__name__
            entry["traceback"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request.request_id = incoming if _SANE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        started = time.perf_counter()
        response = self.get_response(request)
        duration_ms = round((time.perf_counter() - started) * 1000, 1)
        match = getattr(request, "resolver_match", None)
        route = match.route if match is not None else "(unmatched)"
        membership = getattr(request, "membership", None)
        log.info("%s %s %s %.1f ms", request.method, route, response.status_code, duration_ms, extra={
            "method": request.method, "route": route, "status": response.status_code, "duration_ms": duration_ms,
            "company_id": membership.company_id if membership is not None else None,
            "request_id": request.request_id,
        })
        response["X-Request-ID"] = request.request_id
        return response
