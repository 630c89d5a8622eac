"""Admin accounts: argon2id passwords, server-side sessions, login throttling and the admin dependency."""

from __future__ import annotations

import math
import threading
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Annotated
from urllib.parse import quote

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from fastapi import Depends, HTTPException, Request
from sqlalchemy import delete, func, not_
from sqlmodel import Session, col, select

from app.settings import ROOT
from app.store.models import AdminSession, AdminUser, LoginAttempt, utcnow
from app.web.guard import new_token, token_hash
from app.web.render import is_htmx

Clock = Callable[[], datetime]
COOKIE, HOST_COOKIE = "admin", "__Host-admin"
IDLE, ABSOLUTE = timedelta(minutes=30), timedelta(hours=12)
TOUCH_EVERY = timedelta(seconds=60)
MIN_PASSWORD, MAX_PASSWORD, MAX_EMAIL = 12, 1024, 254
FREE_FAILURES, MAX_DELAY_S = 5, 15 * 60
IP_LIMIT, IP_WINDOW = 10, timedelta(minutes=1)
KEEP_ATTEMPTS = timedelta(days=1)
VERIFY_SLOTS, VERIFY_WAIT_S = 2, 10.0
COMMON_FILE = ROOT / "app" / "data" / "common-passwords.txt"

_hasher = PasswordHasher()  # argon2-cffi defaults: argon2id, t=3, m=64 MiB, p=4
_verify_slots = threading.BoundedSemaphore(VERIFY_SLOTS)


class Busy(Exception):
    """More concurrent password verifications than the semaphore allows: answer 503."""


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


# ------------------------------------------------------------------ passwords
@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The shipped list of common passwords, case-folded."""
    lines = COMMON_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().casefold() for line in lines if line.strip() and not line.startswith("#"))


def normalise_email(raw: str) -> str:
    """An email as stored and compared: trimmed, NFC, lower case."""
    return unicodedata.normalize("NFC", raw.strip()).lower()


def email_problem(email: str) -> str:
    """'' for a plausible email address, else what is wrong."""
    local, at, domain = email.partition("@")
    if not email:
        return "Enter an email address"
    if len(email) > MAX_EMAIL or not at or not local or "." not in domain or any(c.isspace() for c in email):
        return "Enter an email address like name@example.org"
    return ""


def password_problem(password: str, email: str = "") -> str:
    """'' for an acceptable new password, else what is wrong (12–1024 characters, not a common one)."""
    if len(password) < MIN_PASSWORD:
        return f"Enter a password of at least {MIN_PASSWORD} characters"
    if len(password) > MAX_PASSWORD:
        return f"Enter a password of at most {MAX_PASSWORD} characters"
    folded = password.casefold()
    if folded in common_passwords() or (email and folded == email.casefold()):
        return "This password is too common: choose a longer or less predictable one"
    return ""


def hash_password(password: str) -> str:
    """An argon2id hash ($argon2id$…) of a password."""
    return _hasher.hash(password)


@lru_cache(maxsize=1)
def dummy_hash() -> str:
    """A fixed hash verified for unknown accounts, so their timing matches a wrong password."""
    return _hasher.hash("not the password of any account: " + new_token())


def verify_password(stored: str | None, password: str) -> tuple[bool, str | None]:
    """(matches, a fresh hash when the stored one needs rehashing); at most two run at once."""
    if not _verify_slots.acquire(timeout=VERIFY_WAIT_S):
        raise Busy()
    try:
        try:
            _hasher.verify(stored or dummy_hash(), password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False, None
        if stored is None:
            return False, None
        return True, (_hasher.hash(password) if _hasher.check_needs_rehash(stored) else None)
    finally:
        _verify_slots.release()


# ------------------------------------------------------------------ sessions
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


def start_session(session: Session, *, admin: AdminUser, now: datetime) -> str:
    """A new session (fresh random token, only its hash stored); returns the token for the cookie."""
    assert admin.id is not None
    token = new_token()
    session.add(AdminSession(
        token_hash=token_hash(token), admin_id=admin.id, created_at=now, last_seen_at=now, expires_at=now + ABSOLUTE,
    ))
    admin.last_login_at = now
    session.add(admin)
    return token


def live_session(session: Session, *, token: str, now: datetime) -> tuple[AdminSession, AdminUser] | None:
    """The session behind a cookie token and its admin, unless revoked, idle, past 12 h or deactivated."""
    if not 20 <= len(token) <= 64:
        return None
    row = session.exec(
        select(AdminSession, AdminUser).join(AdminUser, col(AdminUser.id) == AdminSession.admin_id)
        .where(AdminSession.token_hash == token_hash(token))
    ).first()
    if row is None:
        return None
    found, admin = row
    if found.revoked_at is not None or not admin.active:
        return None
    if now >= found.expires_at or now - found.last_seen_at >= IDLE:
        return None
    return found, admin


def end_session(session: Session, *, token_sha: str) -> None:
    """Sign-out: delete the session row."""
    session.execute(delete(AdminSession).where(col(AdminSession.token_hash) == token_sha))


def revoke_sessions(session: Session, *, admin_id: int, now: datetime, keep: str = "") -> int:
    """End every live session of one admin except the one whose hash is `keep`; returns how many."""
    rows = session.exec(select(AdminSession).where(
        AdminSession.admin_id == admin_id, col(AdminSession.revoked_at).is_(None), AdminSession.token_hash != keep,
    )).all()
    for row in rows:
        row.revoked_at = now
        session.add(row)
    return len(rows)


# ------------------------------------------------------------------ throttling
def account_key(email: str) -> str:
    """The login_attempt key of an account (known or not: both are throttled alike)."""
    return f"account:{email[:MAX_EMAIL]}"


def address_key(address: str) -> str:
    """The login_attempt key of a client address."""
    return f"ip:{address[:64]}"


def address_wait(session: Session, *, address: str, now: datetime) -> int:
    """Seconds until this address may POST the login form again (0 = now); 10 POSTs per minute."""
    since = now - IP_WINDOW
    recent = session.exec(select(LoginAttempt.at).where(
        LoginAttempt.key == address_key(address), LoginAttempt.at > since,
    ).order_by(col(LoginAttempt.at).desc()).limit(IP_LIMIT)).all()
    if len(recent) < IP_LIMIT:
        return 0
    return max(1, math.ceil((min(recent) + IP_WINDOW - now).total_seconds()))


def account_wait(session: Session, *, email: str, now: datetime) -> int:
    """Seconds until this account may try again: after 5 consecutive failures, 1 s doubling up to 15 min."""
    key = account_key(email)
    last_ok = session.exec(select(func.max(LoginAttempt.at)).where(LoginAttempt.key == key, col(LoginAttempt.ok))).one()
    query = select(func.count(), func.max(LoginAttempt.at)).where(LoginAttempt.key == key, not_(col(LoginAttempt.ok)))
    if last_ok is not None:
        query = query.where(LoginAttempt.at > last_ok)
    failures, last = session.exec(query).one()
    if failures < FREE_FAILURES or last is None:
        return 0
    delay = timedelta(seconds=min(2 ** (failures - FREE_FAILURES), MAX_DELAY_S))
    return max(0, math.ceil((last + delay - now).total_seconds()))


def record_attempt(session: Session, *, key: str, ok: bool, now: datetime) -> None:
    """Store one attempt and forget attempts older than a day."""
    session.add(LoginAttempt(key=key, ok=ok, at=now))
    session.execute(delete(LoginAttempt).where(col(LoginAttempt.at) < now - KEEP_ATTEMPTS))


# ------------------------------------------------------------------ the admin dependency
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
        found = live_session(session, token=token, now=now)
    if found is None:
        raise refuse(request)
    row, admin = found
    if now - row.last_seen_at >= TOUCH_EVERY:
        with request.app.state.db.write() as session:
            fresh = session.get(AdminSession, row.id)
            if fresh is not None:
                fresh.last_seen_at = now
                session.add(fresh)
    assert admin.id is not None
    return CurrentAdmin(admin.id, admin.email, row.token_hash)


AdminDep = Annotated[CurrentAdmin, Depends(require_admin)]


def safe_next(raw: str) -> str:
    """A post-login redirect target limited to admin pages (no open redirect)."""
    if raw.startswith("/admin") and not raw.startswith("//") and "\\" not in raw and "\n" not in raw:
        return raw
    return "/admin"
