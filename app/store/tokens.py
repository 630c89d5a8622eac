"""Capability tokens: 256 random bits, stored only as their SHA-256 digest (architecture.md §10)."""

from __future__ import annotations

import hashlib
import hmac
import secrets


def new_token() -> str:
    """A capability token: 256 random bits, URL-safe (43 characters)."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """The SHA-256 hex digest under which a token is stored; the token itself never is."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def pseudonym(secret: str, text: str) -> str:
    """A keyed digest of a client address or a typed email (HMAC-SHA-256, 32 hex characters): stable for one
    secret, so throttles can count by it, and useless for finding the text without the secret."""
    return hmac.new(secret.encode("utf-8"), text.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()[:32]
