"""Queries and writes of the admin side: accounts, setup links, the audit log, assessments, preview rows."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Text, func, type_coerce
from sqlmodel import Session, col, select

from app.engine.rules import APPROACHES
from app.engine.weights import Ranked, rank_inputs, ranked_from_inputs
from app.store.models import AdminUser, Assessment, AuditEvent, Result, SetupToken
from app.store.passwords import email_problem, hash_password, normalise_email, password_problem
from app.store.sessions import revoke_sessions
from app.store.tokens import new_token, token_hash

SETUP_TTL = timedelta(hours=1)


# ------------------------------------------------------------------ audit log
def audit(
    session: Session, *, actor: str, action: str, at: datetime, target: str = "",
    before: Any = None, after: Any = None,
) -> None:
    """Append one audit event in the caller's transaction (so it commits with the change or not at all)."""
    session.add(AuditEvent(actor=actor[:254], action=action, target=target[:300], before=before, after=after, at=at))


@dataclass(frozen=True)
class AuditFilter:
    """The filters of the audit page."""

    action: str = ""
    actor: str = ""
    since: datetime | None = None
    until: datetime | None = None


def audit_page(session: Session, *, where: AuditFilter, page: int, size: int = 50) -> tuple[list[AuditEvent], int]:
    """Audit events newest first, filtered, one page of them, and the total count."""
    query = select(AuditEvent)
    if where.action:
        query = query.where(AuditEvent.action == where.action)
    if where.actor:
        query = query.where(func.lower(AuditEvent.actor).contains(where.actor.lower(), autoescape=True))
    if where.since:
        query = query.where(AuditEvent.at >= where.since)
    if where.until:
        query = query.where(AuditEvent.at < where.until)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    ordered = query.order_by(col(AuditEvent.at).desc(), col(AuditEvent.id).desc())
    return list(session.exec(ordered.offset((page - 1) * size).limit(size)).all()), total


def audit_actions(session: Session) -> list[str]:
    """Every action name present in the log, for the filter."""
    return sorted(session.exec(select(AuditEvent.action).distinct()).all())


# ------------------------------------------------------------------ accounts
def stored_counts(session: Session) -> dict[str, int]:
    """How many assessments and results are stored."""
    return {"assessments": int(session.exec(select(func.count()).select_from(Assessment)).one()),
            "results": int(session.exec(select(func.count()).select_from(Result)).one())}


def deactivate_admin(session: Session, *, admin_id: int, now: datetime) -> tuple[AdminUser, int | None] | None:
    """Deactivate an account and end its sessions: the account and how many sessions ended (None when it was
    inactive already); None when there is no such admin."""
    account = session.get(AdminUser, admin_id)
    if account is None:
        return None
    if not account.active:
        return account, None
    account.active = False
    session.add(account)
    return account, revoke_sessions(session, admin_id=admin_id, now=now)


def admin_count(session: Session) -> int:
    """How many admin accounts exist (active or not)."""
    return session.exec(select(func.count()).select_from(AdminUser)).one()


def find_admin(session: Session, *, email: str) -> AdminUser | None:
    """The account with this (normalised) email."""
    return session.exec(select(AdminUser).where(AdminUser.email == email)).first()


def create_admin(session: Session, *, email: str, password_hash: str, now: datetime) -> AdminUser:
    """A new active admin account."""
    admin = AdminUser(email=email, password_hash=password_hash, created_at=now)
    session.add(admin)
    session.flush()
    return admin


def list_admins(session: Session) -> list[AdminUser]:
    """Every admin, active first, then by email."""
    return list(session.exec(select(AdminUser).order_by(col(AdminUser.active).desc(), AdminUser.email)).all())


# ------------------------------------------------------------------ first-admin setup link
def issue_setup_token(session: Session, *, now: datetime) -> str | None:
    """A new single-use setup token valid for one hour, or None once an admin exists."""
    if admin_count(session):
        return None
    token = new_token()
    session.add(SetupToken(token_hash=token_hash(token), created_at=now, expires_at=now + SETUP_TTL))
    return token


def live_setup_token(session: Session, *, token: str, now: datetime) -> SetupToken | None:
    """The unused, unexpired setup token, while no admin exists."""
    if not 20 <= len(token) <= 64 or admin_count(session):
        return None
    row = session.exec(select(SetupToken).where(SetupToken.token_hash == token_hash(token))).first()
    if row is None or row.used_at is not None or now >= row.expires_at:
        return None
    return row


# ------------------------------------------------------------------ weights preview
@dataclass(frozen=True)
class PreviewRow:
    """What the preview needs of one stored result: no answers, no explanations (None: not re-rankable)."""

    id: int
    assessment_id: int
    recommendation: str
    ranked: Ranked | None


PREVIEW_FIELDS = ("id", "blocked", "scores")


def _preview_paths() -> list[str]:
    """The JSON paths the preview reads: forced_by, then id, blocked and scores of each approach."""
    return ["$.forced_by"] + [f"$.approaches[{i}].{f}" for i in range(len(APPROACHES)) for f in PREVIEW_FIELDS]


def preview_rows(session: Session, axes: Sequence[str], *, after_id: int = 0) -> list[PreviewRow]:
    """Every stored result with an id above after_id, as compact Ranked rows over `axes` (the knowledge's) from the
    slim rank_inputs column; a result scored without one of them gets no Ranked row (it cannot be re-ranked).
    The JSON is fetched as text and each row's is decoded and dropped at once: little is left for the GC to scan."""
    query = (select(col(Result.id), col(Result.assessment_id), col(Result.recommendation),
                    type_coerce(col(Result.rank_inputs), Text))
             .where(col(Result.id) > after_id).order_by(col(Result.id)))
    rows = cast(list[tuple[int, int, str, str | None]], session.exec(query).all())  # ids of stored rows: never None
    unfilled = _inputs_from_payload(session, [rid for rid, _, _, raw in rows if raw is None], axes)
    return [PreviewRow(rid, aid, rec, _ranked(rec, _json(raw) if raw is not None else unfilled.get(rid), axes))
            for rid, aid, rec, raw in rows]


def _json(raw: Any) -> Any:
    """A JSON value as the driver returns it: text from SQLite, already decoded from psycopg."""
    return json.loads(raw) if isinstance(raw, str) else raw


def _inputs_from_payload(
    session: Session, ids: Sequence[int], axes: Sequence[str], chunk: int = 500
) -> dict[int, dict[str, Any]]:
    """rank_inputs read from the payload, for rows stored without them (one parse per row, in the database)."""
    if session.get_bind().dialect.name == "sqlite":  # one json_extract with many paths: a single parse per row
        picked: Any = func.json_extract(Result.payload, *_preview_paths())
    else:
        picked = func.json_build_array(*[col(Result.payload)[("forced_by",)]] + [
            col(Result.payload)[("approaches", i, f)] for i in range(len(APPROACHES)) for f in PREVIEW_FIELDS])
    out: dict[int, dict[str, Any]] = {}
    for at in range(0, len(ids), chunk):
        for rid, raw in cast(
            list[tuple[int, Any]],
            session.exec(select(col(Result.id), picked).where(col(Result.id).in_(ids[at:at + chunk]))).all(),
        ):
            values = _json(raw)
            rows = [dict(zip(PREVIEW_FIELDS, values[i:i + 3])) for i in range(1, len(values), 3)]
            out[rid] = rank_inputs({"forced_by": values[0], "approaches": rows}, axes)
    return out


def _ranked(recommendation: str, inputs: dict[str, Any] | None, axes: Sequence[str]) -> Ranked | None:
    """A Ranked row from a result's rank_inputs (None when an approach lacks its id, blocked flag or a score on
    one of `axes`, as a result stored before an axis was added does)."""
    if inputs is None or len(inputs.get("approaches") or ()) != len(APPROACHES):
        return None
    try:
        return ranked_from_inputs(inputs, recommendation, axes)
    except (KeyError, TypeError, ValueError):
        return None


def result_ids(session: Session) -> set[int]:
    """The ids of every stored result (results are deleted with their assessment)."""
    return set(session.exec(select(Result.id)).all())  # type: ignore[arg-type]


def labels_of(session: Session, *, assessment_ids: Sequence[int]) -> dict[int, tuple[str, str]]:
    """(team, title) of each assessment."""
    if not assessment_ids:
        return {}
    rows = session.exec(select(col(Assessment.id), Assessment.team, Assessment.title)
                        .where(col(Assessment.id).in_(list(assessment_ids)))).all()
    return {aid: (team, title) for aid, team, title in rows if aid is not None}


# ------------------------------------------------------------------ command line (create-admin, serve)
def add_admin_account(db: Any, *, email: str, password: str, actor: str, now: datetime) -> str:
    """Validate and create an admin (hash computed outside the write lock); '' on success, else the problem."""
    email = normalise_email(email)
    problem = email_problem(email) or password_problem(password, email)
    if problem:
        return problem
    hashed = hash_password(password)
    with db.write() as session:
        if find_admin(session, email=email) is not None:
            return f"An admin with the email {email} already exists"
        create_admin(session, email=email, password_hash=hashed, now=now)
        audit(session, actor=actor, action="admin.created", target=email, after={"email": email}, at=now)
    return ""


def setup_link(db: Any, *, base_url: str, now: datetime) -> str | None:
    """While no admin exists: a fresh one-time setup URL (valid one hour); else None."""
    with db.write() as session:
        token = issue_setup_token(session, now=now)
    return f"{base_url.rstrip('/')}/admin/setup/{token}" if token else None
