"""Simulator-only control routes under ``/_sim/`` (JSON, no token; the real API has no such prefix).

| Route | Body | Effect |
|---|---|---|
| ``GET /_sim/`` | — | small HTML page listing what the sandbox holds |
| ``GET /_sim/state`` | — | the same as JSON: accounts, structures, invoices, fluxes, attachments (files: SHA-256) |
| ``GET /_sim/requests`` | — | API requests received since start-up or reset, per path |
| ``GET /_sim/credentials`` | — | the ``--print-credentials`` JSON |
| ``POST /_sim/reset`` | — | wipe the state, re-apply the seed, restore start-up settings and faults |
| ``POST /_sim/seed`` | seed fragment | add or replace clients, accounts, structures |
| ``GET/POST /_sim/faults`` | ``{"seed": 1, "rules": [...]}`` | read / replace fault rules |
| ``POST /_sim/faults/clear`` | — | remove every fault rule |
| ``POST /_sim/advance`` | ``{"steps": 1}`` | run N clock ticks (fluxes, then invoice statuses) |
| ``POST /_sim/config`` | ``{"token_lifetime": 60, ...}`` | change run-time settings |
| ``POST /_sim/tokens/expire`` | — | expire every issued OAuth token |
| ``POST /_sim/accounts/password`` | ``{"login", "expires": "YYYY-MM-DD"}`` | set a password expiry date |
| ``POST /_sim/accounts/expire-password`` | ``{"login"}`` | make that password expired (yesterday) |
| ``POST /_sim/accounts/reset-password`` | ``{"login", "password"}`` | a new password, valid 12 months |
| ``POST /_sim/structures/active`` | ``{"siret", "active": false}`` | turn a structure inactive (or active) |
| ``POST /_sim/invoices/status`` | ``{"identifiantFactureCPP", "statut", "commentaire"}`` | force a status |
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import html
import json
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from . import assumptions, clock, lifecycle, seed
from .core import ApiError, App
from .faults import Faults

JSON = "application/json;charset=utf-8"


@dataclass
class Sandbox:
    """One running sandbox: its application state, faults and the seed to reset to."""

    app: App
    faults: Faults
    startup_faults: dict = field(default_factory=lambda: {"rules": [], "seed": 0})
    #: API requests received since start-up or the last reset, per path (``/api/oauth/token`` included): lets
    #: tests and benches count token requests and calls per cycle. In memory only.
    requests: Counter = field(default_factory=Counter)
    _requests_lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.startup_config = dataclasses.replace(self.app.config)
        self.app.faults = self.faults  # flux processing reads the flux_state rules (faults.py)

    def count_request(self, path: str) -> None:
        with self._requests_lock:
            self.requests[path] += 1

    def request_counts(self) -> dict[str, int]:
        with self._requests_lock:
            return dict(self.requests)

    def reset(self) -> None:
        """Back to the start-up state: seed data, settings and fault rules."""
        for setting in dataclasses.fields(self.startup_config):
            setattr(self.app.config, setting.name, getattr(self.startup_config, setting.name))
        with self.app.store.transaction():
            self.app.store.wipe()
            seed.apply_seed(self.app.store, self.app.seed, self.app.today())
            self.app.store.set_setting("seeded", True)
        self.faults.configure(self.startup_faults.get("rules", []), self.startup_faults.get("seed", 0))
        with self._requests_lock:
            self.requests.clear()

    def ensure_seeded(self) -> None:
        if not self.app.store.get_setting("seeded", False):
            self.reset()


def handle(sandbox: Sandbox, method: str, path: str, raw: bytes) -> tuple[int, Any, str]:
    route = path[len("/_sim"):].strip("/")
    try:
        body = json.loads(raw.decode("utf-8")) if raw.strip() else {}
    except (ValueError, UnicodeDecodeError):
        return 400, {"error": "corps JSON invalide"}, JSON
    if method == "GET" and route == "":
        return 200, page(sandbox).encode("utf-8"), "text/html;charset=utf-8"
    if method == "GET" and route == "state":
        return 200, state(sandbox), JSON
    if method == "GET" and route == "credentials":
        return 200, seed.credentials(sandbox.app.seed), JSON
    if method == "GET" and route == "requests":
        return 200, sandbox.request_counts(), JSON
    if method == "GET" and route == "faults":
        return 200, sandbox.faults.describe(), JSON
    action = ACTIONS.get(route)
    if method != "POST" or action is None:
        return 404, {"error": f"route de contrôle inconnue : {method} /_sim/{route}"}, JSON
    if not isinstance(body, dict):
        return 400, {"error": "un objet JSON est attendu"}, JSON
    try:
        return 200, action(sandbox, body), JSON
    except (ValueError, KeyError, TypeError, seed.SeedError) as exc:
        return 400, {"error": str(exc)}, JSON
    except ApiError as exc:
        return 400, {"error": exc.libelle}, JSON


def _reset(sandbox: Sandbox, body: dict) -> dict:
    sandbox.reset()
    return {"ok": True}


def _seed(sandbox: Sandbox, body: dict) -> dict:
    seed.apply_seed(sandbox.app.store, body, sandbox.app.today())
    return {"ok": True}


def _faults(sandbox: Sandbox, body: dict) -> dict:
    sandbox.faults.configure(list(body.get("rules", [])), int(body.get("seed", 0)))
    return sandbox.faults.describe()


def _faults_clear(sandbox: Sandbox, body: dict) -> dict:
    sandbox.faults.clear()
    return sandbox.faults.describe()


def _advance(sandbox: Sandbox, body: dict) -> dict:
    steps = int(body.get("steps", 1))
    if not 1 <= steps <= 100:
        raise ValueError("steps must be between 1 and 100")
    moved = [clock.tick(sandbox.app) for _ in range(steps)]
    return {"ok": True, "ticks": moved}


def _config(sandbox: Sandbox, body: dict) -> dict:
    config = sandbox.app.config
    for name, value in body.items():
        if name not in ("token_lifetime", "business_error_status", "status_after_completer", "clock_speed",
                        "works_api"):
            raise ValueError(f"unknown setting {name}")
        setattr(config, name, type(getattr(config, name))(value))
    return {k: getattr(config, k) for k in ("token_lifetime", "business_error_status", "status_after_completer",
                                            "clock_speed", "works_api")}


def _expire_tokens(sandbox: Sandbox, body: dict) -> dict:
    sandbox.app.store.expire_tokens()
    return {"ok": True}


def _account(sandbox: Sandbox, login: str) -> dict:
    account = next((a for a in sandbox.app.store.all("account") if a["login"] == login), None)
    if account is None:
        raise ValueError(f"unknown technical account {login}")
    return account


def _set_password_expiry(sandbox: Sandbox, body: dict) -> dict:
    account = _account(sandbox, str(body["login"]))
    account["password_expires"] = dt.date.fromisoformat(str(body["expires"])).isoformat()
    sandbox.app.store.put("account", account)
    return {"login": account["login"], "password_expires": account["password_expires"]}


def _expire_password(sandbox: Sandbox, body: dict) -> dict:
    yesterday = sandbox.app.today() - dt.timedelta(days=1)
    return _set_password_expiry(sandbox, {"login": body["login"], "expires": yesterday.isoformat()})


def _reset_password(sandbox: Sandbox, body: dict) -> dict:
    """What the primary manager does in the portal: a new password, valid for the usual period."""
    account = _account(sandbox, str(body["login"]))
    password = str(body["password"])
    if not password:
        raise ValueError("password must not be empty")
    account["password"] = password
    days = int(body.get("valid_days", assumptions.PASSWORD_VALIDITY_DAYS))
    account["password_expires"] = (sandbox.app.today() + dt.timedelta(days=days)).isoformat()
    sandbox.app.store.put("account", account)
    return {"login": account["login"], "password_expires": account["password_expires"]}


def _structure_active(sandbox: Sandbox, body: dict) -> dict:
    siret = str(body["siret"])
    structure = next((st for st in sandbox.app.store.all("structure") if st["siret"] == siret), None)
    if structure is None:
        raise ValueError(f"unknown structure {siret}")
    structure["active"] = bool(body["active"])
    sandbox.app.store.put("structure", structure)
    return {"siret": siret, "active": structure["active"]}


def _invoice_status(sandbox: Sandbox, body: dict) -> dict:
    app = sandbox.app
    with app.store.transaction():
        invoice = app.invoice(body["identifiantFactureCPP"])
        lifecycle.set_status(app, invoice, str(body["statut"]), body.get("commentaire"), actor="SIMULATEUR")
    return {"identifiantFactureCPP": invoice["id"], "statut": invoice["statut"]}


ACTIONS = {
    "reset": _reset,
    "seed": _seed,
    "faults": _faults,
    "faults/clear": _faults_clear,
    "advance": _advance,
    "config": _config,
    "tokens/expire": _expire_tokens,
    "accounts/password": _set_password_expiry,
    "accounts/expire-password": _expire_password,
    "accounts/reset-password": _reset_password,
    "structures/active": _structure_active,
    "invoices/status": _invoice_status,
}


def state(sandbox: Sandbox) -> dict:
    """Everything the sandbox holds, without secrets (passwords and client secrets are left out)."""
    store = sandbox.app.store
    return {
        "piste_clients": [{"client_id": c["client_id"], "families": c["families"]} for c in store.all("client")],
        "technical_accounts": [
            {"login": a["login"], "password_expires": a["password_expires"], "sirets": a["sirets"]}
            for a in store.all("account")
        ],
        "structures": store.all("structure"),
        "invoices": [lifecycle.summary(i) for i in store.all("invoice")],
        "fluxes": [_without_blob(store, f) for f in store.all("flux")],
        "attachments": [_without_blob(store, a) for a in store.all("attachment")],
        "faults": sandbox.faults.describe(),
        "requests": sandbox.request_counts(),
        "config": vars(sandbox.app.config),
    }


def _without_blob(store, item: dict) -> dict:
    """A stored file's record with the SHA-256 of its bytes instead of the blob reference (what tests compare)."""
    data = store.get_blob(item["blob_id"]) if item.get("blob_id") else None
    return {**{k: v for k, v in item.items() if k != "blob_id"},
            "sha256": hashlib.sha256(data).hexdigest() if data is not None else None}


def page(sandbox: Sandbox) -> str:
    """The demo page: the same content as /_sim/state, as tables."""
    data = state(sandbox)
    esc = lambda v: html.escape(str(v))  # noqa: E731

    def table(title: str, rows: list[dict], columns: list[str]) -> str:
        head = "".join(f"<th>{esc(c)}</th>" for c in columns)
        body = "".join("<tr>" + "".join(f"<td>{esc(r.get(c, ''))}</td>" for c in columns) + "</tr>" for r in rows)
        return f"<h2>{esc(title)} ({len(rows)})</h2><table><tr>{head}</tr>{body}</table>"

    return (
        "<!doctype html><html lang='fr'><head><meta charset='utf-8'><title>Bac à sable Chorus Pro</title>"
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:.2em .5em;font-size:.9em}</style></head><body>"
        "<h1>Bac à sable Chorus Pro</h1><p>État complet en JSON : <a href='/_sim/state'>/_sim/state</a></p>"
        + table("Comptes techniques", data["technical_accounts"], ["login", "password_expires", "sirets"])
        + table("Structures", data["structures"], ["id", "siret", "name", "type", "active"])
        + table("Flux", data["fluxes"], ["numeroFluxDepot", "syntaxeFlux", "nomFichier", "state", "dateDepot"])
        + table("Factures", data["invoices"], ["identifiantFactureCPP", "numeroFacture", "cadre", "fournisseur",
                                                "destinataire", "statut", "montantTTC"])
        + "</body></html>"
    )
