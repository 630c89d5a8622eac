"""Per-process caches over append-only tables, when rows commit out of id order (issue 14, item 5).

PostgreSQL hands out ids from a sequence when a row is inserted, not when it commits: a transaction holding id 5
can commit after another one's id 6 was read. A cache that remembers "the highest id seen" then never sees row 5.
On SQLite writers queue (one at a time), so ids always commit in order: these tests need the parity run."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
from sqlmodel import Session, select

from app.engine.rules import Knowledge
from app.store import settings as settings_store
from app.store.db import Database
from app.store.models import Assessment, Result
from app.store.reevaluate import PreviewCache

from ..conftest import PG_URL
from ..stored import seed_results

pytestmark = pytest.mark.skipif(not PG_URL, reason="needs TUNEWISE_TEST_DATABASE_URL (the PostgreSQL parity run)")
NOW = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)


@contextmanager
def open_transaction(db: Database) -> Iterator[Session]:
    """A transaction the test commits when it chooses (rolled back if it does not)."""
    session = Session(db.engine)
    try:
        yield session
    finally:
        session.close()


def new_preset_version(session: Session, knowledge: Knowledge, key: str) -> None:
    """Version 1 of a prices.toml preset with every price doubled, inserted (its id taken) but not committed."""
    base = knowledge.presets[key]
    fields = {"name": base.name, "provider": base.provider, "as_of": base.as_of, "note": "doubled"}
    settings_store.add_preset_version(session, base=base, expected=0, values={k: v * 2 for k, v in base.values.items()},
                                      fields=fields, actor="test", now=NOW)
    session.flush()


def test_a_preset_version_that_commits_after_a_newer_id_reaches_the_settings(db: Database,
                                                                             knowledge: Knowledge) -> None:
    current = settings_store.CurrentSettings(db, knowledge)
    active = knowledge.default_preset
    other = next(key for key in knowledge.presets if key != active)
    with open_transaction(db) as slow, open_transaction(db) as fast:
        new_preset_version(slow, knowledge, active)  # takes the lower id, commits last
        new_preset_version(fast, knowledge, other)
        fast.commit()
        assert current.get().preset_version is None  # kept, with the stamp of that moment
        slow.commit()
    assert current.get().preset_version == 1  # the active preset's new version, not the kept one


def copy_result(session: Session, source_id: int) -> None:
    """One more assessment and result like `source_id`'s, inserted (ids taken) but not committed."""
    result = session.get(Result, source_id)
    assert result is not None
    assessment = Assessment(team="Late", title="Commits last", status="complete", edit_token_hash="f" * 64)
    session.add(assessment)
    session.flush()
    fields = result.model_dump(exclude={"id", "assessment_id", "created_at"})
    session.add(Result(assessment_id=assessment.id, **fields))
    session.flush()


def test_a_result_that_commits_after_a_newer_id_reaches_the_weights_preview(db: Database,
                                                                           knowledge: Knowledge) -> None:
    first, second = seed_results(db, knowledge, count=2)
    cache, axes = PreviewCache(), knowledge.axis_keys
    with open_transaction(db) as slow:
        copy_result(slow, first)  # takes the lower id, commits last
        with db.write() as fast:
            fast.add(Result(**{**fast.get(Result, second).model_dump(exclude={"id"})}))  # type: ignore[union-attr]
        with db.read() as session:
            assert len(cache.rows(session, axes)) == 3  # the two seeded and the faster one
        slow.commit()
    with db.read() as session:
        seen = [row.id for row in cache.rows(session, axes)]
        stored = sorted(session.exec(select(Result.id)).all())  # type: ignore[arg-type]
    assert seen == stored and len(seen) == 4
