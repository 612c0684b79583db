"""Seed data: read a YAML/JSON seed file and write its PISTE clients, technical accounts and structures.

The same normalisation serves the start-up seed and ``POST /_sim/seed`` (tests adding their own data): an entry
whose key (client id, login, SIRET) already exists replaces it, ids missing from an entry are generated.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml

from . import assumptions
from .store import Store

DEFAULT_SEED = Path(__file__).with_name("seed.yaml")

#: The ten structure flags of structures/v1/consulter → parametres (§8.2), all false unless the seed says so.
STRUCTURE_FLAGS = (
    "codeServiceDoitEtreRenseigne",
    "numeroEJDoitEtreRenseigne",
    "gestionNumeroEJOuCodeService",
    "connexionEDI",
    "recevoirDonneesViaEDI",
    "estMoaUniquement",
    "getaMoa",
    "estValideurDelegue",
    "nonDiffusibleInsee",
    "statutMiseEnPaiementNestPasRemonte",
)


class SeedError(ValueError):
    """The seed file or a seed addition is not usable."""


def load_seed_file(path: str | Path | None = None) -> dict:
    """Read a seed file; YAML is a superset of JSON, so both formats load the same way."""
    text = Path(path or DEFAULT_SEED).read_text(encoding="utf-8")
    data = yaml.safe_load(text) or {}
    if not isinstance(data, dict):
        raise SeedError("the seed must be a mapping with piste_clients, technical_accounts and structures")
    return data


def credentials(seed: dict) -> dict:
    """The seed's credentials in the shape printed by ``--print-credentials``."""
    client = seed["piste_clients"][0]
    return {
        "piste": {"client_id": client["client_id"], "client_secret": client["client_secret"]},
        "technical_accounts": [
            {"login": a["login"], "password": a["password"], "sirets": [str(s) for s in a.get("sirets", [])]}
            for a in seed.get("technical_accounts", [])
        ],
    }


def apply_seed(store: Store, seed: dict, today: dt.date) -> None:
    """Write (or replace) every entry of ``seed`` into ``store``."""
    if not isinstance(seed, dict):
        raise SeedError("the seed must be a JSON object")
    with store.transaction():
        for entry in seed.get("structures", []) or []:
            _put_structure(store, entry)
        for entry in seed.get("piste_clients", []) or []:
            _put_keyed(store, "client", "client_id", _client(entry))
        for entry in seed.get("technical_accounts", []) or []:
            _put_keyed(store, "account", "login", _account(entry, today))


def _put_keyed(store: Store, kind: str, key: str, obj: dict) -> None:
    existing = next((o for o in store.all(kind) if o[key] == obj[key]), None)
    obj["id"] = existing["id"] if existing else store.next_id(f"seed_{kind}", 1)
    store.put(kind, obj)


def _client(entry: dict) -> dict:
    try:
        return {
            "client_id": str(entry["client_id"]),
            "client_secret": str(entry["client_secret"]),
            "families": [str(f) for f in entry.get("families", [])],
        }
    except (KeyError, TypeError) as exc:
        raise SeedError(f"PISTE client needs client_id and client_secret: {exc}") from None


def _account(entry: dict, today: dt.date) -> dict:
    try:
        login, password = str(entry["login"]), str(entry["password"])
    except (KeyError, TypeError) as exc:
        raise SeedError(f"technical account needs login and password: {exc}") from None
    if entry.get("password_expires"):
        expires = dt.date.fromisoformat(str(entry["password_expires"]))
    else:
        days = int(entry.get("password_expires_in_days", assumptions.PASSWORD_VALIDITY_DAYS))
        expires = today + dt.timedelta(days=days)
    return {
        "login": login,
        "password": password,
        "password_expires": expires.isoformat(),
        "sirets": [str(s) for s in entry.get("sirets", [])],
    }


def _put_structure(store: Store, entry: dict) -> None:
    if not isinstance(entry, dict) or not entry.get("siret") or not entry.get("name"):
        raise SeedError("a structure needs at least siret and name")
    siret = str(entry["siret"])
    existing = next((s for s in store.all("structure") if s["siret"] == siret), None)
    struct_id = int(entry.get("id") or (existing or {}).get("id") or store.next_id("seed_structure", 3001))
    flags = {flag: False for flag in STRUCTURE_FLAGS}
    flags.update({k: bool(v) for k, v in (entry.get("rules") or {}).items() if k in STRUCTURE_FLAGS})
    flags["getaMoa"] = bool(entry.get("moa", flags["getaMoa"]))
    flags["estMoaUniquement"] = bool(entry.get("moa_only", flags["estMoaUniquement"]))
    if entry.get("type", "PRIVEE") not in ("PRIVEE", "PUBLIQUE"):
        raise SeedError(f"structure {siret}: type must be PRIVEE or PUBLIQUE")
    store.put(
        "structure",
        {
            "id": struct_id,
            "siret": siret,
            "id_type": str(entry.get("id_type", "SIRET")),
            "name": str(entry["name"]),
            "type": entry.get("type", "PRIVEE"),
            "active": bool(entry.get("active", True)),
            "state": bool(entry.get("state", False)),
            "flags": flags,
            "tva": entry.get("tva"),
            "rcs": entry.get("rcs"),
            "email": entry.get("email"),
            "address": dict(entry.get("address") or {}),
            "services": [_service(store, s) for s in [*(entry.get("services") or []),
                                                      *_generated_services(siret, entry.get("generated_services"))]],
            "bank_accounts": [_bank_account(store, b) for b in entry.get("bank_accounts", []) or []],
            "ejs": [str(e) for e in entry.get("ejs", []) or []],
        },
    )


def _service(store: Store, entry: dict) -> dict:
    if not entry.get("code"):
        raise SeedError("a service needs a code")
    return {
        "id": int(entry.get("id") or store.next_id("seed_service", 6001)),
        "code": str(entry["code"]),
        "label": str(entry.get("label", entry["code"])),
        "active": bool(entry.get("active", True)),
        "ej_required": bool(entry.get("ej_required", False)),
    }


def _generated_services(siret: str, spec: dict | None) -> list[dict]:
    """Many numbered services in one line of seed: ``{count, first_id, code, label}``, where ``code`` and
    ``label`` are format strings of ``n`` (1-based), e.g. ``"UF_{n:03d}"``. Large buyers have hundreds of
    services (fidelity review B3); the seed holds one to prove lookups stay fast."""
    if not spec:
        return []
    try:
        count, first_id = int(spec["count"]), int(spec["first_id"])
        code, label = str(spec.get("code", "SERVICE_{n:03d}")), str(spec.get("label", "Service {n}"))
        return [{"id": first_id + n - 1, "code": code.format(n=n), "label": label.format(n=n), "active": True}
                for n in range(1, count + 1)]
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise SeedError(f"structure {siret}: generated_services needs count, first_id, code, label: {exc}") from None


def _bank_account(store: Store, entry: dict) -> dict:
    return {
        "id": int(entry.get("id") or store.next_id("seed_bank_account", 7501)),
        "name": str(entry.get("name", "Compte")),
        "iban": str(entry.get("iban", "")),
        "bic": str(entry.get("bic", "")),
        "valid": bool(entry.get("valid", True)),
    }
