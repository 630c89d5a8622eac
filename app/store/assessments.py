"""Every query and write on assessments and answers; keyword-only functions, no HTTP here."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, bindparam, delete, func, update
from sqlalchemy import select as core_select  # sqlmodel.select types at most a few columns
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, select

from app.store.models import Answer, Assessment, Submission, utcnow
from app.store.tokens import new_token, token_hash

if TYPE_CHECKING:
    from app.store.db import Database


class Conflict(Exception):
    """The assessment changed since the form was rendered (another tab, a teammate, a double submit)."""


def create_assessment(session: Session, *, team: str, title: str, bank_version: str | None = None,
                      rules_version: str | None = None, origin: Assessment | None = None,
                      origin_result_id: int | None = None) -> tuple[Assessment, str]:
    """A new draft and its edit token (returned once; only the hash is stored); a variant names its origin."""
    token = new_token()
    assessment = Assessment(team=team, title=title, edit_token_hash=token_hash(token), bank_version=bank_version,
                            rules_version=rules_version, origin_id=origin.id if origin else None,
                            origin_result_id=origin_result_id)
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


@dataclass(frozen=True)
class Draft:
    """A read-only copy of an assessment row for pages (no ORM instance: building one costs more than the query)."""

    id: int
    team: str
    title: str
    status: str
    version: int
    cost_assumptions: dict[str, Any] | None
    created_at: datetime
    updated_at: datetime


_DRAFT_COLUMNS = [Assessment.__table__.c[name] for name in Draft.__dataclass_fields__]  # type: ignore[attr-defined]
# One statement for the assessment and its answers (a LEFT JOIN: a draft without answers still has its row), built
# once; Database.fetch runs it as one consistent snapshot.
STATE = (core_select(*_DRAFT_COLUMNS, Answer.__table__.c.question_id, Answer.__table__.c.value)  # type: ignore[attr-defined]
         .select_from(Assessment.__table__.outerjoin(  # type: ignore[attr-defined]
             Answer.__table__, Answer.__table__.c.assessment_id == Assessment.__table__.c.id))  # type: ignore[attr-defined]
         .where(Assessment.__table__.c.edit_token_hash == bindparam("token_hash")))  # type: ignore[attr-defined]


def load_state(db: Database, *, token: str) -> tuple[Draft, dict[str, Any]] | None:
    """The assessment behind an edit token and its answers (question id → value), or None."""
    if not 20 <= len(token) <= 64:
        return None
    width = len(_DRAFT_COLUMNS)
    rows = db.fetch(STATE, {"token_hash": token_hash(token)}, repeated=width)
    if not rows:
        return None
    draft = Draft(*rows[0][:width])
    return draft, {row[width]: row[width + 1] for row in rows if row[width] is not None}


def answers_of(session: Session, *, assessment_id: int) -> dict[str, Any]:
    """Every stored answer of one assessment, question id → value."""
    rows = session.exec(select(Answer.question_id, Answer.value).where(Answer.assessment_id == assessment_id))
    return {qid: value for qid, value in rows}


def save_step(
    session: Session,
    *,
    assessment: Assessment | Draft,
    step: str,
    answers: Mapping[str, Any],
    version: int,
    idem: str,
    extra: Mapping[str, Any] | None = None,
    now: datetime | None = None,
    contributor: str = "",
    changes: Mapping[str, Any] | None = None,
    step_bit: int = 0,
) -> int | None:
    """Store one step's answers atomically: the new version; None for a replayed idem (nothing written);
    `contributor` (a name) and `changes` (question → [before, after]) go into the history of saves; `step_bit`
    marks the step in the assessment's `steps_saved` (the admin funnel).
    a Conflict for a stale version. assessment.version may have been read before the write lock: the version
    predicate of the UPDATE still catches any write in between.

    Prebuilt Core statements on the session's connection (the ORM's execute path cost more than SQLite running
    them) and no refresh: the write lock is held only for the statements and the commit."""
    connection = session.connection()
    if idem and connection.execute(IDEM_SEEN, {"idem": idem}).first() is not None:
        return None
    if version != assessment.version:
        raise Conflict()
    now = now or utcnow()
    assessment_id = _id(assessment)
    # The versioned UPDATE comes first: on PostgreSQL it row-locks the assessment, so a concurrent submit waits
    # here, then finds the version moved and rolls back whole (reliability.md §2.3) before touching any answer.
    _bump_version(connection, assessment_id=assessment_id, expected=version, now=now, extra=extra,
                  step_bit=step_bit)
    if answers:
        connection.execute(UPSERT_ANSWER[connection.dialect.name == "postgresql"], [
            {"aid": assessment_id, "qid": qid, "value": _jsonable(value), "at": now} for qid, value in answers.items()])
    connection.execute(ADD_SUBMISSION, {
        "aid": assessment_id, "step": step, "idem": idem or new_token(), "version": version + 1, "at": now,
        "who": contributor or None, "changes": _jsonable(changes) if changes else None})
    return version + 1


def mark_complete(session: Session, *, assessment_id: int, expected: int, now: datetime) -> None:
    """Finish: status complete and version + 1 if the version is still `expected`, else a Conflict."""
    _bump_version(session.connection(), assessment_id=assessment_id, expected=expected, now=now,
                  extra={"status": "complete"})


def _bump_version(connection: Connection, *, assessment_id: int, expected: int, now: datetime,
                  extra: Mapping[str, Any] | None, step_bit: int = 0) -> None:
    """The versioned UPDATE (on PostgreSQL it row-locks the assessment): a Conflict when the version moved.
    step_bit: the saved step's bit in `steps_saved` (0 for anything else)."""
    bump = BUMP_VERSION.values(**extra) if extra else BUMP_VERSION
    if connection.execute(bump, {"aid": assessment_id, "expected": expected, "new": expected + 1,
                                 "at": now, "bit": step_bit}).rowcount != 1:
        raise Conflict()


def _upsert_statement(insert: Any) -> Any:
    """Insert or update one answer under the unique (assessment, question) key (run with many parameter sets)."""
    table = Answer.__table__  # type: ignore[attr-defined]
    statement = insert(table).values(assessment_id=bindparam("aid"), question_id=bindparam("qid"),
                                     value=bindparam("value"), updated_at=bindparam("at"))
    return statement.on_conflict_do_update(
        index_elements=["assessment_id", "question_id"],
        set_={"value": statement.excluded.value, "updated_at": statement.excluded.updated_at})


# Built once (building a statement costs more than running it): indexed by "is PostgreSQL".
UPSERT_ANSWER = (_upsert_statement(sqlite_insert), _upsert_statement(pg_insert))
_ASSESSMENT = Assessment.__table__  # type: ignore[attr-defined]
BUMP_VERSION = (update(_ASSESSMENT)
                .where(_ASSESSMENT.c.id == bindparam("aid"), _ASSESSMENT.c.version == bindparam("expected"))
                .values(version=bindparam("new"), updated_at=bindparam("at"),
                        steps_saved=_ASSESSMENT.c.steps_saved.op("|")(bindparam("bit"))))
IDEM_SEEN = select(Submission.__table__.c.id).where(Submission.__table__.c.idem == bindparam("idem"))  # type: ignore[attr-defined]
ADD_SUBMISSION = Submission.__table__.insert().values(  # type: ignore[attr-defined]
    assessment_id=bindparam("aid"), step=bindparam("step"), idem=bindparam("idem"), version=bindparam("version"),
    created_at=bindparam("at"), contributor=bindparam("who"), changes=bindparam("changes"))



def _bump(session: Session, *, assessment: Assessment, expected: int, **changes: Any) -> int:
    """The versioned UPDATE on an ORM assessment (Conflict when someone else won), then its fields read back."""
    _bump_version(session.connection(), assessment_id=_id(assessment), expected=expected, now=utcnow(), extra=changes)
    session.refresh(assessment)
    return expected + 1


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


def _id(assessment: Assessment | Draft) -> int:
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
