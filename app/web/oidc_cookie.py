"""The single sign-on in progress in one browser: state, nonce and PKCE verifier in a short-lived signed cookie."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from dataclasses import asdict, dataclass

from fastapi import Request

COOKIE, HOST_COOKIE = "oidc", "__Host-oidc"
TTL_SECONDS = 600  # long enough to type a password and pass a second factor at the provider
MAX_COOKIE = 1024  # ours are ~300 characters: anything longer is not ours and is never decoded


@dataclass(frozen=True)
class Pending:
    """What the callback must find again: the state sent, the nonce expected, the PKCE verifier, where to go."""

    state: str
    nonce: str
    verifier: str
    next: str
    expires: int  # Unix seconds


def cookie_name(https: bool) -> str:
    """`__Host-oidc` over HTTPS (a sibling subdomain cannot plant it), else `oidc`."""
    return HOST_COOKIE if https else COOKIE


def _mac(secret: str, body: str) -> str:
    """HMAC-SHA256 of the cookie body under a key derived for this cookie alone."""
    key = hashlib.sha256(b"tunewise oidc pending\x00" + secret.encode()).digest()
    return hmac.new(key, body.encode("ascii"), hashlib.sha256).hexdigest()


def seal(pending: Pending, secret: str) -> str:
    """The cookie value: base64url(JSON) '.' its HMAC."""
    raw = json.dumps(asdict(pending), separators=(",", ":")).encode()
    body = base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")
    return f"{body}.{_mac(secret, body)}"


def unseal(value: str, secret: str, *, now: float) -> Pending | None:
    """The pending sign-in of a cookie value, or None when it is missing, tampered with, malformed or expired."""
    body, _, mac = value.partition(".")
    if not body or len(value) > MAX_COOKIE or not hmac.compare_digest(mac, _mac(secret, body)):
        return None
    try:
        fields = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        pending = Pending(**{name: fields[name] for name in Pending.__dataclass_fields__})
    except (ValueError, TypeError, KeyError, binascii.Error):
        return None
    return pending if isinstance(pending.expires, int) and now < pending.expires else None


def set_cookie(value: str, https: bool) -> str:
    """Set-Cookie of a new pending sign-in. SameSite=Lax, not Strict: the provider's redirect back is a
    cross-site top-level navigation and must carry it."""
    secure = "; Secure" if https else ""
    return f"{cookie_name(https)}={value}; Path=/; Max-Age={TTL_SECONDS}; HttpOnly; SameSite=Lax{secure}"


def clear_cookie(https: bool) -> str:
    """Set-Cookie that ends the pending sign-in (every callback, whatever its outcome: state is single use)."""
    secure = "; Secure" if https else ""
    return f"{cookie_name(https)}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax{secure}"


def pending_of(request: Request, secret: str, *, now: float) -> Pending | None:
    """The verified pending sign-in this browser sent, if any."""
    return unseal(request.cookies.get(cookie_name(request.app.state.settings.https), ""), secret, now=now)
