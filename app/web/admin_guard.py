"""The admin guard: the session cookie, the signed-in admin dependency and where to go after signing in."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, HTTPException, Request

from app.store import sessions
from app.store.models import utcnow
from app.web.render import is_htmx

Clock = Callable[[], datetime]
COOKIE, HOST_COOKIE = "admin", "__Host-admin"


@dataclass(frozen=True)
class CurrentAdmin:
    """The signed-in admin of one request and the hash of their session token."""

    id: int
    email: str
    session_hash: str


def clock_of(request: Request) -> Clock:
    """The app's clock (tests replace app.state.clock to move time without sleeping)."""
    clock: Clock = getattr(request.app.state, "clock", utcnow)
    return clock


def cookie_name(https: bool) -> str:
    """`__Host-admin` over HTTPS (needs Secure, Path=/ and no Domain), else `admin`."""
    return HOST_COOKIE if https else COOKIE


def session_cookie(token: str, https: bool) -> str:
    """The Set-Cookie value of a new admin session (a browser-session cookie; the server enforces expiry)."""
    secure = "; Secure" if https else ""
    return f"{cookie_name(https)}={token}; Path=/; HttpOnly; SameSite=Strict{secure}"


def clear_cookie(https: bool) -> str:
    """The Set-Cookie value that removes the admin cookie."""
    secure = "; Secure" if https else ""
    return f"{cookie_name(https)}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict{secure}"


def admin_cookie(request: Request) -> str:
    """The admin session token sent with this request ('' when none)."""
    return request.cookies.get(cookie_name(request.app.state.settings.https), "")


def refuse(request: Request) -> HTTPException:
    """Pages redirect (303) to the sign-in form; htmx and JSON requests get 401."""
    target = f"/admin/login?next={quote(_next_of(request), safe='/')}"
    wants_json = "application/json" in request.headers.get("accept", "")
    if request.method == "GET" and not is_htmx(request) and not wants_json:
        return HTTPException(status_code=303, headers={"Location": target})
    return HTTPException(status_code=401, headers={"HX-Redirect": target})


def _next_of(request: Request) -> str:
    """Where to come back to after signing in: this page for GETs, else the admin overview."""
    if request.method != "GET":
        return "/admin"
    query = f"?{request.url.query}" if request.url.query else ""
    return request.url.path + query


def require_admin(request: Request) -> CurrentAdmin:
    """The signed-in admin, else 303/401; refreshes the idle timer at most once a minute."""
    token, now = admin_cookie(request), clock_of(request)()
    if not token:
        raise refuse(request)
    with request.app.state.db.read() as session:
        found = sessions.live_session(session, token=token, now=now)
    if found is None:
        raise refuse(request)
    row, admin = found
    if now - row.last_seen_at >= sessions.TOUCH_EVERY:
        with request.app.state.db.write() as session:
            assert row.id is not None
            sessions.touch_session(session, session_id=row.id, now=now)
    assert admin.id is not None
    return CurrentAdmin(admin.id, admin.email, row.token_hash)


AdminDep = Annotated[CurrentAdmin, Depends(require_admin)]


def safe_next(raw: str) -> str:
    """A post-login redirect target limited to admin pages (no open redirect)."""
    if raw.startswith("/admin") and not raw.startswith("//") and "\\" not in raw and "\n" not in raw:
        return raw
    return "/admin"
