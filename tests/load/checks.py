"""After a run (and after any crash): count lost and partial answer sets from the database itself."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import create_engine, func, select
from sqlmodel import Session

from app.store.models import Answer, Assessment, Result, Submission
from app.store.tokens import token_hash

from .harness import BANK, Log, stored_digest


def verify(database_url: str, log: Log) -> dict[str, Any]:
    """The figures of reliability.md §5.5: sent, acked, unacked, lost, partial, and the global invariants."""
    engine = create_engine(database_url)
    with Session(engine) as session:
        figures = _count(session, log)
        figures["submissions"] = session.scalar(select(func.count()).select_from(Submission))
        figures["results"] = session.scalar(select(func.count()).select_from(Result))
        figures["version_sum"] = session.scalar(select(func.coalesce(func.sum(Assessment.version), 0)))
        if engine.dialect.name == "sqlite":
            figures["integrity"] = session.connection().exec_driver_sql("PRAGMA integrity_check").scalar()
            figures["fk_problems"] = len(session.connection().exec_driver_sql("PRAGMA foreign_key_check").fetchall())
    engine.dispose()
    return figures


def _count(session: Session, log: Log) -> dict[str, Any]:
    """Per (team, step): the stored answers must be exactly one sent set, the newest acknowledged or an unacked one."""
    by_step: dict[tuple[str, str], list] = defaultdict(list)
    for sent in log.sent:
        by_step[(sent.team, sent.step)].append(sent)
    acked = [s for s in log.sent if s.status == 303]
    versions = dict(session.execute(select(Submission.idem, Submission.version)).all())  # what each submit wrote
    lost = partial = 0
    for (team, step), sends in by_step.items():
        done = [s for s in sends if s.status == 303]
        if not done:
            continue
        stored = _stored(session, team, step)
        expected = max(done, key=lambda s: versions.get(s.idem, 0))
        candidates = {expected.digest} | {s.digest for s in sends if s.status != 303}
        if stored is None or len(stored) != len(BANK.step(step).question_ids):
            partial += 1
        elif stored_digest(stored) not in candidates:
            lost += 1
    return {"sent": len(log.sent), "acked": len(acked), "unacked": len(log.sent) - len(acked), "lost": lost,
            "partial": partial}


def _stored(session: Session, team_token: str, step: str) -> dict[str, Any] | None:
    """The stored answers of one step of one assessment (None when the assessment is gone)."""
    assessment = session.exec(
        select(Assessment).where(Assessment.edit_token_hash == token_hash(team_token))).scalars().first()
    if assessment is None:
        return None
    ids = BANK.step(step).question_ids
    rows = session.exec(select(Answer.question_id, Answer.value).where(
        Answer.assessment_id == assessment.id, Answer.question_id.in_(ids))).all()  # type: ignore[union-attr]
    return {qid: value for qid, value in rows}
