"""Encryption of secrets at rest (technical passwords, PISTE secrets).

Fernet (AES-128-CBC + HMAC-SHA256, from ``cryptography``) is an authenticated cipher: a tampered or
truncated value fails to decrypt instead of yielding garbage. ``settings.ENCRYPTION_KEYS`` is a list:
the first key encrypts, every key decrypts, so a key is rotated by putting a new one first and running
``chorusbat rotate-encryption-keys``, which re-encrypts every stored secret with it.
"""

from __future__ import annotations

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models
from django.views.decorators.debug import sensitive_variables


class SecretUnreadable(Exception):
    """A stored secret could not be decrypted with any configured key."""


@lru_cache(maxsize=8)
def _cipher(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise SecretUnreadable("No encryption key is configured.")
    return MultiFernet([Fernet(k.encode()) for k in keys])


def _current() -> MultiFernet:
    return _cipher(tuple(settings.ENCRYPTION_KEYS))


@sensitive_variables("plaintext")
def encrypt(plaintext: str) -> str:
    return _current().encrypt(plaintext.encode("utf-8")).decode("ascii")


@sensitive_variables("token")
def decrypt(token: str) -> str:
    try:
        return _current().decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, ValueError) as exc:
        raise SecretUnreadable("A stored secret cannot be decrypted with the configured keys.") from exc


def rotate(token: str) -> str:
    """Re-encrypt ``token`` with the first (current) key."""
    try:
        return _current().rotate(token.encode("ascii")).decode("ascii")
    except (InvalidToken, ValueError) as exc:
        raise SecretUnreadable("A stored secret cannot be decrypted with the configured keys.") from exc


def encrypted_fields():
    """Every ``(model, field)`` of the project that stores a Fernet token (an :class:`EncryptedTextField`)."""
    from django.apps import apps

    return [
        (model, field)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, EncryptedTextField)
    ]


class EncryptedTextField(models.TextField):
    """A text column holding a secret encrypted with :func:`encrypt` (never the secret itself).

    The class is the marker ``chorusbat rotate-encryption-keys`` looks for: every column of this class, in every
    model, is re-encrypted with the current key, so a new encrypted column cannot be forgotten by the rotation.
    """
