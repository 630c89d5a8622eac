"""Result snapshots and their read-only view links: scoring a stored assessment, storing, finding."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, func, or_
from sqlalchemy import select as core_select  # sqlmodel.select types at most four columns
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from app.engine.rules import Knowledge
from app.engine.scoring import result_to_dict, score
from app.engine.weights import rank_inputs
from app.store.db import Database
from app.store.models import Assessment, Decision, Result, ShareLink, utcnow
from app.store.settings import Current
from app.store.tokens import new_nonce, new_token, token_hash, view_token
from app.store.webhooks import enqueue_result


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
        "confidence": payload["confidence"]["label"],
    }


# What a result records; two snapshots equal in all of these are the same result (rank_inputs derives from payload).
SNAPSHOT_FIELDS = ("recommendation", "answers", "weights", "weights_version", "prices", "rules_version",
                   "engine_version", "payload")


class TooMany(Exception):
    """The assessment already holds as many results (or live view links) as it may."""

    def __init__(self, what: str, limit: int) -> None:
        super().__init__(what, limit)
        self.what, self.limit = what, limit


def same_snapshot(result: Result, fields: Mapping[str, Any]) -> bool:
    """True when snapshot_fields() would store exactly what `result` holds (compared as stored JSON)."""
    return all(getattr(result, name) == json.loads(json.dumps(fields[name])) for name in SNAPSHOT_FIELDS)


def result_count(session: Session, *, assessment_id: int) -> int:
    """How many results an assessment holds."""
    return int(session.exec(select(func.count()).where(Result.assessment_id == assessment_id)).one())


def live_link_count(session: Session, *, assessment_id: int, now: datetime) -> int:
    """How many of an assessment's view links still work (neither revoked nor expired)."""
    query = (select(func.count()).select_from(ShareLink).join(Result, col(Result.id) == ShareLink.result_id)
             .where(Result.assessment_id == assessment_id, col(ShareLink.revoked_at).is_(None),
                    or_(col(ShareLink.expires_at).is_(None), col(ShareLink.expires_at) > now)))
    return int(session.exec(query).one())


def lock_assessment(session: Session, *, assessment_id: int) -> bool:
    """Row-lock an assessment (PostgreSQL; SQLite writers are serialised anyway) so counts taken next stay
    true until the transaction ends; False when it no longer exists."""
    query = select(Assessment.id).where(Assessment.id == assessment_id).with_for_update()
    return session.exec(query).first() is not None


def room_for_link(session: Session, *, assessment_id: int, max_live: int) -> None:
    """TooMany when the assessment has max_live working view links already (0: no cap). Call it locked."""
    if max_live and live_link_count(session, assessment_id=assessment_id, now=utcnow()) >= max_live:
        raise TooMany("links", max_live)


def record_finish(session: Session, *, assessment_id: int, fields: Mapping[str, Any], days: int | None,
                  max_results: int = 0, max_live: int = 0, edit_token: str | None = None) -> str:
    """Finish: a view link to a new result, or to the newest one when scoring gave exactly it again; TooMany when
    the assessment holds max_results results or max_live live links already (0: no cap). Returns the view token.
    Call it with the assessment row locked (mark_complete's versioned UPDATE does that)."""
    newest = session.exec(select(Result).where(Result.assessment_id == assessment_id)
                          .order_by(col(Result.id).desc()).limit(1)).first()
    room_for_link(session, assessment_id=assessment_id, max_live=max_live)
    if newest is not None and newest.id is not None and same_snapshot(newest, fields):
        return add_share_link(session, result_id=newest.id, days=days, edit_token=edit_token)
    if max_results and result_count(session, assessment_id=assessment_id) >= max_results:
        raise TooMany("results", max_results)
    return store_result(session, assessment_id=assessment_id, fields=fields, days=days, edit_token=edit_token)[1]


def store_result(session: Session, *, assessment_id: int, fields: Mapping[str, Any],
                 days: int | None, edit_token: str | None = None) -> tuple[int, str]:
    """Insert a result (snapshot_fields) and a view link to it; returns (result id, view token). Core inserts on the
    session's connection: the ORM's flush of a ~30 kB snapshot cost more than SQLite storing it."""
    now = utcnow()
    inserted = session.connection().execute(INSERT_RESULT,
                                            {"assessment_id": assessment_id, "created_at": now, **fields})
    key = inserted.inserted_primary_key
    assert key is not None
    result_id = int(key[0])
    # The outbox row commits with the result or not at all (webhooks: never lost, never sent for a rollback).
    enqueue_result(session, result_id=result_id, assessment_id=assessment_id, recommendation=fields["recommendation"],
                   payload=fields["payload"])
    return result_id, add_share_link(session, result_id=result_id, days=days, edit_token=edit_token)


def add_share_link(session: Session, *, result_id: int, days: int | None, edit_token: str | None = None) -> str:
    """A new view link to one result (only its hash is stored); days=None never expires. With the edit token the
    view token is derived from it (tokens.view_token), so the manage page can show the address again; without it
    (seeding, tests) the token is random and shown once."""
    nonce = new_nonce() if edit_token else None
    token = view_token(edit_token, nonce) if edit_token and nonce else new_token()
    now = utcnow()
    expires = now + timedelta(days=days) if days else None
    session.connection().execute(INSERT_LINK, {"result_id": result_id, "token_hash": token_hash(token),
                                                "created_at": now, "expires_at": expires, "nonce": nonce})
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
        shared = snapshot(result, assessment, newer_exists=newer, expires_at=link.expires_at)
        decision = session.exec(select(Decision).where(Decision.result_id == result.id)).first()
        shared["decision"] = decision.model_dump(mode="json") if decision is not None else None
        origin = session.get(Assessment, assessment.origin_id) if assessment.origin_result_id else None
        shared["origin_title"] = origin.title if origin is not None else None
        return result.id, shared

def _live_link_query() -> Any:
    """Built once (building a statement costs more than running it): a link's result id, expiry, revocation and the
    newest result id of the same assessment."""
    newer = aliased(Result)
    newest = select(func.max(newer.id)).where(newer.assessment_id == Result.assessment_id).scalar_subquery()
    return (core_select(col(ShareLink.result_id), col(ShareLink.expires_at), col(ShareLink.revoked_at), newest,
                        col(Decision.version), col(Decision.revisit_by), col(Decision.outcome))
            .join(Result, col(Result.id) == ShareLink.result_id)
            .join(Assessment, col(Assessment.id) == Result.assessment_id)
            .outerjoin(Decision, col(Decision.result_id) == col(Result.id))
            .where(col(ShareLink.token_hash) == bindparam("token_hash")))


LIVE_LINK = _live_link_query()


def live_key(db: Database, *, token: str) -> tuple[int, bool, str | None, int, bool] | None:
    """The report cache key of a live view link (result id, a newer result exists, expiry, the version of the team's
    decision on it, and whether its revisit date has passed without an outcome) read from the link row and two ids,
    without loading the snapshot; None for unknown, revoked or expired links, as find_shared.

    A cached report then costs one small query instead of three rows and five JSON documents (bench/README.md)."""
    if not 20 <= len(token) <= 64:
        return None
    rows = db.fetch(LIVE_LINK, {"token_hash": token_hash(token)})  # one statement: no Session, no BEGIN/ROLLBACK
    if not rows:
        return None
    result_id, expires, revoked, latest, decided, revisit, outcome = rows[0]
    now = utcnow()
    if revoked is not None or (expires is not None and expires <= now):
        return None
    due = revisit is not None and outcome is None and revisit <= now.date()
    return result_id, (latest or 0) > result_id, expires.isoformat() if expires else None, decided or 0, due
