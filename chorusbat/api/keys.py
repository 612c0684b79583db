"""API keys: creation (the key shown once), lookup by its digest, revocation, and the per-key rate limit."""

from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import Case, F, Value, When
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from chorusbat.api.models import KEY_PREFIX, ApiKey

RATE_WINDOW = timedelta(minutes=1)


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@sensitive_variables("raw")
def create_key(company, name: str, user=None) -> tuple[ApiKey, str]:
    """A new key for the company: the row, and the key itself (shown once, never stored)."""
    raw = KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey.objects.create(company=company, name=name.strip()[:100], prefix=raw[:12], key_hash=digest(raw),
                                created_by=user)
    return key, raw


@sensitive_variables("raw")
def authenticate(raw: str) -> ApiKey | None:
    """The active key with this value, or ``None``."""
    if not raw or not raw.startswith(KEY_PREFIX) or len(raw) > 200:
        return None
    return ApiKey.objects.select_related("company").filter(key_hash=digest(raw), revoked_at__isnull=True).first()


def revoke(key: ApiKey) -> None:
    if key.revoked_at is None:
        ApiKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


def rate_limit() -> int:
    """Calls a minute per key: the setting, else the environment variable, else 120."""
    value = getattr(settings, "CHORUSBAT_API_RATE_LIMIT", None) or os.environ.get("CHORUSBAT_API_RATE_LIMIT")
    try:
        return max(1, int(value)) if value else 120
    except ValueError:
        return 120


@dataclass(frozen=True)
class RateDecision:
    allowed: bool
    retry_after: int = 0


def count_call(key: ApiKey) -> RateDecision:
    """Count a call in the key's one-minute window (one conditional update, safe across processes)."""
    now = timezone.now()
    start = now - RATE_WINDOW
    ApiKey.objects.filter(pk=key.pk).update(
        window_calls=Case(When(window_started_at__gt=start, then=F("window_calls") + 1), default=Value(1)),
        window_started_at=Case(When(window_started_at__gt=start, then=F("window_started_at")), default=Value(now)),
        last_used_at=now,
    )
    calls, started = ApiKey.objects.filter(pk=key.pk).values_list("window_calls", "window_started_at").get()
    if calls <= rate_limit():
        return RateDecision(True)
    wait = (started + RATE_WINDOW - now).total_seconds()
    return RateDecision(False, retry_after=max(1, int(wait) + 1))
