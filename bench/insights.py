"""The admin insight page's figures at 100,000 stored assessments (issue 13, item 6: ≤ 0.5 s cold): the bench's
bulk copies of the fixtures (results spread over two years), with a questionnaire history of five steps for most of
them (a share stopping after each step) and a decision on one in twenty, timed in-process on SQLite."""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from app.engine.rules import Knowledge
from app.routes.admin.insights import figures
from app.store.db import Database

from . import seed

LIMIT_MS = 500
# Of every 20 assessments, how many reached each step (the rest stopped before it): a plausible drop-off.
REACHED = (20, 18, 16, 15, 14)
DECISION_EVERY = 20


def history(path: Path, steps: tuple[str, ...]) -> None:
    """Questionnaire saves for every cloned assessment, and a decision (with an outcome) on one in twenty."""
    conn = seed._connect(path)  # noqa: SLF001 (the bench's own bulk connection)
    try:
        conn.execute("BEGIN")
        for number, (step, reached) in enumerate(zip(steps, REACHED), start=1):
            conn.execute("""INSERT INTO submission (assessment_id, step, idem, version, created_at)
                            SELECT id, ?, hex(randomblob(16)), ?, created_at FROM assessment WHERE id % 20 < ?""",
                         (step, number, reached))
            conn.execute("UPDATE assessment SET steps_saved = steps_saved | ? WHERE id % 20 < ?",
                         (1 << (number - 1), reached))
        conn.execute("""INSERT INTO decision (result_id, assessment_id, recommendation, status, owner, rationale,
                                              outcome_approach, outcome, outcome_note, version, updated_at, updated_by)
                        SELECT r.id, r.assessment_id, r.recommendation, 'accepted', '', '', r.recommendation,
                               CASE WHEN r.id % 3 = 0 THEN 'did_not' ELSE 'worked' END, '', 1, r.created_at, ''
                        FROM result r WHERE r.id % ? = 0""", (DECISION_EVERY,))
        conn.execute("COMMIT")
        conn.execute("ANALYZE")
    finally:
        conn.close()


def sqlite(knowledge: Knowledge, size: int) -> dict[str, Any]:
    """Cold (a fresh connection pool, first call) and warm (median of 3) time of the page's figures, in ms."""
    with tempfile.TemporaryDirectory(prefix="tunewise-bench-insights-") as tmp:
        seeded = seed.create(Path(tmp), knowledge)
        seed.grow(seeded.path, seeded.templates, size)
        history(seeded.path, tuple(s.slug for s in knowledge.bank.steps))
        # The bulk copy leaves gigabytes of dirty pages: let the kernel write them first, so "cold" measures the
        # app's first request on a fresh connection pool, not a read racing the copy's writeback (≈ 1.4 s, measured).
        os.sync()
        db = Database(seeded.url)
        try:
            started = time.perf_counter()
            figures(db, knowledge)
            cold = time.perf_counter() - started
            warm = []
            for _ in range(3):
                started = time.perf_counter()
                figures(db, knowledge)
                warm.append(time.perf_counter() - started)
        finally:
            db.dispose()
        stored = seed.stored(seeded.path)
    return {"stored": stored["assessment"], "submissions": stored["submission"], "cold_ms": round(cold * 1000, 1),
            "warm_ms": round(statistics.median(warm) * 1000, 1), "limit_ms": LIMIT_MS}


def lines(figures: dict[str, Any] | None) -> list[str]:
    """The insight page's figures under the bench table."""
    if not figures:
        return []
    return ["", f"Admin insight page (issue 13), in-process, SQLite: {figures['stored']:,} assessments, "
                f"{figures['submissions']:,} saves; the page's figures cold {figures['cold_ms']:,} ms, warm "
                f"{figures['warm_ms']:,} ms (median of 3)."]


if __name__ == "__main__":
    from app.engine.rules import load_knowledge

    print(sqlite(load_knowledge(), 100_000))
