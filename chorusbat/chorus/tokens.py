"""PISTE OAuth2 access tokens, obtained once per application and shared by every thread.

chorus-pro-api.md §3.1: a token lives 3600 s and identifies the PISTE application, not the company, so one token
serves every call made with the same application until shortly before it expires. The cache is keyed by
(token URL, client id, a fingerprint of the secret) — the fingerprint makes a corrected secret take effect at once
instead of reusing a token obtained with the old one.

Concurrency: each key has its own lock, held while fetching, so eight threads asking at once cause exactly one
token request; the others wait and reuse its result. The clock is injectable for tests.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

# Renew when fewer than this many seconds remain (the main open-source connector uses about 240 s, §3.1)…
RENEW_MARGIN_SECONDS = 240.0


@dataclass(frozen=True)
class AccessToken:
    value: str = field(repr=False)
    obtained_at: float  # clock seconds
    lifetime: float  # seconds, ``expires_in``

    @property
    def expires_at(self) -> float:
        return self.obtained_at + self.lifetime

    @property
    def renew_at(self) -> float:
        """…but never later than half the lifetime, so short test lifetimes still renew before expiry."""
        return self.expires_at - min(RENEW_MARGIN_SECONDS, self.lifetime / 2)


@dataclass(frozen=True)
class TokenKey:
    token_url: str
    client_id: str
    secret_fingerprint: str = field(repr=False)

    @classmethod
    def for_application(cls, token_url: str, client_id: str, client_secret: str) -> TokenKey:
        digest = hashlib.sha256(f"{token_url}\0{client_id}\0{client_secret}".encode()).hexdigest()
        return cls(token_url, client_id, digest)


class TokenCache:
    """Thread-safe cache of access tokens. ``fetch`` is called with the key's lock held."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._tokens: dict[TokenKey, AccessToken] = {}
        self._locks: dict[TokenKey, threading.Lock] = {}
        self._guard = threading.Lock()

    def get(self, key: TokenKey, fetch: Callable[[], tuple[str, float]]) -> AccessToken:
        """A valid token for ``key``; ``fetch()`` returns ``(access_token, expires_in)`` when a new one is needed."""
        with self._lock_for(key):
            token = self._tokens.get(key)
            if token is not None and self.clock() < token.renew_at:
                return token
            requested_at = self.clock()  # the lifetime runs from the request, not from our reading of it
            value, lifetime = fetch()
            token = AccessToken(value=value, obtained_at=requested_at, lifetime=lifetime)
            self._tokens[key] = token
            return token

    def invalidate(self, key: TokenKey, token: AccessToken) -> None:
        """Forget ``token`` (refused by the API) unless another thread already replaced it."""
        with self._lock_for(key):
            if self._tokens.get(key) is token:
                del self._tokens[key]

    def clear(self) -> None:
        with self._guard:
            self._tokens.clear()

    def _lock_for(self, key: TokenKey) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(key, threading.Lock())


# The process-wide cache used when a client is not given one.
default_cache = TokenCache()
