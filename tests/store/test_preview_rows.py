"""The weights preview reads each result's slim rank_inputs column, and the payload where that is NULL."""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import col, select

from app.engine.rules import Knowledge, load_knowledge
from app.engine.weights import compact, rank_inputs
from app.store import admins as admin_repo
from app.store.db import Database
from app.store.models import Result
from app.store.reevaluate import PreviewCache, preview_impact

from ..stored import seed_results

AXES = load_knowledge().axis_keys  # the shipped axes, in axes.toml order


def test_rows_come_from_rank_inputs_equal_to_the_payloads(db: Database, knowledge: Knowledge) -> None:
    ids = seed_results(db, knowledge)
    with db.read() as session:
        results = {r.id: r for r in session.exec(select(Result))}
        rows = admin_repo.preview_rows(session, AXES)
    assert [r.id for r in rows] == ids and all(r.ranked is not None for r in rows)
    for row in rows:
        stored = results[row.id]
        assert stored.rank_inputs == rank_inputs(stored.payload, AXES)
        assert row.ranked == compact(stored.payload, AXES) and row.recommendation == stored.recommendation


def test_rows_without_rank_inputs_are_read_from_the_payload(db: Database, knowledge: Knowledge) -> None:
    ids = seed_results(db, knowledge)
    weights = {"fit": 0.05, "data": 0.05, "speed": 0.05, "cost": 0.7, "risk": 0.1, "change": 0.05}
    with db.read() as session:
        filled = admin_repo.preview_rows(session, AXES)
        before = preview_impact(session, knowledge, weights, PreviewCache())
    with db.write() as session:  # every other row as if stored before the column existed
        session.execute(update(Result).where(col(Result.id).in_(ids[::2])).values(rank_inputs=None))
    with db.read() as session:
        assert sorted(session.exec(select(Result.id).where(col(Result.rank_inputs).is_(None))).all()) == ids[::2]
        assert admin_repo.preview_rows(session, AXES) == filled
        assert admin_repo.preview_rows(session, AXES, after_id=ids[3]) == filled[4:]
        assert preview_impact(session, knowledge, weights, PreviewCache()) == before
    assert before.changed > 0


def test_a_result_without_scores_is_not_re_ranked(db: Database, knowledge: Knowledge) -> None:
    ids = seed_results(db, knowledge, 2)
    with db.write() as session:
        broken = session.get(Result, ids[0])
        assert broken is not None
        payload = {**broken.payload, "approaches": [{**a, "scores": None} for a in broken.payload["approaches"]]}
        session.execute(update(Result).where(col(Result.id) == ids[0])
                     .values(payload=payload, rank_inputs=rank_inputs(payload, AXES)))
    with db.read() as session:
        assert [r.ranked is None for r in admin_repo.preview_rows(session, AXES)] == [True, False]
    with db.write() as session:
        session.execute(update(Result).values(rank_inputs=None))
    with db.read() as session:
        assert [r.ranked is None for r in admin_repo.preview_rows(session, AXES)] == [True, False]
