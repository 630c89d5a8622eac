"""The admin search at 10,000 and 100,000 stored assessments (issue 15, item 2): each filter's count and first page
(what /admin/assessments runs) and the CSV export, timed in-process, each on a database of its own: a SQLite file
grown with the bench's bulk copies, and with BENCH_POSTGRES_URL (e.g. postgresql+psycopg://postgres@127.0.0.1:54340/
postgres) a throwaway PostgreSQL database seeded the same way in SQL and dropped afterwards."""

from __future__ import annotations

import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from app.engine import flow
from app.engine.rules import Knowledge
from app.store import assessments as repo
from app.store import migrate, results, search
from app.store.db import Database
from app.store.settings import resolve

from . import seed

LIMIT_MS = 200  # each filter at 100,000 stored assessments (issue 15)
NOW = datetime.now(UTC)
FILTERS = {
    "none": search.Search(),
    "team contains": search.Search(team="team s0"),
    "use case contains": search.Search(title="robotic"),
    "status": search.Search(status="complete"),
    "recommendation": search.Search(recommendation="PROMPT"),
    "team + recommendation": search.Search(team="team", recommendation="RAG"),
    "dates (one year)": search.Search(since=NOW - timedelta(days=365), until=NOW + timedelta(days=1)),
}
EXPORTS = ("none", "recommendation")


def figures(url: str) -> dict[str, Any]:
    """Median of 3 of each filter's count and first page (ms, rows matched), and each export's time (ms, rows)."""
    db = Database(url)
    out: dict[str, Any] = {"filters": {}, "exports": {}}
    try:
        with db.read() as session:
            out["stored"] = search.search_assessments(session, where=search.Search(), page=1, size=1)[1]
            for name, where in FILTERS.items():
                times, total = [], 0
                for _ in range(3):
                    started = time.perf_counter()
                    _, total = search.search_assessments(session, where=where, page=1)
                    times.append(time.perf_counter() - started)
                out["filters"][name] = {"ms": round(statistics.median(times) * 1000, 1), "matched": total}
        for name in EXPORTS:
            started = time.perf_counter()
            rows = sum(1 for _ in search.iter_assessments(db, where=FILTERS[name]))
            out["exports"][name] = {"ms": round((time.perf_counter() - started) * 1000, 1), "rows": rows}
    finally:
        db.dispose()
    return out


def sqlite(knowledge: Knowledge, sizes: tuple[int, ...]) -> dict[str, Any]:
    """The figures at each size on a SQLite database of its own (the bench's bulk copies of the fixtures: finished
    assessments, each with its answers, a result and a view link), deleted afterwards."""
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="tunewise-bench-search-") as tmp:
        seeded = seed.create(Path(tmp), knowledge)
        for size in sizes:
            seed.grow(seeded.path, seeded.templates, size)
            out[str(size)] = figures(seeded.url)
    return out


# ------------------------------------------------------------------ PostgreSQL
CLONE = (
    """INSERT INTO assessment (team, title, status, edit_token_hash, version, cost_assumptions, created_at, updated_at)
       SELECT a.team, a.title, 'complete', lpad((:start + g)::text, 64, '0'), 0, a.cost_assumptions,
              a.created_at - ((:start + g) % 730) * interval '1 day', a.updated_at
       FROM generate_series(0, :count - 1) g JOIN bench_templates t ON t.k = (:start + g) % :templates
       JOIN assessment a ON a.id = t.aid""",
    """INSERT INTO answer (assessment_id, question_id, value, updated_at)
       SELECT n.id, an.question_id, an.value, an.updated_at
       FROM generate_series(0, :count - 1) g JOIN bench_templates t ON t.k = (:start + g) % :templates
       JOIN assessment n ON n.edit_token_hash = lpad((:start + g)::text, 64, '0')
       JOIN answer an ON an.assessment_id = t.aid""",
    """INSERT INTO result (assessment_id, recommendation, answers, weights, weights_version, prices, rules_version,
                           engine_version, payload, created_at, rank_inputs)
       SELECT n.id, r.recommendation, r.answers, r.weights, r.weights_version, r.prices, r.rules_version,
              r.engine_version, r.payload, r.created_at, r.rank_inputs
       FROM generate_series(0, :count - 1) g JOIN bench_templates t ON t.k = (:start + g) % :templates
       JOIN assessment n ON n.edit_token_hash = lpad((:start + g)::text, 64, '0')
       JOIN result r ON r.assessment_id = t.aid""",
)


def postgres(server_url: str, knowledge: Knowledge, sizes: tuple[int, ...]) -> dict[str, Any]:
    """The figures at each size on a fresh PostgreSQL database of the server at server_url (dropped afterwards)."""
    name = f"tw_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = server_url.rsplit("/", 1)[0] + f"/{name}"
    out: dict[str, Any] = {}
    try:
        migrate.upgrade(url)
        templates = _templates(url, knowledge)
        engine = create_engine(url)
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE bench_templates (k integer PRIMARY KEY, aid integer)"))
            connection.execute(text("INSERT INTO bench_templates VALUES (:k, :aid)"),
                               [{"k": k, "aid": aid} for k, aid in enumerate(templates)])
        have = len(templates)
        for size in sizes:
            with engine.begin() as connection:
                for statement in CLONE:
                    connection.execute(text(statement), {"start": have, "count": size - have,
                                                         "templates": len(templates)})
                connection.execute(text("ANALYZE"))
            have = size
            out[str(size)] = figures(url)
        engine.dispose()
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    return out


def _templates(url: str, knowledge: Knowledge) -> list[int]:
    """One scored, finished assessment per fixture, stored through the app's own code: their ids."""
    db = Database(url)
    ids = []
    try:
        for case in seed.fixtures():
            typed, errors = flow.check_answers(knowledge.bank, case["answers"])
            assert not errors, (case["id"], errors)
            with db.read() as session:
                scored = results.snapshot_fields(resolve(session, knowledge), knowledge, answers=typed,
                                                 assumptions=None)
            with db.write() as session:
                assessment, _ = repo.create_assessment(session, team=f"Team {case['id']}", title=case["title"][:200])
                repo.save_step(session, assessment=assessment, step="api", answers=typed, version=0, idem="",
                               extra={"status": "complete"})
                assert assessment.id is not None
                results.store_result(session, assessment_id=assessment.id, fields=scored, days=None)
                ids.append(assessment.id)
    finally:
        db.dispose()
    return ids


def lines(data: dict[str, Any]) -> list[str]:
    """The admin search table: one row per filter and export, a column per database and size."""
    runs = [(engine, size, figures_) for engine, sizes in data.items() for size, figures_ in sizes.items()]
    if not runs:
        return []
    head = " | ".join(f"{engine} {int(size):,}" for engine, size, _ in runs)
    out = ["", "Admin search (issue 15), in-process: count + first page per filter, median of 3; the CSV export "
           "streams every matching row.", "", f"| Filter | {head} |", "|---|" + "---:|" * len(runs)]
    for name in FILTERS:
        cells = " | ".join(f"{f['filters'][name]['ms']:g} ms ({f['filters'][name]['matched']:,})" for _, _, f in runs)
        out.append(f"| {name} | {cells} |")
    for name in EXPORTS:
        cells = " | ".join(f"{f['exports'][name]['ms']:,.0f} ms ({f['exports'][name]['rows']:,} rows)"
                           for _, _, f in runs)
        out.append(f"| CSV export, {name} | {cells} |")
    return out


def slowest(data: dict[str, Any], engine: str, size: str = "100000") -> float:
    """The slowest filter at one size on one database, ms."""
    return max(f["ms"] for f in data[engine][size]["filters"].values())
