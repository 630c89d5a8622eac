"""Admin sessions (server-side, revocable) and login throttling, both in the database so they hold across workers."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from sqlalchemy import delete, func, not_, update
from sqlmodel import Session, col, select

from app.store.models import AdminSession, AdminUser, LoginAttempt
from app.store.tokens import new_token, token_hash

IDLE, ABSOLUTE = timedelta(minutes=30), timedelta(hours=12)
TOUCH_EVERY = timedelta(seconds=60)
FREE_FAILURES, MAX_DELAY_S = 5, 15 * 60
IP_LIMIT, IP_WINDOW = 10, timedelta(minutes=1)
KEEP_ATTEMPTS = timedelta(days=1)
LOGIN_LOCK = 0x7457_6C67  # the advisory lock key of sign-in reservations (PostgreSQL)


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


def account_key(account: str, address: str) -> str:
    """The login_attempt key of one account tried from one client address (both pseudonyms, tokens.pseudonym):
    failures from elsewhere never lock the account out here."""
    return f"acct:{account[:64]}:{address[:64]}"


def address_key(address: str) -> str:
    """The login_attempt key of a client address (a pseudonym)."""
    return f"ip:{address[:64]}"


def _serialise(session: Session) -> None:
    """Make the check-and-reserve below atomic: on PostgreSQL one transaction-scoped advisory lock queues every
    sign-in's reservation (they are tiny); on SQLite the writer lock already does."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(LOGIN_LOCK)))


def reserve(session: Session, *, account: str, address: str, now: datetime, check_account: bool) -> tuple[int, int]:
    """Count this sign-in POST against its address and, when check_account, reserve a failed attempt of the
    account from that address before any password is checked: (seconds to wait, the reserved attempt's id).
    A wait > 0 reserves nothing more. Verified passwords then mark the attempt ok (mark_ok), so parallel guesses
    can never check more passwords than the throttle allows."""
    _serialise(session)
    wait = address_wait(session, address=address, now=now)
    if wait:
        return wait, 0
    record_attempt(session, key=address_key(address), ok=False, now=now)
    if not check_account:
        return 0, 0
    key = account_key(account, address)
    wait = account_wait(session, key=key, now=now)
    if wait:
        return wait, 0
    attempt = LoginAttempt(key=key, ok=False, at=now)
    session.add(attempt)
    session.flush()
    assert attempt.id is not None
    return 0, attempt.id


def mark_ok(session: Session, *, attempt_id: int) -> None:
    """The reserved attempt's password was right: it ends the run of failures."""
    session.execute(update(LoginAttempt).where(col(LoginAttempt.id) == attempt_id).values(ok=True))


def release(session: Session, *, attempt_id: int) -> None:
    """The reserved attempt was never checked (the server was too busy): it does not count."""
    session.execute(delete(LoginAttempt).where(col(LoginAttempt.id) == attempt_id))


def unlock(session: Session, *, account: str) -> int:
    """Forget the failed sign-ins of an account from every address (`tunewise unlock-admin`); how many."""
    pattern = f"acct:{account[:64]}:%"
    rows = session.execute(delete(LoginAttempt).where(col(LoginAttempt.key).like(pattern), not_(col(LoginAttempt.ok))))
    return int(rows.rowcount or 0)  # type: ignore[attr-defined]


def address_wait(session: Session, *, address: str, now: datetime) -> int:
    """Seconds until this address may POST the login form again (0 = now); 10 POSTs per minute."""
    since = now - IP_WINDOW
    recent = session.exec(select(LoginAttempt.at).where(
        LoginAttempt.key == address_key(address), LoginAttempt.at > since,
    ).order_by(col(LoginAttempt.at).desc()).limit(IP_LIMIT)).all()
    if len(recent) < IP_LIMIT:
        return 0
    return max(1, math.ceil((min(recent) + IP_WINDOW - now).total_seconds()))


def account_wait(session: Session, *, key: str, now: datetime) -> int:
    """Seconds until this account may be tried again from this address: after 5 consecutive failures, 1 s
    doubling up to 15 min."""
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
