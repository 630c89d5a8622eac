"""Result snapshots and their read-only view links: scoring a stored assessment, storing, finding."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, func
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from app.engine.rules import Knowledge
from app.engine.scoring import result_to_dict, score
from app.engine.weights import rank_inputs
from app.store.db import Database
from app.store.models import Assessment, Result, ShareLink, utcnow
from app.store.settings import Current
from app.store.tokens import new_token, token_hash


def snapshot_fields(
    current: Current, knowledge: Knowledge, *, answers: Mapping[str, Any], assumptions: Mapping[str, float] | None
) -> dict[str, Any]:
    """Score answers with the given weights and price preset (settings_store: CurrentSettings.get() or resolve()):
    the fields of an immutable Result row."""
    weights = dict(current.weights)
    payload = result_to_dict(score(knowledge, answers, weights=weights, prices=current.preset,
                                   assumptions=assumptions or None))
    return {
        "recommendation": payload["primary"], "answers": dict(payload["answers"]), "weights": weights,
        "weights_version": current.weights_version,
        "prices": {**current.preset_snapshot(), "assumptions": dict(assumptions or {})},
        "rules_version": payload["rules_version"], "engine_version": payload["engine_version"], "payload": payload,
        "rank_inputs": rank_inputs(payload, knowledge.axis_keys),
    }


def store_result(session: Session, *, assessment_id: int, fields: Mapping[str, Any],
                 days: int | None) -> tuple[int, str]:
    """Insert a result (snapshot_fields) and a view link to it; returns (result id, view token). Core inserts on the
    session's connection: the ORM's flush of a ~30 kB snapshot cost more than SQLite storing it."""
    now = utcnow()
    inserted = session.connection().execute(INSERT_RESULT,
                                            {"assessment_id": assessment_id, "created_at": now, **fields})
    key = inserted.inserted_primary_key
    assert key is not None
    result_id = int(key[0])
    return result_id, add_share_link(session, result_id=result_id, days=days)


def add_share_link(session: Session, *, result_id: int, days: int | None) -> str:
    """A new view link to one result (shown once; only its hash is stored); days=None never expires."""
    token, now = new_token(), utcnow()
    expires = now + timedelta(days=days) if days else None
    session.connection().execute(INSERT_LINK, {"result_id": result_id, "token_hash": token_hash(token),
                                                "created_at": now, "expires_at": expires})
    return token


INSERT_RESULT = Result.__table__.insert()  # type: ignore[attr-defined]
INSERT_LINK = ShareLink.__table__.insert()  # type: ignore[attr-defined]


def find_shared(session: Session, *, token: str,
                now: datetime | None = None) -> tuple[ShareLink, Result, Assessment] | None:
    """The live link, its result and assessment; None for unknown, revoked or expired tokens alike."""
    if not 20 <= len(token) <= 64:
        return None
    row = session.exec(
        select(ShareLink, Result, Assessment)
        .join(Result, Result.id == ShareLink.result_id)  # type: ignore[arg-type]
        .join(Assessment, Assessment.id == Result.assessment_id)  # type: ignore[arg-type]
        .where(ShareLink.token_hash == token_hash(token))
    ).first()
    if row is None or row[0].revoked_at is not None:
        return None
    expires = row[0].expires_at
    if expires is not None and expires <= (now or utcnow()):
        return None
    return row[0], row[1], row[2]


def latest_result_id(session: Session, *, assessment_id: int) -> int | None:
    """The id of the newest result of an assessment."""
    return session.exec(select(func.max(Result.id)).where(Result.assessment_id == assessment_id)).one()


def results_with_links(session: Session, *, assessment_id: int) -> list[tuple[Result, list[ShareLink]]]:
    """Every result of an assessment, newest first, each with its view links."""
    results = session.exec(
        select(Result).where(Result.assessment_id == assessment_id).order_by(Result.id.desc())  # type: ignore[union-attr]
    ).all()
    ids = [r.id for r in results]
    links = session.exec(select(ShareLink).where(col(ShareLink.result_id).in_(ids))).all() if ids else []
    return [(r, [link for link in links if link.result_id == r.id]) for r in results]


def revoke_link(session: Session, *, link_id: int, assessment_id: int) -> int | None:
    """Revoke one view link of this assessment; returns its result id (None when not found)."""
    row = session.exec(
        select(ShareLink).join(Result, Result.id == ShareLink.result_id)  # type: ignore[arg-type]
        .where(ShareLink.id == link_id, Result.assessment_id == assessment_id)
    ).first()
    if row is None:
        return None
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        session.add(row)
    return row.result_id


def result_of(session: Session, *, result_id: int, assessment_id: int) -> Result | None:
    """One result of this assessment (None when it belongs to another)."""
    result = session.get(Result, result_id)
    return result if result is not None and result.assessment_id == assessment_id else None


def snapshot(result: Result, assessment: Assessment, *, newer_exists: bool,
             expires_at: datetime | None) -> dict[str, Any]:
    """Everything a report shows, from the stored snapshot alone."""
    return {
        "team": assessment.team, "title": assessment.title, "created_at": result.created_at.isoformat(),
        "answers": result.answers, "weights": result.weights, "weights_version": result.weights_version,
        "prices": result.prices, "rules_version": result.rules_version, "engine_version": result.engine_version,
        "result": result.payload, "newer_exists": newer_exists,
        "expires_at": expires_at.isoformat() if expires_at else None,
    }

def shared_snapshot(db: Database, *, token: str) -> tuple[int, dict[str, Any]] | None:
    """The result id and snapshot behind a live view link; None for unknown, revoked or expired tokens alike."""
    with db.read() as session:
        found = find_shared(session, token=token)
        if found is None:
            return None
        link, result, assessment = found
        assert result.id is not None and assessment.id is not None
        newer = (latest_result_id(session, assessment_id=assessment.id) or 0) > result.id
        return result.id, snapshot(result, assessment, newer_exists=newer, expires_at=link.expires_at)

def _live_link_query() -> Any:
    """Built once (building a statement costs more than running it): a link's result id, expiry, revocation and the
    newest result id of the same assessment."""
    newer = aliased(Result)
    newest = select(func.max(newer.id)).where(newer.assessment_id == Result.assessment_id).scalar_subquery()
    return (select(ShareLink.result_id, ShareLink.expires_at, ShareLink.revoked_at, newest)
            .join(Result, col(Result.id) == ShareLink.result_id)
            .join(Assessment, col(Assessment.id) == Result.assessment_id)
            .where(ShareLink.token_hash == bindparam("token_hash")))


LIVE_LINK = _live_link_query()


def live_key(db: Database, *, token: str) -> tuple[int, bool, str | None] | None:
    """The report cache key of a live view link (result id, a newer result exists, expiry) read from the link row
    and two ids, without loading the snapshot; None for unknown, revoked or expired links, as find_shared.

    A cached report then costs one small query instead of three rows and five JSON documents (bench/README.md)."""
    if not 20 <= len(token) <= 64:
        return None
    rows = db.fetch(LIVE_LINK, {"token_hash": token_hash(token)})  # one statement: no Session, no BEGIN/ROLLBACK
    if not rows:
        return None
    result_id, expires, revoked, latest = rows[0]
    if revoked is not None or (expires is not None and expires <= utcnow()):
        return None
    return result_id, (latest or 0) > result_id, expires.isoformat() if expires else None
