"""The HTTP server: routing, PISTE gateway checks, faults, and the JSON envelope.

Request path, top-down:
1. ``/_sim/...`` → simulator control routes (sim.py), never faulted, no token.
2. Otherwise a fault may be drawn for the path (faults.py) and played before or after the real answer.
3. ``/api/oauth/token`` → auth.issue_token.
4. ``/cpro/<family>/v1/<operation>`` → bearer (401) → subscription (403) → route (404) → content type (415)
   → ``cpro-account`` (401) → JSON (400) → input guard (400, guard.py: 64-bit integers, finite numbers, valid
   Unicode) → Swagger contract (400, int32/int64 ranges included) → the operation, in one store transaction.
A known route called with another method (TRACE, PUT, OPTIONS, HEAD…) is a 405 with an ``Allow`` header and a JSON
body, before any other check; every error the HTTP layer itself produces (malformed request line, …) has a JSON
body too. Any unexpected exception becomes an HTTP 500 with a Chorus-style body; the server never dies on bad input.
"""

from __future__ import annotations

import json
import logging
import re
import socket
import struct
import time
from collections.abc import Callable
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from . import assumptions, auth, contract, factures, flux, guard, sim, structures, transverses, works
from .core import ApiError, App, Ctx
from .faults import Decision

log = logging.getLogger("chorus_sandbox")

CPRO_PATH = re.compile(r"^/cpro/(?P<family>[A-Za-z]+)/v1/(?P<operation>[A-Za-z0-9/_.-]+?)/?$")
MAX_BODY_BYTES = 200 * 1024 * 1024
Operation = Callable[[Ctx, dict], dict]

ROUTES: dict[str, dict[str, Operation]] = {
    "structures": structures.OPERATIONS,
    "transverses": transverses.OPERATIONS,
    "utilisateurs": transverses.UTILISATEURS_OPERATIONS,
    "factures": {**factures.OPERATIONS, **flux.OPERATIONS},
    "facturesTravaux": works.OPERATIONS,
}
#: The only GET route of the API; it needs a token but no technical account (§7, §17.A).
GET_ROUTES = {("transverses", "health-check"): transverses.health_check}


def to_json(payload: Any) -> bytes:
    def default(value: Any) -> Any:
        if isinstance(value, Decimal):
            return float(value)
        raise TypeError(type(value).__name__)

    return json.dumps(payload, default=default, ensure_ascii=False).encode("utf-8")


def allowed_methods(path: str) -> set[str] | None:
    """The methods a known API route answers to; None for an unknown path (a 404 after the usual checks)."""
    if path == "/api/oauth/token":
        return {"POST"}
    match = CPRO_PATH.match(path)
    if not match:
        return None
    family, operation = match["family"], match["operation"]
    if (family, operation) in GET_ROUTES:
        return {"GET"}
    if operation in ROUTES.get(family, {}):
        return {"POST"}
    return None


class SandboxHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], sandbox: sim.Sandbox):
        self.sandbox = sandbox
        super().__init__(address, Handler)

    def handle_error(self, request, client_address) -> None:  # noqa: ANN001
        # Connections reset on purpose (faults) or by impatient clients are not server errors.
        log.debug("connection error from %s", client_address, exc_info=True)


class Handler(BaseHTTPRequestHandler):
    server: SandboxHTTPServer
    protocol_version = "HTTP/1.1"
    server_version = "ChorusProSandbox/1.0"
    # Headers and body are written separately: without TCP_NODELAY, Nagle + delayed ACK add ~40 ms per answer.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        log.info("%s %s", self.address_string(), format % args)

    def __getattr__(self, name: str) -> Any:
        # BaseHTTPRequestHandler looks up ``do_<METHOD>`` and answers an HTML 501 when it is missing: every method
        # goes through _handle instead, which answers a JSON 405 for methods a route does not take.
        if name.startswith("do_") and name[3:]:
            return lambda: self._handle(name[3:])
        raise AttributeError(name)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Errors of the HTTP layer itself (bad request line, header too long…): a JSON body, never HTML."""
        self.close_connection = True
        try:
            self._send(code, {"codeRetour": code, "libelle": message or self.responses.get(code, ("",))[0]})
        except OSError:
            pass

    def setup(self) -> None:
        super().setup()
        # Headers and body are written separately: without TCP_NODELAY, Nagle + delayed ACK add ~40 ms per call.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def finish(self) -> None:
        try:
            super().finish()
        except (OSError, ValueError):
            pass  # the socket was reset or closed on purpose

    # --- plumbing --------------------------------------------------------------------------------------

    def _read_body(self) -> bytes | None:
        length = self.headers.get("Content-Length")
        if length is None:
            return b""
        try:
            size = int(length)
        except ValueError:
            return None
        if size < 0 or size > MAX_BODY_BYTES:
            return None
        return self.rfile.read(size)

    def _send(self, status: int, payload: dict | list | bytes, content_type: str = "application/json;charset=utf-8",
              headers: dict[str, str] | None = None) -> None:
        data = payload if isinstance(payload, bytes) else to_json(payload)
        self.send_response(status)
        if data or not isinstance(payload, bytes):
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _reset_connection(self) -> None:
        """Close abruptly: SO_LINGER 0 makes the kernel send RST instead of FIN."""
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
        except OSError:
            pass

    # --- request handling ------------------------------------------------------------------------------

    def _handle(self, method: str) -> None:
        sandbox = self.server.sandbox
        path = urlsplit(self.path).path
        raw = self._read_body()
        if raw is None:
            self.close_connection = True
            self._send(413, {"codeRetour": 413, "libelle": "Corps de requête trop volumineux ou illisible"})
            return
        if path == "/_sim" or path.startswith("/_sim/"):
            status, payload, content_type = sim.handle(sandbox, method, path, raw)
            self._send(status, payload, content_type)
            return

        sandbox.count_request(path)
        allowed = allowed_methods(path)
        if allowed is not None and method not in allowed:
            expected = ", ".join(sorted(allowed))
            status = assumptions.METHOD_NOT_ALLOWED_STATUS
            libelle = f"Méthode {method} non autorisée : {expected} attendu"
            self._send(status, {"codeRetour": status, "libelle": libelle}, headers={"Allow": expected})
            return
        decision = sandbox.faults.draw(path)
        if decision.latency_s:
            time.sleep(decision.latency_s)
        if self._play_fault_before(decision):
            return
        try:
            status, payload = self._dispatch(sandbox.app, method, path, raw, decision)
        except Exception:  # noqa: BLE001 — the sandbox answers, it never crashes
            log.exception("unexpected error on %s", path)
            status, payload = 500, {"codeRetour": 500, "libelle": "Erreur interne du bac à sable"}
        if decision.kind == "accept_then_500":
            status, payload = 500, {"codeRetour": 500, "libelle": "Erreur technique"}
        self._send(status, payload)

    def _play_fault_before(self, decision: Decision) -> bool:
        if decision.kind == "reset":
            self._reset_connection()
            return True
        if decision.kind == "timeout":
            time.sleep(decision.timeout_s)
            self.close_connection = True
            return True
        if decision.kind in ("500", "503"):
            self._send(int(decision.kind), {"codeRetour": int(decision.kind), "libelle": "Service indisponible"})
            return True
        if decision.kind == "429":
            self._send(429, {"error": "too_many_requests", "error_description": "Quota dépassé"},
                       headers={"Retry-After": str(decision.retry_after)})
            return True
        return False

    def _dispatch(self, app: App, method: str, path: str, raw: bytes, decision: Decision) -> tuple[int, Any]:
        if path == "/api/oauth/token" and method == "POST":
            if decision.kind == "invalid_client":
                return 400, {"error": "invalid_client", "error_description": "Erreur d'authentification"}
            return auth.issue_token(app, self.headers.get("Content-Type", ""), raw, self.headers.get("Authorization"))
        match = CPRO_PATH.match(path)
        if not match:
            return 404, {"error": "API non trouvée"}
        family, operation = match["family"], match["operation"]

        client = auth.client_for_bearer(app, self.headers.get("Authorization"))
        if isinstance(client, auth.Refusal):
            return client.status, client.body
        refusal = auth.check_subscription(client, family)
        if refusal:
            return refusal.status, refusal.body

        if method == "GET" and (family, operation) in GET_ROUTES:
            return 200, GET_ROUTES[(family, operation)](Ctx(app, client, None), {})
        handler = ROUTES.get(family, {}).get(operation)
        if handler is None or method != "POST":
            return 404, {"error": "API non trouvée"}

        content_type = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if content_type != "application/json":
            return 415, {"codeRetour": 415, "libelle": "Type de contenu non supporté : application/json attendu"}
        account = auth.account_for_header(app, self.headers.get("cpro-account"), app.today())
        if isinstance(account, auth.Refusal):
            return account.status, account.body
        try:
            body = guard.parse_json(raw) if raw.strip() else {}
        except (ValueError, UnicodeDecodeError):
            return 400, ApiError("MALFORMED_JSON").body()
        if not isinstance(body, dict):
            return 400, ApiError("MALFORMED_JSON").body()

        try:
            try:
                guard.check(body)
            except guard.BadInput as bad:
                raise ApiError("INVALID_FIELD", status=400, field=bad.field, detail=bad.detail) from None
            body = factures.normalise_aliases(operation, body) if family == "factures" else body
            errors = contract.request_errors(family, operation, body)
            if errors:
                field_name, detail = errors[0]
                raise ApiError("INVALID_FIELD", status=400, field=field_name, detail=detail)
            with app.store.transaction():
                result = handler(Ctx(app, client, account), body)
        except ApiError as error:
            return error.status or app.config.business_error_status, error.body()
        if "codeRetour" not in result:
            result = {"codeRetour": 0, "libelle": result.pop("libelle", "GCU_MSG_01_000"), **result}
        return 200, result
