"""Banners shown on every page (e.g. the technical password about to expire)."""

from __future__ import annotations


def banners_for(membership) -> list[dict]:
    """Return the banners for this member: dicts with ``level``, ``text`` and optional ``url``/``action``."""
    return []
