"""Shared vocabulary of the API modules: the application object, the call context, errors, paging and dates.

Every API operation is a function ``(ctx: Ctx, body: dict) -> dict``. It returns the response body (the
success envelope is added by the server) or raises ``ApiError`` for a Chorus-style error answer.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from . import assumptions
from .store import Store


class ApiError(Exception):
    """A Chorus-style error: ``{codeRetour, libelle}`` with an HTTP status."""

    def __init__(self, key: str, status: int | None = None, **params: Any):
        code, libelle = assumptions.CODES[key]
        self.key = key
        self.code = code
        self.libelle = libelle.format(**params) if params else libelle
        #: None means "a business rejection": the server answers with Config.business_error_status.
        self.status = status
        super().__init__(f"{key}: {self.libelle}")

    def body(self) -> dict:
        return {"codeRetour": self.code, "libelle": self.libelle}


@dataclass
class Config:
    """Run-time settings of one sandbox process (command line, then ``/_sim/config``)."""

    token_lifetime: int = assumptions.DEFAULT_TOKEN_LIFETIME
    business_error_status: int = assumptions.BUSINESS_ERROR_STATUS
    status_after_completer: str = assumptions.STATUS_AFTER_COMPLETER
    clock_speed: float = 1.0
    #: Whether the works family (``facturesTravaux``) is served; ``false`` answers 404 as PISTE does for a route it
    #: does not expose (review U1, B8: whether works deposits are on PISTE at all is UNCONFIRMED).
    works_api: bool = assumptions.WORKS_ENABLED


@dataclass
class App:
    """What every request handler needs: the store, the settings and the clock."""

    store: Store
    config: Config
    seed: dict
    now_fn: Callable[[], dt.datetime] = field(default=lambda: dt.datetime.now().astimezone())

    def now(self) -> dt.datetime:
        return self.now_fn()

    def today(self) -> dt.date:
        return self.now().date()

    # --- structure lookups ------------------------------------------------------------------------------

    def structure(self, struct_id: int | None) -> dict | None:
        return self.store.get("structure", int(struct_id)) if struct_id is not None else None

    def structure_by_siret(self, siret: str | None) -> dict | None:
        if not siret:
            return None
        return next((s for s in self.store.all("structure") if s["siret"] == str(siret)), None)

    def invoice(self, invoice_id: Any) -> dict:
        try:
            invoice = self.store.get("invoice", int(invoice_id))
        except (TypeError, ValueError):
            invoice = None
        if invoice is None:
            raise ApiError("UNKNOWN_INVOICE")
        return invoice


@dataclass
class Ctx:
    """One authenticated API call: the PISTE client and the technical account behind it."""

    app: App
    client: dict
    account: dict | None

    @property
    def store(self) -> Store:
        return self.app.store

    def own_structures(self) -> list[dict]:
        sirets = set(self.account["sirets"]) if self.account else set()
        return [s for s in self.store.all("structure") if s["siret"] in sirets]

    def own_structure_ids(self) -> set[int]:
        return {s["id"] for s in self.own_structures()}


def service_of(structure: dict, code: str | None = None, service_id: int | None = None) -> dict | None:
    for service in structure.get("services", []):
        if (code is not None and service["code"] == code) or (service_id is not None and service["id"] == service_id):
            return service
    return None


# --- dates: the mix of formats production emits (§6) --------------------------------------------------------

def date_only(value: dt.datetime | dt.date | str) -> str:
    """``YYYY-MM-DD``."""
    if isinstance(value, str):
        return value[:10]
    return value.strftime("%Y-%m-%d")


def date_minutes(value: dt.datetime) -> str:
    """``YYYY-MM-DD HH:mm`` (used by history entries)."""
    return value.strftime("%Y-%m-%d %H:%M")


def date_iso(value: dt.datetime) -> str:
    """ISO 8601 with milliseconds and offset, e.g. ``2017-02-27T18:26:36.010+01:00``."""
    return value.isoformat(timespec="milliseconds")


def parse_date(value: Any) -> dt.datetime | None:
    """Tolerant parser for request dates (``YYYY-MM-DD``, ``YYYY-MM-DDTHH:MM:SS``, with or without offset)."""
    if not value or not isinstance(value, str):
        return None
    text = value.strip().replace(" ", "T")
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ApiError("INVALID_FIELD", field="date", detail=f"date illisible {value!r}") from None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone().replace(tzinfo=None)
    return parsed


def stored_datetime(value: str) -> dt.datetime:
    """Stored timestamps are ISO strings with offset; comparisons use naive local time."""
    return dt.datetime.fromisoformat(value).astimezone().replace(tzinfo=None)


# --- money ------------------------------------------------------------------------------------------------

def money(value: Any, field_name: str = "montant") -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise ApiError("INVALID_FIELD", field=field_name, detail="montant illisible") from None


# --- paging -----------------------------------------------------------------------------------------------

def paginate(items: list, page: Any, per_page: Any) -> tuple[list, dict]:
    """1-based pages; default page size from assumptions; returns (page items, parametresRetour)."""
    size = int(per_page) if isinstance(per_page, int) and per_page > 0 else assumptions.DEFAULT_PAGE_SIZE
    number = int(page) if isinstance(page, int) and page > 0 else 1
    pages = max(1, math.ceil(len(items) / size))
    chunk = items[(number - 1) * size : number * size]
    return chunk, {"pageCourante": number, "pages": pages, "nbResultatsParPage": size, "total": len(items)}


def no_result(key: str = "NO_RESULT", **extra: Any) -> dict:
    """Searches without result: HTTP 200 with codeRetour 20000 (or 20007 for works)."""
    code, libelle = assumptions.CODES[key]
    return {"codeRetour": code, "libelle": libelle, **extra}
