"""Admin sessions (server-side, revocable) and login throttling, both in the database so they hold across workers."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from sqlalchemy import delete, func, not_
from sqlmodel import Session, col, select

from app.store.models import AdminSession, AdminUser, LoginAttempt
from app.store.passwords import MAX_EMAIL
from app.store.tokens import new_token, token_hash

IDLE, ABSOLUTE = timedelta(minutes=30), timedelta(hours=12)
TOUCH_EVERY = timedelta(seconds=60)
FREE_FAILURES, MAX_DELAY_S = 5, 15 * 60
IP_LIMIT, IP_WINDOW = 10, timedelta(minutes=1)
KEEP_ATTEMPTS = timedelta(days=1)


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

def touch_session(session: Session, *, session_id: int, now: datetime) -> None:
    """Refresh a session's idle timer."""
    fresh = session.get(AdminSession, session_id)
    if fresh is not None:
        fresh.last_seen_at = now
        session.add(fresh)


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
