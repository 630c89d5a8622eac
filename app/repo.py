"""Every query and write on assessments and answers; keyword-only functions, no HTTP here."""

from __future__ import annotations

import hashlib
import json
from typing import Any, Mapping

from sqlalchemy import delete, func, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, select

from .models import Answer, Assessment, Submission, utcnow
from .security import new_token, token_hash


class Conflict(Exception):
    """The assessment changed since the form was rendered (another tab, a teammate, a double submit)."""


def create_assessment(session: Session, *, team: str, title: str) -> tuple[Assessment, str]:
    """A new draft and its edit token (returned once; only the hash is stored)."""
    token = new_token()
    assessment = Assessment(team=team, title=title, edit_token_hash=token_hash(token))
    session.add(assessment)
    session.flush()
    return assessment, token


def find_by_token(session: Session, *, token: str, lock: bool = False) -> Assessment | None:
    """The assessment whose edit token this is; lock=True takes a row lock (PostgreSQL)."""
    if not 20 <= len(token) <= 64:
        return None
    query = select(Assessment).where(Assessment.edit_token_hash == token_hash(token))
    if lock:
        query = query.with_for_update()
    return session.exec(query).first()


def answers_of(session: Session, *, assessment_id: int) -> dict[str, Any]:
    """Every stored answer of one assessment, question id → value."""
    rows = session.exec(select(Answer.question_id, Answer.value).where(Answer.assessment_id == assessment_id))
    return {qid: value for qid, value in rows}


def save_step(
    session: Session,
    *,
    assessment: Assessment,
    step: str,
    answers: Mapping[str, Any],
    version: int,
    idem: str,
    extra: Mapping[str, Any] | None = None,
) -> int:
    """Store one step's answers atomically; a replayed idem is a no-op, a stale version a Conflict."""
    if idem and session.exec(select(Submission.id).where(Submission.idem == idem)).first() is not None:
        return assessment.version
    if version != assessment.version:
        raise Conflict()
    _upsert_answers(session, assessment_id=_id(assessment), answers=answers)
    new_version = _bump(session, assessment=assessment, expected=version, **(extra or {}))
    session.add(Submission(
        assessment_id=_id(assessment), step=step, idem=idem or new_token(),
        version=new_version, payload_sha256=payload_digest(answers),
    ))
    return new_version


def payload_digest(answers: Mapping[str, Any]) -> str:
    """A stable SHA-256 of one set of answers (for the load tests' "nothing lost" count)."""
    canonical = json.dumps(_jsonable(answers), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _upsert_answers(session: Session, *, assessment_id: int, answers: Mapping[str, Any]) -> None:
    """Insert or update each answer under the unique (assessment, question) key."""
    if not answers:
        return
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    now = utcnow()
    rows = [
        {"assessment_id": assessment_id, "question_id": qid, "value": _jsonable(value), "updated_at": now}
        for qid, value in answers.items()
    ]
    statement = insert(Answer).values(rows)
    statement = statement.on_conflict_do_update(
        index_elements=["assessment_id", "question_id"],
        set_={"value": statement.excluded.value, "updated_at": statement.excluded.updated_at},
    )
    session.execute(statement)


def _bump(session: Session, *, assessment: Assessment, expected: int, **changes: Any) -> int:
    """version += 1 where it still equals expected; a Conflict when someone else won."""
    result = session.execute(
        update(Assessment)
        .where(Assessment.id == assessment.id, Assessment.version == expected)  # type: ignore[arg-type]
        .values(version=expected + 1, updated_at=utcnow(), **changes)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict()
    session.refresh(assessment)
    return expected + 1


def set_status(session: Session, *, assessment: Assessment, status: str, expected: int | None = None) -> None:
    """Mark the assessment draft or complete (a write: the version moves; Conflict when stale)."""
    _bump(session, assessment=assessment, expected=assessment.version if expected is None else expected, status=status)


def rotate_edit_token(session: Session, *, assessment: Assessment) -> str:
    """Replace the edit link: the old token stops working when this commits."""
    token = new_token()
    _bump(session, assessment=assessment, expected=assessment.version, edit_token_hash=token_hash(token))
    return token


def delete_assessment(session: Session, *, assessment: Assessment) -> None:
    """Delete the assessment with its answers, submissions, results and links."""
    session.execute(delete(Assessment).where(Assessment.id == assessment.id))  # type: ignore[arg-type]


def count_assessments(session: Session) -> int:
    """How many assessments are stored."""
    return int(session.exec(select(func.count()).select_from(Assessment)).one())


def _id(assessment: Assessment) -> int:
    """The primary key of a stored assessment."""
    assert assessment.id is not None
    return assessment.id


def _jsonable(value: Any) -> Any:
    """Tuples become lists so JSON columns and digests see one shape."""
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, Mapping):
        return {k: _jsonable(v) for k, v in value.items()}
    return value
