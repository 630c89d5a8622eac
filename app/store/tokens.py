"""Capability tokens: 256 random bits, stored only as their SHA-256 digest (architecture.md §10)."""

from __future__ import annotations

import hashlib
import secrets


def new_token() -> str:
    """A capability token: 256 random bits, URL-safe (43 characters)."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """The SHA-256 hex digest under which a token is stored; the token itself never is."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()
