"""Issue 15, item 2: the admin search and its CSV export do work linear in what is stored (the newest-result
GROUP BY used to be joined by a full scan per row: 21.6 s at 8,589 assessments), and filter on the newest result."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session

from app.engine.rules import APPROACHES
from app.store import search
from app.store.db import Database
from app.store.models import Assessment, Result

FILTERS = {
    "none": search.Search(),
    "recommendation": search.Search(recommendation="PROMPT"),
    "team and recommendation": search.Search(team="team 3-", recommendation="RAG"),
    "status": search.Search(status="complete"),
    "dates": search.Search(since=datetime(2026, 1, 2, tzinfo=UTC), until=datetime(2026, 6, 1, tzinfo=UTC)),
    "title": search.Search(title="CASE"),
}


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    yield database
    database.dispose()


def seed(db: Database, count: int, start: int = 0, results: int = 1) -> None:
    """`count` assessments, each with `results` small results (the newest one's recommendation cycles)."""
    at = datetime(2026, 1, 1, tzinfo=UTC)
    with db.write() as session:
        connection = session.connection()
        connection.execute(Assessment.__table__.insert(), [  # type: ignore[attr-defined]
            {"id": i + 1, "team": f"Team {i % 10}-{i}", "title": f"Use case {i}",
             "status": "complete" if i % 3 else "draft",
             "edit_token_hash": f"{i:064d}", "version": 0, "created_at": at + timedelta(hours=i),
             "updated_at": at + timedelta(hours=i)} for i in range(start, start + count)])
        for n in range(results):
            connection.execute(Result.__table__.insert(), [  # type: ignore[attr-defined]
                {"assessment_id": i + 1, "recommendation": APPROACHES[(i + n) % len(APPROACHES)], "answers": {},
                 "weights": {}, "weights_version": None, "prices": {"id": f"preset-{n}"}, "rules_version": "r",
                 "engine_version": "e", "payload": {}, "created_at": at + timedelta(hours=i, minutes=n)}
                for i in range(start, start + count)])


@contextmanager
def instructions(db: Database) -> Iterator[tuple[Session, list[int]]]:
    """A session whose SQLite connection counts the virtual machine's instructions (in hundreds)."""
    with db.engine.connect() as connection:
        counted = [0]

        def tick() -> int:
            counted[0] += 1
            return 0

        connection.connection.driver_connection.set_progress_handler(tick, 100)  # type: ignore[union-attr]
        with Session(bind=connection) as session:
            yield session, counted


def work(db: Database, where: search.Search) -> int:
    """Instructions (hundreds) of one page and the count of a search, and of the whole CSV export."""
    with instructions(db) as (session, counted):
        search.search_assessments(session, where=where, page=2)

        @contextmanager
        def same() -> Iterator[Session]:
            yield session

        db.read = same  # type: ignore[method-assign]
        try:
            rows = list(search.iter_assessments(db, where=where, batch=100))
        finally:
            del db.read
        assert rows or where != FILTERS["none"]
        return counted[0]


def test_the_search_filters_on_the_newest_result(db: Database) -> None:
    seed(db, 12, results=3)  # the newest result of assessment i recommends APPROACHES[(i + 2) % 6]
    with db.read() as session:
        rows, total = search.search_assessments(session, where=search.Search(recommendation=APPROACHES[2]), page=1)
    assert total == 2 and sorted(r.id for r in rows) == [1, 7]
    assert all(r.recommendation == APPROACHES[2] and r.preset == "preset-2" for r in rows)
    exported = list(search.iter_assessments(db, where=search.Search(recommendation=APPROACHES[2]), batch=1))
    assert [r.id for r in exported] == [1, 7]
    with db.read() as session:  # a text filter counts in the page's own pass, and still counts past the last page
        for page, shown in ((1, 1), (2, 1), (3, 0)):
            rows, total = search.search_assessments(session, where=search.Search(team="TEAM 1-"), page=page, size=1)
            assert total == 2 and len(rows) == shown and all(r.team.startswith("Team 1-") for r in rows)


def test_search_and_export_work_grows_linearly(db: Database) -> None:
    if not db.is_sqlite:
        pytest.skip("counts SQLite's instructions (the timed test covers PostgreSQL)")
    seed(db, 1000)
    small = {name: work(db, where) for name, where in FILTERS.items()}
    seed(db, 1000, start=1000)
    large = {name: work(db, where) for name, where in FILTERS.items()}
    for name in FILTERS:
        assert large[name] <= 2.6 * max(small[name], 1), (name, small[name], large[name])


def test_every_filter_is_quick_at_ten_thousand(db: Database) -> None:
    seed(db, 10_000)
    for name, where in FILTERS.items():
        started = time.perf_counter()
        with db.read() as session:
            search.search_assessments(session, where=where, page=3)
        assert time.perf_counter() - started < 0.5, name
