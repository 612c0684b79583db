"""The sandbox's state: one SQLite file, so it survives a restart and can be reset.

Objects (structures, accounts, invoices, fluxes, …) are stored as JSON documents keyed by (kind, id): the
sandbox holds a few hundred objects at most, so filtering in Python is simpler than a relational schema and
keeps the Chorus field names in one place (the API modules). File contents (attachments, fluxes) go to a
separate table of blobs. Every access goes through one re-entrant lock: the HTTP server is threaded and the
clock thread advances statuses concurrently; serialising them keeps each API call atomic.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS objects (
    kind TEXT NOT NULL,
    id INTEGER NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (kind, id)
);
CREATE TABLE IF NOT EXISTS blobs (id INTEGER PRIMARY KEY, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS settings (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tokens (token TEXT PRIMARY KEY, client_id TEXT NOT NULL, expires_at REAL NOT NULL);
"""


def _encode(value: Any) -> Any:
    """JSON default: Decimals are stored as strings so money keeps its exact value."""
    if isinstance(value, Decimal):
        return {"$decimal": str(value)}
    raise TypeError(f"cannot store {type(value).__name__}")


def _decode(obj: dict) -> Any:
    if set(obj) == {"$decimal"}:
        return Decimal(obj["$decimal"])
    return obj


def dumps(obj: Any) -> str:
    return json.dumps(obj, default=_encode, ensure_ascii=False, sort_keys=True)


def loads(text: str) -> Any:
    return json.loads(text, object_hook=_decode)


class Store:
    """JSON documents, blobs, counters and settings in one SQLite file."""

    def __init__(self, path: str | Path):
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self.lock = threading.RLock()
        self._conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        # WAL + NORMAL: committed state survives a process restart; commits stay fast for per-test resets.
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.executescript(SCHEMA)
        self._depth = 0

    def close(self) -> None:
        with self.lock:
            self._conn.close()

    @contextmanager
    def transaction(self) -> Iterator[Store]:
        """Hold the lock and group writes in one SQLite transaction (nested calls join the outer one)."""
        with self.lock:
            outer = self._depth == 0
            if outer:
                self._conn.execute("BEGIN IMMEDIATE")
            self._depth += 1
            try:
                yield self
            except BaseException:
                self._depth -= 1
                if outer:
                    self._conn.execute("ROLLBACK")
                raise
            self._depth -= 1
            if outer:
                self._conn.execute("COMMIT")

    # --- documents ---------------------------------------------------------------------------------------

    def get(self, kind: str, id_: int) -> dict | None:
        with self.lock:
            row = self._conn.execute("SELECT data FROM objects WHERE kind = ? AND id = ?", (kind, id_)).fetchone()
        return loads(row[0]) if row else None

    def all(self, kind: str) -> list[dict]:
        with self.lock:
            rows = self._conn.execute("SELECT data FROM objects WHERE kind = ? ORDER BY id", (kind,)).fetchall()
        return [loads(r[0]) for r in rows]

    def put(self, kind: str, obj: dict) -> dict:
        with self.transaction():
            self._conn.execute(
                "INSERT OR REPLACE INTO objects (kind, id, data) VALUES (?, ?, ?)", (kind, int(obj["id"]), dumps(obj))
            )
        return obj

    def count(self, kind: str) -> int:
        with self.lock:
            return self._conn.execute("SELECT COUNT(*) FROM objects WHERE kind = ?", (kind,)).fetchone()[0]

    # --- blobs (file contents) ---------------------------------------------------------------------------

    def put_blob(self, data: bytes) -> int:
        with self.transaction():
            cur = self._conn.execute("INSERT INTO blobs (data) VALUES (?)", (data,))
            return int(cur.lastrowid)

    def get_blob(self, blob_id: int) -> bytes | None:
        with self.lock:
            row = self._conn.execute("SELECT data FROM blobs WHERE id = ?", (blob_id,)).fetchone()
        return bytes(row[0]) if row else None

    # --- counters and settings ---------------------------------------------------------------------------

    def next_id(self, name: str, start: int) -> int:
        """Deterministic id generator: ``start``, ``start + 1``, … per counter name; reset restarts them."""
        with self.transaction():
            row = self._conn.execute("SELECT value FROM counters WHERE name = ?", (name,)).fetchone()
            value = start if row is None else row[0] + 1
            self._conn.execute("INSERT OR REPLACE INTO counters (name, value) VALUES (?, ?)", (name, value))
        return value

    def get_setting(self, name: str, default: Any = None) -> Any:
        with self.lock:
            row = self._conn.execute("SELECT value FROM settings WHERE name = ?", (name,)).fetchone()
        return loads(row[0]) if row else default

    def set_setting(self, name: str, value: Any) -> None:
        with self.transaction():
            self._conn.execute("INSERT OR REPLACE INTO settings (name, value) VALUES (?, ?)", (name, dumps(value)))

    # --- OAuth tokens ------------------------------------------------------------------------------------

    def add_token(self, token: str, client_id: str, expires_at: float) -> None:
        with self.transaction():
            self._conn.execute("INSERT INTO tokens VALUES (?, ?, ?)", (token, client_id, expires_at))

    def get_token(self, token: str) -> tuple[str, float] | None:
        with self.lock:
            row = self._conn.execute("SELECT client_id, expires_at FROM tokens WHERE token = ?", (token,)).fetchone()
        return (row[0], row[1]) if row else None

    def expire_tokens(self) -> None:
        with self.transaction():
            self._conn.execute("UPDATE tokens SET expires_at = 0")

    # --- reset -------------------------------------------------------------------------------------------

    def wipe(self, keep_settings: tuple[str, ...] = ()) -> None:
        """Delete everything except the named settings (used by reset, before re-seeding)."""
        with self.transaction():
            for table in ("objects", "blobs", "counters", "tokens"):
                self._conn.execute(f"DELETE FROM {table}")
            if keep_settings:
                marks = ",".join("?" for _ in keep_settings)
                self._conn.execute(f"DELETE FROM settings WHERE name NOT IN ({marks})", keep_settings)
            else:
                self._conn.execute("DELETE FROM settings")
