"""What a team decided about a result, and how it went (issue 13): one `decision` row per result, changed in place
under a version, every change also in the audit log. Keyword-only functions, no HTTP here."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, or_, select

from app.store.admins import audit
from app.store.assessments import Conflict
from app.store.models import Assessment, Decision, Result

STATUSES = ("proposed", "accepted", "rejected", "superseded")
OUTCOMES = ("worked", "partly", "did_not", "abandoned")


@dataclass(frozen=True)
class Status:
    """The decision as the team records it (MADR's life cycle)."""

    status: str
    owner: str = ""
    decided_on: date | None = None
    rationale: str = ""
    revisit_by: date | None = None
    superseded_by: int | None = None


@dataclass(frozen=True)
class Outcome:
    """What the team did (an approach id) and how it went."""

    approach: str
    outcome: str
    note: str = ""


def decision_of(session: Session, *, result_id: int) -> Decision | None:
    """The decision recorded on one result, if any."""
    return session.exec(select(Decision).where(Decision.result_id == result_id)).first()


def decisions_of(session: Session, *, assessment_id: int) -> dict[int, Decision]:
    """Every decision recorded on an assessment's results, by result id."""
    rows = session.exec(select(Decision).where(Decision.assessment_id == assessment_id)).all()
    return {row.result_id: row for row in rows}


def related_results(session: Session, *, assessment_id: int) -> list[tuple[int, datetime, str, str]]:
    """The results a decision may be superseded by: the assessment's own, its variants' and its origin's,
    newest first, as (result id, created at, recommendation, title)."""
    origin = session.get(Assessment, assessment_id)
    family = [Assessment.id == assessment_id, Assessment.origin_id == assessment_id]
    if origin is not None and origin.origin_id is not None:
        family.append(Assessment.id == origin.origin_id)
    query = (select(Result.id, Result.created_at, Result.recommendation, Assessment.title)
             .join(Assessment, col(Assessment.id) == Result.assessment_id)
             .where(or_(*family)).order_by(col(Result.id).desc()).limit(50))
    return [(int(i or 0), at, rec, title) for i, at, rec, title in session.exec(query).all()]


def record_status(session: Session, *, assessment_id: int, result_id: int, status: Status, version: int,
                  contributor: str, now: datetime) -> Decision:
    """Record the decision's status; a Conflict when someone changed it since `version` was read."""
    row, before = _current(session, assessment_id=assessment_id, result_id=result_id, version=version)
    for name, value in asdict(status).items():
        setattr(row, name, value)
    return _saved(session, row, before, action="decision.status", contributor=contributor, now=now)


def record_outcome(session: Session, *, assessment_id: int, result_id: int, outcome: Outcome, version: int,
                   contributor: str, now: datetime) -> Decision:
    """Record what the team did and how it went; a Conflict when someone changed the decision meanwhile."""
    row, before = _current(session, assessment_id=assessment_id, result_id=result_id, version=version)
    row.outcome_approach, row.outcome, row.outcome_note = outcome.approach, outcome.outcome, outcome.note
    row.outcome_at = now
    return _saved(session, row, before, action="decision.outcome", contributor=contributor, now=now)


def _current(session: Session, *, assessment_id: int, result_id: int, version: int) -> tuple[Decision, Any]:
    """The row to change (a new one at version 0 when none exists) and its state before, for the audit log."""
    row = session.exec(select(Decision).where(Decision.result_id == result_id).with_for_update()).first()
    if row is None:
        recommendation = session.exec(select(Result.recommendation).where(Result.id == result_id)).one()
        row = Decision(result_id=result_id, assessment_id=assessment_id, recommendation=recommendation, version=0)
    if row.version != version:
        raise Conflict()
    return row, _audited(row) if row.id is not None else None


def _saved(session: Session, row: Decision, before: Any, *, action: str, contributor: str, now: datetime) -> Decision:
    """Bump the version, store the row and append the audit event in the same transaction."""
    row.version += 1
    row.updated_at, row.updated_by = now, contributor
    session.add(row)
    try:
        session.flush()
    except IntegrityError as error:  # PostgreSQL: two first decisions on one result at once; the second loses
        raise Conflict() from error
    actor = f"team: {contributor}" if contributor else "team"
    audit(session, actor=actor, action=action, target=f"result {row.result_id}", before=before, after=_audited(row),
          at=now)
    return row


def _audited(row: Decision) -> dict[str, Any]:
    """The decision's fields as the audit log keeps them (JSON: dates as ISO strings)."""
    fields = ("status", "superseded_by", "owner", "decided_on", "rationale", "revisit_by", "outcome_approach",
              "outcome", "outcome_note")
    return {f: (v.isoformat() if isinstance(v := getattr(row, f), date) else v) for f in fields}
