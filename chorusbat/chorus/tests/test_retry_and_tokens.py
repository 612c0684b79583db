"""Backoff with full jitter, Retry-After, and the thread-safe token cache (§3.1)."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

from chorusbat.chorus.retry import RetryPolicy, parse_retry_after
from chorusbat.chorus.tokens import TokenCache, TokenKey


def test_backoff_is_exponential_capped_and_fully_jittered():
    top = RetryPolicy(base_delay=0.5, max_delay=8, random=lambda: 0.999999)
    assert [round(top.backoff(n), 2) for n in (1, 2, 3, 4, 5, 6)] == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]
    assert RetryPolicy(random=lambda: 0.0).backoff(3) == 0.0  # full jitter reaches zero


def test_retry_after_is_honoured_and_capped():
    policy = RetryPolicy(max_retry_after=30, random=lambda: 0.5)
    assert policy.delay(1, retry_after=2) == 2
    assert policy.delay(1, retry_after=3600) == 30
    assert policy.delay(1) == 0.25


def test_retry_after_header_forms():
    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after("Thu, 01 Jan 2026 12:00:10 GMT", now=now) == 10.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None
    assert parse_retry_after("-5") == 0.0


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_token_is_reused_until_240_seconds_before_expiry():
    clock, cache, fetches = Clock(), None, []
    cache = TokenCache(clock=clock)
    key = TokenKey.for_application("http://t/token", "id", "secret")

    def fetch():
        fetches.append(1)
        return f"tok{len(fetches)}", 3600

    assert cache.get(key, fetch).value == "tok1"
    clock.now += 3600 - 241
    assert cache.get(key, fetch).value == "tok1"
    clock.now += 2
    assert cache.get(key, fetch).value == "tok2"
    assert len(fetches) == 2


def test_short_lifetimes_renew_at_half_life():
    clock = Clock()
    cache = TokenCache(clock=clock)
    key = TokenKey.for_application("http://t/token", "id", "secret")
    values = iter(["a", "b"])
    assert cache.get(key, lambda: (next(values), 4)).value == "a"
    clock.now += 1.9
    assert cache.get(key, lambda: (next(values), 4)).value == "a"
    clock.now += 0.2
    assert cache.get(key, lambda: (next(values), 4)).value == "b"


def test_eight_threads_asking_at_once_cause_one_token_request():
    cache = TokenCache()
    key = TokenKey.for_application("http://t/token", "id", "secret")
    calls = []
    barrier = threading.Barrier(8)
    results = []

    def fetch():
        calls.append(1)
        time.sleep(0.05)  # hold the lock while the other threads pile up
        return "shared", 3600

    def worker():
        barrier.wait()
        results.append(cache.get(key, fetch).value)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)
    assert calls == [1]
    assert results == ["shared"] * 8


def test_invalidate_drops_only_the_refused_token():
    cache = TokenCache()
    key = TokenKey.for_application("http://t/token", "id", "secret")
    old = cache.get(key, lambda: ("old", 3600))
    cache.invalidate(key, old)
    new = cache.get(key, lambda: ("new", 3600))
    cache.invalidate(key, old)  # a late invalidation of the old token keeps the new one
    assert cache.get(key, lambda: ("newer", 3600)) is new


def test_one_token_per_application_and_secret():
    a = TokenKey.for_application("http://t/token", "id", "secret")
    assert a == TokenKey.for_application("http://t/token", "id", "secret")
    assert a != TokenKey.for_application("http://t/token", "id", "other-secret")
    assert a != TokenKey.for_application("http://t/token", "id2", "secret")
    assert "secret" not in repr(a)
