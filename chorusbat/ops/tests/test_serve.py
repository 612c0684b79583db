"""`chorusbat serve` in production mode, as a real process on loopback, on the test database (SQLite, then the
private PostgreSQL cluster in `make test`): health, metrics, static files, headers, HTTPS redirects, and a server
error logged as JSON without secrets and shown as the French error page."""

import json
import os
import signal
import socket
import subprocess
import sys
import time

import httpx
import pytest
from django.db import connection

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]

SECRET_KEY = "serve-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
ENCRYPTION_KEY = "q0P3mmTg0Qm0kM3B1bQ8yq0sJXnL1fHq3oM2V9bR3dE="
METRICS_TOKEN = "metrics-token-0123456789"


def _database_url() -> str:
    s = connection.settings_dict
    if s["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{s['NAME']}"
    return f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server(tmp_path):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CHORUSBAT_", "DJANGO_", "PROMETHEUS_"))}
    env.update({
        "DJANGO_SETTINGS_MODULE": "chorusbat.settings", "CHORUSBAT_MODE": "production",
        "CHORUSBAT_SECRET_KEY": SECRET_KEY, "CHORUSBAT_ENCRYPTION_KEYS": ENCRYPTION_KEY,
        "CHORUSBAT_DATA_DIR": str(tmp_path / "data"), "DATABASE_URL": _database_url(),
        "CHORUSBAT_METRICS_TOKEN": METRICS_TOKEN, "CHORUSBAT_TRUST_X_FORWARDED_PROTO": "1",
        "CHORUSBAT_ERROR_PROBE": "1", "CHORUSBAT_ALLOWED_HOSTS": "127.0.0.1",
    })
    log_path = tmp_path / "serve.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "chorusbat", "serve", "--port", str(port), "--workers", "2"],
                                env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert proc.poll() is None, log_path.read_text()[-3000:]
            assert time.monotonic() < deadline, log_path.read_text()[-3000:]
            time.sleep(0.3)
        yield base, tmp_path / "data", log_path
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


HTTPS = {"X-Forwarded-Proto": "https"}


def test_production_server(server):
    base, data_dir, log_path = server
    with httpx.Client(base_url=base, timeout=20, follow_redirects=False) as http:
        # Probes speak plain HTTP: never redirected, no login.
        assert http.get("/healthz").json() == {"status": "ok"}
        ready = http.get("/readyz")
        assert ready.status_code == 200, ready.text
        assert http.get("/metrics").status_code == 401
        metrics = http.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
        assert metrics.status_code == 200 and 'chorusbat_transmissions{state="queued"}' in metrics.text

        # Everything else: HTTPS only.
        plain = http.get("/connexion/")
        assert plain.status_code == 301 and plain.headers["location"].startswith("https://")
        login = http.get("/connexion/", headers=HTTPS)
        assert login.status_code == 200 and 'lang="fr"' in login.text
        h = login.headers
        assert h["strict-transport-security"].startswith("max-age=31536000")
        assert "unsafe-inline" not in h["content-security-policy"]
        assert "default-src 'self'" in h["content-security-policy"]
        assert h["x-content-type-options"] == "nosniff" and h["referrer-policy"] == "same-origin"
        assert h["x-frame-options"] == "DENY"
        cookie = h["set-cookie"].lower()
        assert "csrftoken=" in cookie and "secure" in cookie and "httponly" in cookie

        # Static files: hashed names, compressed, cached for ever.
        manifest = json.loads((data_dir / "static" / "staticfiles.json").read_text())
        css = manifest["paths"]["web/app.css"]
        assert css in login.text
        static = http.get(f"/static/{css}", headers={**HTTPS, "Accept-Encoding": "gzip"})
        assert static.status_code == 200 and static.headers["content-encoding"] == "gzip"
        assert "immutable" in static.headers["cache-control"]

        # A server error: the French page for the user, one JSON line with the exception for the operators.
        error = http.get("/ops/error-probe", headers={**HTTPS, "Authorization": f"Bearer {METRICS_TOKEN}"})
        assert error.status_code == 500
        assert 'lang="fr"' in error.text and "Erreur du serveur" in error.text
        assert "Traceback" not in error.text and "ErrorProbe" not in error.text
        assert http.get("/ops/error-probe", headers=HTTPS).status_code == 404  # not without the token

    time.sleep(0.5)  # let the workers flush their last lines
    lines = [line for line in log_path.read_text().splitlines() if line.strip()]
    entries = [json.loads(line) for line in lines]  # every line is JSON
    requests = [e for e in entries if e.get("logger") == "chorusbat.request"]
    assert {"healthz", "readyz", "metrics", "connexion/"} <= {e["route"] for e in requests}
    assert all({"method", "route", "status", "duration_ms", "company_id", "request_id"} <= set(e) for e in requests)
    errors = [e for e in entries if e.get("exception") == "ErrorProbe"]
    assert errors and errors[0]["level"] == "error"
    text = log_path.read_text()
    for secret in (SECRET_KEY, ENCRYPTION_KEY, METRICS_TOKEN):
        assert secret not in text
