"""Counters and histograms that every chorusbat process updates (web, worker, scheduler).

They live in prometheus-client's multiprocess mode: each process writes its values into files of the directory
``PROMETHEUS_MULTIPROC_DIR`` (settings sets it to the data directory's ``metrics/`` unless given), and ``/metrics``
adds up the files of its machine. So a machine's ``/metrics`` counts the Chorus Pro calls of every process of that
machine that shares its data directory; scrape every machine that runs chorusbat processes.

``MeteredTransport`` wraps the HTTP transport of every Chorus Pro client (``accounts.chorus_access``): each call is
counted by operation (the URL path, a fixed list) and outcome, with its latency; token requests apart.
"""

from __future__ import annotations

import time

import httpx
from prometheus_client import Counter, Histogram

CHORUS_CALLS = Counter("chorusbat_chorus_calls", "Chorus Pro calls, by operation and outcome.",
                       ["operation", "outcome"])
CHORUS_LATENCY = Histogram("chorusbat_chorus_call_seconds", "Chorus Pro call latency, by operation.", ["operation"],
                           buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60))
TOKEN_REQUESTS = Counter("chorusbat_chorus_token_requests", "PISTE token requests, by outcome.", ["outcome"])


def operation_of(url: httpx.URL) -> str:
    """``/cpro/factures/v1/deposer/flux`` → ``factures/deposer/flux``; the token endpoint → ``token``."""
    path = url.path
    if path.endswith("/oauth/token"):
        return "token"
    parts = [p for p in path.split("/") if p and p not in ("cpro", "v1")]
    return "/".join(parts)[:80] or "(root)"


def outcome_of(status: int) -> str:
    if status == 429:
        return "429"
    return f"{status // 100}xx"


class MeteredTransport(httpx.BaseTransport):
    def __init__(self, inner: httpx.BaseTransport) -> None:
        self._inner = inner

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        operation = operation_of(request.url)
        started = time.perf_counter()
        try:
            response = self._inner.handle_request(request)
        except httpx.TimeoutException:
            self._record(operation, "timeout", started)
            raise
        except httpx.TransportError:
            self._record(operation, "network_error", started)
            raise
        self._record(operation, outcome_of(response.status_code), started)
        return response

    @staticmethod
    def _record(operation: str, outcome: str, started: float) -> None:
        if operation == "token":
            TOKEN_REQUESTS.labels(outcome).inc()
        CHORUS_CALLS.labels(operation, outcome).inc()
        CHORUS_LATENCY.labels(operation).observe(time.perf_counter() - started)

    def close(self) -> None:
        self._inner.close()
