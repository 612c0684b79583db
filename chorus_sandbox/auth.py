"""The two credential layers (reference §3): PISTE OAuth2 tokens and the ``cpro-account`` header.

``issue_token`` serves ``POST /api/oauth/token``; ``authenticate`` is the gateway check run before every
``/cpro/...`` operation. Secrets never leave this module: error bodies come from assumptions.py and never
echo what the caller sent.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hmac
import secrets
import time
from dataclasses import dataclass
from urllib.parse import parse_qs

from . import assumptions
from .core import App


@dataclass
class Refusal:
    """A gateway refusal: HTTP status and raw body (JSON object, or bytes for an empty body)."""

    status: int
    body: dict | bytes


def _oauth_error(status: int, error: str, description: str) -> Refusal:
    return Refusal(status, {"error": error, "error_description": description})


def issue_token(app: App, content_type: str, raw_body: bytes, authorization: str | None) -> tuple[int, dict]:
    """Client-credentials grant. Credentials come from the form body or, per RFC 6749, HTTP Basic."""
    if not content_type.lower().startswith("application/x-www-form-urlencoded"):
        refusal = _oauth_error(400, "invalid_request", "Le corps doit être application/x-www-form-urlencoded")
        return refusal.status, refusal.body
    try:
        form = {k: v[0] for k, v in parse_qs(raw_body.decode("utf-8"), keep_blank_values=True).items()}
    except UnicodeDecodeError:
        return 400, {"error": "invalid_request", "error_description": "Corps illisible"}
    if form.get("grant_type") != "client_credentials":
        return 400, {"error": "unsupported_grant_type",
                     "error_description": "grant_type doit valoir client_credentials"}
    client_id, client_secret = form.get("client_id"), form.get("client_secret")
    if (not client_id or not client_secret) and authorization and authorization.lower().startswith("basic "):
        client_id, client_secret = _decode_pair(authorization[6:])
    client = next((c for c in app.store.all("client") if c["client_id"] == client_id), None)
    if client is None or not client_secret or not hmac.compare_digest(client["client_secret"], client_secret):
        return assumptions.INVALID_CLIENT_STATUS, {
            "error": "invalid_client",
            "error_description": "Identifiant ou secret client invalide",
        }
    token = secrets.token_urlsafe(32)
    lifetime = int(app.config.token_lifetime)
    app.store.add_token(token, client["client_id"], time.time() + lifetime)
    return 200, {"access_token": token, "token_type": "Bearer", "expires_in": lifetime, "scope": "openid"}


def _decode_pair(encoded: str) -> tuple[str | None, str | None]:
    """base64(``login:password``) → (login, password); (None, None) when it does not decode."""
    try:
        text = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None, None
    if ":" not in text:
        return None, None
    login, password = text.split(":", 1)
    return login, password


def client_for_bearer(app: App, authorization: str | None) -> dict | Refusal:
    """The PISTE client of a valid ``Authorization: Bearer`` token, or a 401 refusal."""
    if not authorization or not authorization.lower().startswith("bearer "):
        return Refusal(401, assumptions.BEARER_REJECTED_BODY)
    found = app.store.get_token(authorization[7:].strip())
    if found is None or found[1] <= time.time():
        return Refusal(401, assumptions.BEARER_REJECTED_BODY)
    client = next((c for c in app.store.all("client") if c["client_id"] == found[0]), None)
    return client if client is not None else Refusal(401, assumptions.BEARER_REJECTED_BODY)


def check_subscription(client: dict, family: str) -> Refusal | None:
    """403 with an empty body for an API family the application is not subscribed to (§3.2)."""
    if family not in client["families"]:
        return Refusal(403, assumptions.NOT_SUBSCRIBED_BODY)
    return None


def account_for_header(app: App, header: str | None, today: dt.date) -> dict | Refusal:
    """The technical account named by ``cpro-account``; 401 when missing, unknown, wrong or expired."""
    if not header:
        return Refusal(401, assumptions.BAD_ACCOUNT_BODY)
    login, password = _decode_pair(header)
    if login is None:
        return Refusal(401, assumptions.BAD_ACCOUNT_BODY)
    account = next((a for a in app.store.all("account") if a["login"] == login), None)
    if account is None or not hmac.compare_digest(account["password"].encode(), password.encode()):
        return Refusal(401, assumptions.BAD_ACCOUNT_BODY)
    if dt.date.fromisoformat(account["password_expires"]) < today:
        return Refusal(401, assumptions.EXPIRED_PASSWORD_BODY)
    return account
