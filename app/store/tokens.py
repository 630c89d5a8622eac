"""Capability tokens: 256 random bits, stored only as their SHA-256 digest (architecture.md §10).

View links made by the holder of an edit link are derived from it, so the manage page can show their addresses
again without storing them: view = base64url(HMAC-SHA-256(key=edit token, msg=b"view-link:" + nonce)), with a
random nonce per link stored beside the link's hash. The database holds the nonce and the view token's hash but
never the edit token (only its hash), so a leaked database still yields no working link. Replacing the edit link
changes the key: links made under the old one keep working but their addresses can no longer be shown."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

# Domain separation: this key (an edit token) must never produce a value that means something elsewhere.
VIEW_LINK = b"view-link:"


def new_token() -> str:
    """A capability token: 256 random bits, URL-safe (43 characters)."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """The SHA-256 hex digest under which a token is stored; the token itself never is."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def new_nonce() -> str:
    """The random per-link input of a derived view token: 128 bits, URL-safe (22 characters)."""
    return secrets.token_urlsafe(16)


def view_token(edit_token: str, nonce: str) -> str:
    """The view token derived from an edit token and a link's nonce: 43 URL-safe characters, like new_token()."""
    digest = hmac.new(edit_token.encode("utf-8", "surrogatepass"), VIEW_LINK + nonce.encode("utf-8"),
                      hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def recover_view_token(edit_token: str, nonce: str | None, stored_hash: str) -> str | None:
    """A link's view token recomputed from the edit token, when it was derived from this very edit token (its hash
    matches); None for links with no nonce (made before derivation, or without an edit token) or another key."""
    if not nonce:
        return None
    candidate = view_token(edit_token, nonce)
    return candidate if hmac.compare_digest(token_hash(candidate), stored_hash) else None


def pseudonym(secret: str, text: str) -> str:
    """A keyed digest of a client address or a typed email (HMAC-SHA-256, 32 hex characters): stable for one
    secret, so throttles can count by it, and useless for finding the text without the secret."""
    return hmac.new(secret.encode("utf-8"), text.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()[:32]
