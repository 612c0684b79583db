"""Helpers for integration tests against the real sandbox process (``chorus_sandbox``), over loopback HTTP.

Only the sandbox's base URL comes from its pytest plugin (fixture ``sandbox``); everything else goes through the
sandbox's documented ``/_sim/`` control routes, so these tests depend on HTTP, never on the sandbox's code.
Requests are counted by a transport that wraps httpx's real one (nothing is mocked).
"""

from __future__ import annotations

import contextlib
import http.server
import socket
import threading
from collections import Counter

import httpx

from chorusbat.chorus.client import ChorusClient, shared_ssl_context
from chorusbat.chorus.config import ClientConfig, PisteApplication, TechnicalAccount, Timeouts
from chorusbat.chorus.environments import sandbox as sandbox_environment
from chorusbat.chorus.retry import RetryPolicy
from chorusbat.chorus.tokens import TokenCache


class CountingTransport(httpx.HTTPTransport):
    """The real HTTP transport, counting requests per path."""

    def __init__(self, counter: Counter, **kwargs) -> None:
        super().__init__(**kwargs)
        self.counter = counter

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.counter[request.url.path] += 1
        return super().handle_request(request)


class NoSleep:
    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


class Live:
    """A running sandbox, driven over HTTP."""

    TOKEN_PATH = "/api/oauth/token"

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        self._http = httpx.Client(base_url=self.base_url, timeout=10)
        self.counter: Counter = Counter()
        self.tokens = TokenCache()
        self.sleep = NoSleep()
        self._dirty = False

    def close(self) -> None:
        self._http.close()

    # --- control routes (chorus_sandbox/sim.py) ---

    def control(self, route: str, body: dict | None = None) -> dict:
        response = self._http.post(f"/_sim/{route}", json=body or {})
        response.raise_for_status()
        return response.json()

    def credentials(self) -> dict:
        return self._http.get("/_sim/credentials").raise_for_status().json()

    def reset(self) -> None:
        self.control("reset")

    def faults(self, *rules: dict, seed: int = 1) -> None:
        self._dirty = True
        self.control("faults", {"seed": seed, "rules": list(rules)})

    def settings(self, **values) -> None:
        self._dirty = True
        self.control("config", values)

    def restore(self, settings: dict) -> None:
        """Put back run-time settings and remove faults, if this test changed them."""
        if self._dirty:
            self.control("config", settings)
            self.control("faults/clear")

    # --- clients ---

    def config(self, account: int = 0, *, base_url: str | None = None, timeouts: Timeouts = Timeouts(connect=2, read=5),  # noqa: B008 - frozen
               **overrides: str) -> ClientConfig:
        creds = self.credentials()
        tech = creds["technical_accounts"][account]
        return ClientConfig(
            environment=sandbox_environment(base_url or self.base_url),
            application=PisteApplication(
                client_id=overrides.get("client_id", creds["piste"]["client_id"]),
                client_secret=overrides.get("client_secret", creds["piste"]["client_secret"]),
            ),
            account=TechnicalAccount(
                login=overrides.get("login", tech["login"]), password=overrides.get("password", tech["password"])
            ),
            timeouts=timeouts,
        )

    def client(self, config: ClientConfig | None = None, **config_args) -> ChorusClient:
        return ChorusClient(
            config or self.config(**config_args),
            token_cache=self.tokens,
            retry=RetryPolicy(sleep=self.sleep),
            transport=CountingTransport(self.counter, verify=shared_ssl_context()),
        )

    @property
    def token_requests(self) -> int:
        return self.counter[self.TOKEN_PATH]


def closed_port() -> int:
    """A loopback port nobody listens on (bound then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _GarbageHandler(http.server.BaseHTTPRequestHandler):
    """Grants tokens, then answers every API call with an HTML maintenance page (a broken gateway)."""

    def do_POST(self) -> None:  # noqa: N802 (http.server naming)
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path == Live.TOKEN_PATH:
            self._reply(200, "application/json", b'{"access_token": "t", "token_type": "Bearer", "expires_in": 3600}')
        else:
            self._reply(200, "text/html", b"<html><body><h1>Maintenance en cours</h1></body></html>")

    do_GET = do_POST

    def _reply(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@contextlib.contextmanager
def garbage_server():
    """A loopback server answering HTML instead of JSON; yields its base URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _GarbageHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
