"""The CSRF cookie (double submit: the cookie's value is also the form's token) and its rotation at sign-in."""

from __future__ import annotations

import hmac
import re

from fastapi import Request

from app.store.tokens import new_token

COOKIE, HOST_COOKIE = "csrftoken", "__Host-csrftoken"
FIELD = "csrf_token"
HEADER = "x-csrf-token"
SHAPE = re.compile(r"[A-Za-z0-9_-]{32,64}")  # what new_token() makes (43 characters); anything else is no token


def cookie_name(https: bool) -> str:
    """`__Host-csrftoken` over HTTPS (a sibling subdomain cannot set it), else `csrftoken`."""
    return HOST_COOKIE if https else COOKIE


def valid(token: str) -> bool:
    """True for a value shaped like a token we issue: a short or odd cookie never takes part in a comparison."""
    return SHAPE.fullmatch(token) is not None


def same_token(a: str, b: str) -> bool:
    """Constant-time comparison of two tokens."""
    return hmac.compare_digest(a.encode("utf-8", "surrogatepass"), b.encode("utf-8", "surrogatepass"))


def set_cookie(token: str, https: bool) -> str:
    """The Set-Cookie value of the CSRF cookie: HttpOnly, SameSite=Lax, Secure and __Host- over HTTPS."""
    return f"{cookie_name(https)}={token}; Path=/; HttpOnly; SameSite=Lax" + ("; Secure" if https else "")


def rotate(request: Request) -> None:
    """Issue a new CSRF token with this response (sign-in: a token planted or seen before it stops working)."""
    request.state.csrf_rotate = new_token()
