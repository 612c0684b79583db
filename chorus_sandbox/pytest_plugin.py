"""pytest fixtures that run the Chorus Pro sandbox as a REAL process and drive it over HTTP.

* ``sandbox_process`` (session): starts ``python -m chorus_sandbox --port <free> --state <tmp> --clock-speed 0``
  on a free loopback port, waits until it answers, kills it at the end.
* ``sandbox`` (function): resets the sandbox state before the test and returns a ``SandboxHandle``.

This module only uses subprocess and httpx: it never imports the server modules, so client code under test
cannot reach behind the HTTP API.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

START_TIMEOUT_SECONDS = 20.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SandboxProcess:
    """One sandbox subprocess, restartable on the same port and state file."""

    def __init__(self, state_file: Path, port: int | None = None, extra_args: list[str] | None = None):
        self.state_file = state_file
        self.port = port or free_port()
        self.extra_args = extra_args or []
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        self.log_file = state_file.with_suffix(".log")

    def start(self) -> None:
        if self.process and self.process.poll() is None:
            return
        command = [sys.executable, "-m", "chorus_sandbox", "--host", "127.0.0.1", "--port", str(self.port),
                   "--state", str(self.state_file), "--clock-speed", "0", *self.extra_args]
        root = Path(__file__).resolve().parent.parent
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")]))}
        with open(self.log_file, "ab") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=root)
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the sandbox exited at start-up: {self.log_file.read_text(errors='replace')}")
            try:
                if httpx.get(f"{self.base_url}/_sim/state", timeout=1.0, verify=False).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("the sandbox did not answer in time")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self.process = None


class SandboxHandle:
    """What a test needs: URLs, the seed's credentials, and the ``/_sim/`` control calls."""

    def __init__(self, process: SandboxProcess):
        self._process = process
        self.base_url = process.base_url
        self.token_url = f"{process.base_url}/api/oauth/token"
        self._http = httpx.Client(timeout=30.0, verify=False)
        self.credentials: dict = self._call("GET", "credentials")

    def _call(self, method: str, route: str, payload: Any = None) -> Any:
        try:
            response = self._http.request(method, f"{self.base_url}/_sim/{route}", json=payload)
        except httpx.TransportError:  # a kept-alive connection to a restarted process: retry on a fresh one
            self._http.close()
            self._http = httpx.Client(timeout=30.0, verify=False)
            response = self._http.request(method, f"{self.base_url}/_sim/{route}", json=payload)
        if response.status_code != 200:
            raise AssertionError(f"/_sim/{route} answered {response.status_code}: {response.text}")
        return response.json()

    def reset(self) -> None:
        self._call("POST", "reset")

    def set_faults(self, rules: list[dict] | dict, seed: int = 0) -> dict:
        """Replace the fault rules, e.g. ``set_faults([{"route": "/cpro/factures/v1/*", "p500": 1}])``."""
        rules = [rules] if isinstance(rules, dict) else rules
        return self._call("POST", "faults", {"rules": rules, "seed": seed})

    def clear_faults(self) -> None:
        self._call("POST", "faults/clear")

    def advance(self, steps: int = 1) -> dict:
        return self._call("POST", "advance", {"steps": steps})

    def expire_password(self, login: str) -> None:
        self._call("POST", "accounts/expire-password", {"login": login})

    def set_password_expiry(self, login: str, expires: str) -> None:
        self._call("POST", "accounts/password", {"login": login, "expires": expires})

    def expire_tokens(self) -> None:
        self._call("POST", "tokens/expire")

    def configure(self, **settings: Any) -> dict:
        return self._call("POST", "config", settings)

    def set_invoice_status(self, invoice_id: int, status: str, comment: str | None = None) -> dict:
        return self._call("POST", "invoices/status",
                          {"identifiantFactureCPP": invoice_id, "statut": status, "commentaire": comment})

    def set_password(self, login: str, password: str) -> None:
        """Reset a technical account's password, as its manager does in the portal (valid 12 months)."""
        self._call("POST", "accounts/reset-password", {"login": login, "password": password})

    def set_structure_active(self, siret: str, active: bool) -> None:
        self._call("POST", "structures/active", {"siret": siret, "active": active})

    def requests(self) -> dict[str, int]:
        """API requests received since the last reset, per path (e.g. ``/api/oauth/token``)."""
        return self._call("GET", "requests")

    def state(self) -> dict:
        return self._call("GET", "state")

    def add_seed(self, data: dict) -> None:
        self._call("POST", "seed", data)

    def invoices(self, supplier_siret: str | None = None) -> list[dict]:
        invoices = self.state()["invoices"]
        return [i for i in invoices if supplier_siret is None or i["fournisseur"] == supplier_siret]

    def fluxes(self) -> list[dict]:
        return self.state()["fluxes"]

    def close(self) -> None:
        self._http.close()

    def stop(self) -> None:
        """Stop the process (connections are refused) — the state file stays."""
        self._process.stop()

    def start(self) -> None:
        """Start it again on the same port with the same state."""
        self._process.start()


@pytest.fixture(scope="session")
def sandbox_process(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxProcess]:
    process = SandboxProcess(tmp_path_factory.mktemp("chorus_sandbox") / "sandbox.sqlite3")
    process.start()
    yield process
    process.stop()


@pytest.fixture
def sandbox(sandbox_process: SandboxProcess) -> Iterator[SandboxHandle]:
    sandbox_process.start()  # a previous test may have stopped it
    handle = SandboxHandle(sandbox_process)
    handle.reset()
    yield handle
    handle.close()
    sandbox_process.start()
