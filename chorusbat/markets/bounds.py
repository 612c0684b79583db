"""Database side of ``chorusbat/engine/limits.py``: check constraints built from the same limits.

A value beyond a limit can never be stored, whatever path it takes (form, import, command, shell): the database
refuses it like the screens do, so no stored row can make a page, a PDF or a sum fail later.
"""

from __future__ import annotations

from django.db import models


def between(field: str, low, high, *, name: str, nullable: bool = False) -> models.CheckConstraint:
    """``low <= field <= high`` (``None`` for an open side); ``nullable`` lets NULL through."""
    condition = models.Q()
    if low is not None:
        condition &= models.Q(**{f"{field}__gte": low})
    if high is not None:
        condition &= models.Q(**{f"{field}__lte": high})
    if nullable:
        condition = models.Q(**{f"{field}__isnull": True}) | condition
    return models.CheckConstraint(condition=condition, name=name)
