"""Admin sign-in, sign-out, the first-admin setup link and password changes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.routes.admin.common import client_address, now, page
from app.store import admins as admin_repo
from app.store import passwords, sessions
from app.store.db import Database
from app.store.models import AdminUser
from app.store.tokens import pseudonym, token_hash
from app.web import admin_guard as auth
from app.web import csrf
from app.web.admin_guard import AdminDep
from app.web.deps import DbDep, SettingsDep
from app.web.forms import first, form_fields
from app.web.render import see_other

router = APIRouter(include_in_schema=False)
BAD_CREDENTIALS = "The email address or password is not right"
LABELS = {"email": "Email address", "password": "Password", "confirm": "Confirm the password",
          "current": "Current password", "new": "New password"}
DONE = {"out": "You are signed out.", "password": "Your password was changed. Sign in again."}


PASSWORD_OFF = "Password sign-in is switched off here: sign in with single sign-on."
UNVERIFIED_CHARS = 64  # of a typed email kept in the audit log of a failed sign-in


@dataclass(frozen=True)
class Attempt:
    """One login POST after the throttle: the stored hash (None = verify the dummy), any wait, and the id of the
    failed attempt reserved for it (0 when none was: a wait, or nothing to check)."""

    stored: str | None
    wait: int
    reserved: int = 0


def login_page(request: Request, *, email: str = "", next_: str = "/admin", errors: dict[str, str] | None = None,
               notice: str = "", status_code: int = 200, headers: dict[str, str] | None = None) -> HTMLResponse:
    """The sign-in form."""
    settings = request.app.state.settings
    context = {"email": email, "next": next_, "errors": errors or {}, "labels": LABELS, "notice": notice,
               "sso": bool(settings.oidc_issuer), "password_login": settings.password_login}
    return page(request, "admin/login.html", None, context, status_code=status_code, headers=headers)


@router.get("/admin/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/admin", done: str = "") -> HTMLResponse:
    """Sign in with email and password."""
    return login_page(request, next_=auth.safe_next(next), notice=DONE.get(done, ""))


@router.post("/admin/login")
def login(request: Request, db: DbDep, settings: SettingsDep) -> Response:
    """Reserve the attempt (throttles), verify the password outside any lock, then start a brand-new session."""
    if not settings.password_login:
        return login_page(request, notice=PASSWORD_OFF, status_code=403)
    fields = form_fields(request)
    email, password = passwords.normalise_email(first(fields, "email", 400)), first(fields, "password", 5000)
    next_, when = auth.safe_next(first(fields, "next")), now(request)
    attempt = throttle(db, settings.secret_key, email, client_address(request), when, check=bool(email and password))
    if attempt.wait:
        return throttled(request, email, next_, attempt.wait)
    missing = {k: m for k, v, m in (("email", email, "Enter your email address"),
                                    ("password", password, "Enter your password")) if not v}
    if missing:
        return login_page(request, email=email, next_=next_, errors=missing, status_code=422)
    ok, rehash = check(db, attempt, password[: passwords.MAX_PASSWORD + 1])
    token = finish_login(db, email, ok, rehash, when, old=auth.admin_cookie(request), reserved=attempt.reserved)
    if token is None:
        return login_page(request, email=email, next_=next_, errors={"email": BAD_CREDENTIALS}, status_code=422)
    response = RedirectResponse(next_, status_code=303)
    response.headers.append("set-cookie", auth.session_cookie(token, settings.https))
    csrf.rotate(request)
    return response


def verify(stored: str | None, password: str) -> tuple[bool, str | None]:
    """verify_password, or 503 when two verifications are already running for too long."""
    try:
        return passwords.verify_password(stored, password)
    except passwords.Busy:
        raise HTTPException(status_code=503, headers={"Retry-After": "2"}) from None


def check(db: Database, attempt: Attempt, password: str) -> tuple[bool, str | None]:
    """verify() for a sign-in; on a 503 the reserved attempt is released (it was never checked)."""
    try:
        return verify(attempt.stored, password)
    except HTTPException:
        if attempt.reserved:
            with db.write() as session:
                sessions.release(session, attempt_id=attempt.reserved)
        raise


def throttle(db: Database, secret: str, email: str, address: str, when: datetime, *, check: bool) -> Attempt:
    """Count this POST against the client address and reserve a failed attempt of the account from it, in one
    transaction and before any password is checked; the wait, if any, and the account's hash."""
    where = pseudonym(secret, address)
    with db.write() as session:
        wait, reserved = sessions.reserve(session, account=pseudonym(secret, email), address=where, now=when,
                                          check_account=check)
        admin = admin_repo.find_admin(session, email=email) if email and not wait else None
        stored = admin.password_hash if admin is not None and admin.active else None
    return Attempt(stored, wait, reserved)


def unverified(email: str) -> str:
    """The audit actor of a failed sign-in: what was typed, bounded, printable and marked as unverified."""
    typed = "".join(c for c in email[:UNVERIFIED_CHARS] if c.isprintable())
    return f"unverified: {typed or '-'}"


def finish_login(db: Database, email: str, ok: bool, rehash: str | None, when: datetime, *, old: str,
                 reserved: int) -> str | None:
    """Settle the reserved attempt and audit it; on success end any presented session and start a new one."""
    with db.write() as session:
        admin = admin_repo.find_admin(session, email=email) if ok else None
        if admin is None or not admin.active:
            admin_repo.audit(session, actor=unverified(email), action="login.failed", at=when)
            return None
        if reserved:
            sessions.mark_ok(session, attempt_id=reserved)
        if old:
            sessions.end_session(session, token_sha=token_hash(old))  # fixation: never reuse a presented id
        if rehash:
            admin.password_hash = rehash
        token = sessions.start_session(session, admin=admin, now=when)
        admin_repo.audit(session, actor=admin.email, action="login.succeeded", at=when)
    return token


def throttled(request: Request, email: str, next_: str, wait: int) -> HTMLResponse:
    """429 with Retry-After and a message that says how long to wait."""
    minutes = f" (about {round(wait / 60)} min)" if wait >= 90 else ""
    notice = f"Too many sign-in attempts. Wait {wait} seconds{minutes}, then try again."
    return login_page(request, email=email, next_=next_, notice=notice, status_code=429,
                      headers={"Retry-After": str(wait)})


@router.post("/admin/logout")
def logout(request: Request, db: DbDep, admin: AdminDep, settings: SettingsDep) -> Response:
    """Sign out: the session row is deleted, so the old cookie stops working at once."""
    with db.write() as session:
        sessions.end_session(session, token_sha=admin.session_hash)
        admin_repo.audit(session, actor=admin.email, action="logout", at=now(request))
    response = see_other(request, "/admin/login?done=out")
    response.headers.append("set-cookie", auth.clear_cookie(settings.https))
    return response


# ------------------------------------------------------------------ first-admin setup link
def setup_page(request: Request, token: str, *, email: str = "", errors: dict[str, str] | None = None,
               status_code: int = 200) -> HTMLResponse:
    """The form that creates the first admin."""
    context = {"action": f"/admin/setup/{token}", "email": email, "errors": errors or {}, "labels": LABELS,
               "min_length": passwords.MIN_PASSWORD}
    return page(request, "admin/setup.html", None, context, status_code=status_code)


def _live_setup(db: Database, token: str, when: datetime) -> None:
    """404 unless the setup token is unused, unexpired and no admin exists yet."""
    with db.read() as session:
        if admin_repo.live_setup_token(session, token=token, now=when) is None:
            raise HTTPException(status_code=404)


@router.get("/admin/setup/{token}", response_class=HTMLResponse)
def setup_form(request: Request, token: str, db: DbDep) -> HTMLResponse:
    """The one-time first-admin form (the link `tunewise serve` prints while no admin exists)."""
    _live_setup(db, token, now(request))
    return setup_page(request, token)


def new_password_errors(fields: dict[str, list[str]], email: str, *, field: str = "password") -> dict[str, str]:
    """Problems of a new password and its confirmation."""
    password = first(fields, field, 5000)
    problem = passwords.password_problem(password, email)
    if problem:
        return {field: problem}
    return {} if first(fields, "confirm", 5000) == password else {"confirm": "The two passwords are not the same"}


@router.post("/admin/setup/{token}")
def setup(request: Request, token: str, db: DbDep, settings: SettingsDep) -> Response:
    """Create the first admin, use up the link and sign them in."""
    when, fields = now(request), form_fields(request)
    _live_setup(db, token, when)
    email = passwords.normalise_email(first(fields, "email", 400))
    errors = {k: v for k, v in {"email": passwords.email_problem(email)}.items() if v}
    errors |= new_password_errors(fields, email)
    if errors:
        return setup_page(request, token, email=email, errors=errors, status_code=422)
    hashed = passwords.hash_password(first(fields, "password", 5000))
    with db.write() as session:
        row = admin_repo.live_setup_token(session, token=token, now=when)
        if row is None:
            raise HTTPException(status_code=404)
        row.used_at = when
        admin = admin_repo.create_admin(session, email=email, password_hash=hashed, now=when)
        admin_repo.audit(session, actor="setup link", action="admin.created", target=email, at=when,
                         after={"email": email})
        cookie = sessions.start_session(session, admin=admin, now=when)
    response = RedirectResponse("/admin", status_code=303)
    response.headers.append("set-cookie", auth.session_cookie(cookie, settings.https))
    csrf.rotate(request)
    return response


# ------------------------------------------------------------------ password change
def password_page(request: Request, admin: auth.CurrentAdmin, *, errors: dict[str, str] | None = None,
                  notice: str = "", status_code: int = 200) -> HTMLResponse:
    """The change-password form."""
    context = {"errors": errors or {}, "labels": LABELS, "notice": notice, "min_length": passwords.MIN_PASSWORD}
    return page(request, "admin/password.html", admin, context, status_code=status_code)


@router.get("/admin/password", response_class=HTMLResponse)
def password_form(request: Request, admin: AdminDep, done: str = "") -> HTMLResponse:
    """Change your password (re-enter the current one)."""
    notice = "Your password was changed and your other sessions were signed out." if done else ""
    return password_page(request, admin, notice=notice)


@router.post("/admin/password")
def change_password(request: Request, db: DbDep, admin: AdminDep) -> Response:
    """Check the current password, store the new hash, end every other session of this admin."""
    fields, when = form_fields(request), now(request)
    with db.read() as session:
        account = session.get(AdminUser, admin.id)
    ok, _ = verify(account.password_hash if account else None, first(fields, "current", passwords.MAX_PASSWORD + 1))
    errors = {} if ok else {"current": "The current password is not right"}
    errors |= new_password_errors(fields, admin.email, field="new")
    if errors:
        return password_page(request, admin, errors=errors, status_code=422)
    hashed = passwords.hash_password(first(fields, "new", 5000))
    with db.write() as session:
        account = session.get(AdminUser, admin.id)
        assert account is not None
        account.password_hash = hashed
        session.add(account)
        ended = sessions.revoke_sessions(session, admin_id=admin.id, now=when, keep=admin.session_hash)
        admin_repo.audit(session, actor=admin.email, action="password.changed", target=admin.email, at=when,
                         after={"other_sessions_ended": ended})
    return see_other(request, "/admin/password?done=1")
