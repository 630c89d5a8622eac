"""The benchmark's database: a migrated SQLite file seeded with stored assessments, results and view links.

A few fixtures are scored once through the app's own code (the templates); every other row is a bulk copy of a
template made in SQL, so 100,000 stored assessments take seconds instead of 100,000 scorings."""

from __future__ import annotations

import json
import secrets
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from app.engine import flow
from app.engine.model import Kind
from app.engine.rules import Knowledge
from app.settings import ROOT
from app.store import assessments as repo
from app.store import migrate, results
from app.store.db import Database
from app.store.models import Result
from app.store.settings import resolve
from app.store.tokens import new_token, token_hash

FIXTURES = (ROOT / "tests" / "fixtures" / "public-scenarios.jsonl",
            ROOT / "tests" / "fixtures" / "published-cases.jsonl")
READ_POOLS = {"step": 200, "report": 250}  # topped up with finished assessments to 1,000 stored
# Seeded after the 1k scale runs, large enough that an 8 s run does not wrap round: each row then gets exactly one
# write, at version 0 (4,000 rows wrapped at ~650 submits/s). On a much faster machine post.lua wraps round with
# version + 1; a row's second request could then overtake its first in the server's (unfair) writer lock and get a
# 409, which is reported as a failure.
WRITE_POOLS = {"submit": 8_000, "submit_htmx": 8_000, "finish": 2_000}


def fixtures() -> list[dict[str, Any]]:
    """Every fixture scenario (answers as the API takes them)."""
    return [json.loads(line) for path in FIXTURES for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]


@dataclass
class Seeded:
    """The seeded database and the capability tokens of each pool (row k was copied from template k % T)."""

    path: Path
    url: str
    templates: list[int]
    answers: list[dict[str, Any]]  # typed answers of each template
    pools: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # pool → [(edit token, view token)]

    def form_answers(self, knowledge: Knowledge, row: int, slug: str) -> str:
        """One step's answers of pool row `row`, url-encoded as the step form sends them."""
        typed = self.answers[row % len(self.answers)]
        pairs: list[tuple[str, str]] = []
        for q in knowledge.bank.step_questions(slug):
            if q.id not in typed:
                continue
            value = typed[q.id]
            if q.kind is Kind.MULTI:
                pairs += [(q.id, str(v)) for v in value]
            else:
                pairs.append((q.id, str(value)))
        return urlencode(pairs)


def create(directory: Path, knowledge: Knowledge) -> Seeded:
    """Migrate a fresh database and store one scored, finished assessment per fixture (the templates)."""
    path = directory / "bench.db"
    url = f"sqlite:///{path}"
    migrate.upgrade(url)
    db = Database(url)
    ids, typed_all = [], []
    try:
        for case in fixtures():
            typed, errors = flow.check_answers(knowledge.bank, case["answers"])
            assert not errors, (case["id"], errors)
            with db.read() as session:
                scored = results.snapshot_fields(resolve(session, knowledge), knowledge, answers=typed,
                                                 assumptions=None)
            with db.write() as session:
                assessment, _ = repo.create_assessment(session, team=f"Team {case['id']}", title=case["title"][:200],
                                                       bank_version=knowledge.bank.version,
                                                       rules_version=knowledge.rules.version)
                repo.save_step(session, assessment=assessment, step="api", answers=typed, version=0, idem="",
                               extra={"status": "complete"})
                result = Result(assessment_id=assessment.id, **scored)
                session.add(result)
                session.flush()
                assert result.id is not None and assessment.id is not None
                results.add_share_link(session, result_id=result.id, days=None)
                ids.append(assessment.id)
            typed_all.append(typed)
    finally:
        db.dispose()
    return Seeded(path=path, url=url, templates=ids, answers=typed_all)


def _connect(path: Path, *, server_stopped: bool = True) -> sqlite3.Connection:
    """A plain connection for bulk copies. With the server stopped: no journal and no fsync (its own connections
    set WAL and synchronous=FULL again when they open); with the server running (idle): WAL, no fsync."""
    conn = sqlite3.connect(path, isolation_level=None, timeout=30)
    if server_stopped:
        conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA cache_size=-262144")
    return conn


def clone(conn: sqlite3.Connection, templates: Sequence[int], edit_hashes: Sequence[str], *, status: str,
          view_hashes: Sequence[str] | None) -> None:
    """Copy templates round-robin into len(edit_hashes) new assessments at version 0, with their answers and,
    when view_hashes is given, their result and one view link each. One transaction."""
    start = conn.execute("SELECT COALESCE(MAX(id), 0) FROM assessment").fetchone()[0] + 1
    last_result = conn.execute("SELECT COALESCE(MAX(id), 0) FROM result").fetchone()[0]
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS clone_map "
                 "(fid INTEGER PRIMARY KEY, tid INTEGER, ehash TEXT, vhash TEXT)")
    conn.execute("BEGIN")
    conn.execute("DELETE FROM clone_map")
    conn.executemany("INSERT INTO clone_map VALUES (?, ?, ?, ?)", (
        (start + k, templates[k % len(templates)], h, view_hashes[k] if view_hashes else None)
        for k, h in enumerate(edit_hashes)))
    # Start dates spread over two years (the admin search's date filters and its order see realistic data).
    conn.execute("""INSERT INTO assessment (id, team, title, status, edit_token_hash, version, cost_assumptions,
                                            created_at, updated_at, bank_version, rules_version)
                    SELECT m.fid, a.team, a.title, ?, m.ehash, 0, a.cost_assumptions,
                           datetime(a.created_at, '-' || (m.fid % 730) || ' days') || substr(a.created_at, 20),
                           a.updated_at, a.bank_version, a.rules_version
                    FROM clone_map m JOIN assessment a ON a.id = m.tid ORDER BY m.fid""", (status,))
    conn.execute("""INSERT INTO answer (assessment_id, question_id, value, updated_at)
                    SELECT m.fid, an.question_id, an.value, an.updated_at
                    FROM clone_map m JOIN answer an ON an.assessment_id = m.tid ORDER BY m.fid""")
    if view_hashes:
        conn.execute("""INSERT INTO result (assessment_id, recommendation, answers, weights, weights_version, prices,
                                            rules_version, engine_version, payload, created_at, rank_inputs, confidence)
                        SELECT m.fid, r.recommendation, r.answers, r.weights, r.weights_version, r.prices,
                               r.rules_version, r.engine_version, r.payload,
                               datetime(r.created_at, '-' || (m.fid % 730) || ' days') || substr(r.created_at, 20),
                               r.rank_inputs, r.confidence
                        FROM clone_map m JOIN result r ON r.assessment_id = m.tid ORDER BY m.fid""")
        conn.execute("""INSERT INTO share_link (result_id, token_hash, created_at, expires_at, revoked_at)
                        SELECT r.id, m.vhash, r.created_at, NULL, NULL
                        FROM result r JOIN clone_map m ON m.fid = r.assessment_id WHERE r.id > ? ORDER BY r.id""",
                     (last_result,))
    conn.execute("COMMIT")


def add_pools(seeded: Seeded, pools: dict[str, int], *, server_stopped: bool = True, top_up: int = 0) -> None:
    """Pools for the load runs: known edit and view tokens, copied from the templates; then top up to `top_up`."""
    conn = _connect(seeded.path, server_stopped=server_stopped)
    try:
        for pool, size in pools.items():
            edit = [new_token() for _ in range(size)]
            view = [new_token() for _ in range(size)] if pool == "report" else None
            clone(conn, seeded.templates, [token_hash(t) for t in edit],
                  status="complete" if pool == "report" else "draft",
                  view_hashes=[token_hash(t) for t in view] if view else None)
            seeded.pools[pool] = list(zip(edit, view or [""] * size))
        fill_to(conn, seeded.templates, top_up)
    finally:
        conn.close()


def fill_to(conn: sqlite3.Connection, templates: Sequence[int], total: int, chunk: int = 20_000) -> int:
    """Add finished assessments (answers, a result and a view link each) until `total` are stored."""
    have = count(conn)
    missing = max(0, total - have)
    while missing:
        size = min(chunk, missing)
        clone(conn, templates, [secrets.token_hex(32) for _ in range(size)], status="complete",
              view_hashes=[secrets.token_hex(32) for _ in range(size)])
        missing -= size
    return count(conn)


def grow(path: Path, templates: Sequence[int], total: int) -> int:
    """Bring the stored assessments up to `total` (the server must be stopped); returns the count."""
    conn = _connect(path)
    try:
        return fill_to(conn, templates, total)
    finally:
        conn.close()


def count(conn: sqlite3.Connection) -> int:
    """Stored assessments."""
    return int(conn.execute("SELECT COUNT(*) FROM assessment").fetchone()[0])


def stored(path: Path) -> dict[str, int]:
    """Row counts and the file size, for the results."""
    conn = sqlite3.connect(path)
    try:
        out = {t: int(conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0])  # noqa: S608 (fixed names)
               for t in ("assessment", "answer", "result", "share_link", "submission")}
    finally:
        conn.close()
    size = sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))
    return {**out, "db_bytes": size}


def versions(path: Path, tokens: Sequence[str]) -> int:
    """The sum of the versions of the given assessments (each accepted write adds one)."""
    conn = sqlite3.connect(path)
    try:
        hashes = [token_hash(t) for t in tokens]
        marks = ",".join("?" * len(hashes))
        return int(conn.execute(f"SELECT COALESCE(SUM(version), 0) FROM assessment WHERE edit_token_hash IN ({marks})",  # noqa: S608
                                hashes).fetchone()[0])
    finally:
        conn.close()
