"""Variants ("what if…", issue 13): a new draft holding another assessment's answers, linked to its origin and to
the origin's result it was made from, named after it ("… — variant 2")."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.store.assessments import create_assessment
from app.store.db import Database
from app.store.models import Answer, Assessment, Result, utcnow
from app.store.results import find_shared, snapshot

TITLE_LIMIT = 200


def variant_title(origin_title: str, number: int) -> str:
    """'<origin title> — variant <n>', the origin's title cut so the whole fits the title's limit."""
    suffix = f" — variant {number}"
    return origin_title[:TITLE_LIMIT - len(suffix)] + suffix


def make_variant(session: Session, *, origin: Assessment, origin_result_id: int | None, answers: Mapping[str, Any],
                 cost_assumptions: Mapping[str, Any] | None, bank_version: str, rules_version: str) -> str:
    """A new draft with these answers, linked to its origin; returns its edit token (shown once)."""
    made = session.exec(select(func.count()).select_from(Assessment).where(Assessment.origin_id == origin.id)).one()
    variant, token = create_assessment(session, team=origin.team, title=variant_title(origin.title, int(made) + 1),
                                       bank_version=bank_version, rules_version=rules_version, origin=origin,
                                       origin_result_id=origin_result_id)
    assert variant.id is not None
    variant.cost_assumptions = dict(cost_assumptions) if cost_assumptions else None
    now = utcnow()
    session.add_all(Answer(assessment_id=variant.id, question_id=qid, value=value, updated_at=now)
                    for qid, value in answers.items())
    session.add(variant)
    session.flush()
    return token


def origin_result(session: Session, *, assessment_id: int) -> tuple[Result, Assessment] | None:
    """The result a variant was made from, with its assessment; None when this is no variant or it is gone."""
    variant = session.get(Assessment, assessment_id)
    if variant is None or variant.origin_result_id is None:
        return None
    row = session.exec(select(Result, Assessment).join(Assessment, col(Assessment.id) == Result.assessment_id)
                       .where(Result.id == variant.origin_result_id)).first()
    return (row[0], row[1]) if row is not None else None


def origin_snapshot(db: Database, *, token: str) -> dict[str, Any] | None:
    """The snapshot of the result that the variant behind this view link was made from; None when the link is
    not live, its assessment is no variant, or the origin's result is gone."""
    with db.read() as session:
        found = find_shared(session, token=token)
        origin = origin_result(session, assessment_id=found[2].id) if found and found[2].id else None
        return snapshot(*origin, newer_exists=False, expires_at=None) if origin else None
