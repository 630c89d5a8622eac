"""Alembic owns the schema: upgrade head matches the models, and downgrade base works."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData, Table, create_engine, func, inspect, select
from sqlmodel import SQLModel

from app.engine.rules import load_knowledge
from app.engine.scoring import result_to_dict, score
from app.engine.weights import rank_inputs
from app.store import migrate
from app.store.db import make_engine

from ..scenarios import ALL

AXES = load_knowledge().axis_keys  # the shipped axes, in axes.toml order


def test_upgrade_head_matches_the_models(database_url: str) -> None:
    engine = create_engine(database_url)
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}), SQLModel.metadata)
    engine.dispose()
    assert diff == []


def test_downgrade_base_then_upgrade_again(database_url: str) -> None:
    migrate.downgrade(database_url, "base")
    engine = create_engine(database_url)
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    engine.dispose()
    migrate.upgrade(database_url)
    engine = create_engine(database_url)
    assert {"assessment", "answer", "result", "share_link", "submission"} <= set(inspect(engine).get_table_names())
    assert migrate.is_current(engine, database_url)
    engine.dispose()


def _insert_result(connection, tables: dict[str, Table], number: int, payload: dict) -> None:
    """One assessment with a result and a view link, written with the columns of revision 0002."""
    at = datetime(2026, 11, 21, tzinfo=UTC)
    aid = connection.execute(tables["assessment"].insert().values(
        team="T", title="X", status="complete", edit_token_hash=f"{number:064d}", version=0, created_at=at,
        updated_at=at)).inserted_primary_key[0]
    rid = connection.execute(tables["result"].insert().values(
        assessment_id=aid, recommendation=payload["primary"], answers=payload["answers"], weights={}, prices={},
        rules_version="r", engine_version="e", payload=payload, created_at=at)).inserted_primary_key[0]
    connection.execute(tables["share_link"].insert().values(result_id=rid, token_hash=f"{number:064x}", created_at=at))


def test_0003_fills_rank_inputs_of_stored_results_and_downgrades(database_url: str) -> None:
    knowledge = load_knowledge()
    cases = [c for c in ALL if c["id"] in ("S03", "S04")]  # four approaches blocked; forced by G1
    payloads = [result_to_dict(score(knowledge, c["answers"])) for c in cases]
    migrate.downgrade(database_url, "0002")
    engine = create_engine(database_url)
    tables = {n: Table(n, MetaData(), autoload_with=engine) for n in ("assessment", "result", "share_link")}
    assert "rank_inputs" not in tables["result"].c
    with engine.begin() as connection:
        for number, payload in enumerate(payloads):
            _insert_result(connection, tables, number, payload)
    engine.dispose()

    migrate.upgrade(database_url)
    engine = create_engine(database_url)
    with engine.connect() as connection:
        result = Table("result", MetaData(), autoload_with=connection)
        stored = connection.execute(select(result.c.rank_inputs).order_by(result.c.id)).scalars().all()
    engine.dispose()
    filled = [json.loads(v) if isinstance(v, str) else v for v in stored]
    assert filled == [rank_inputs(p, AXES) for p in payloads]
    assert [f["forced_by"] for f in filled] == [None, "G1"]
    assert all(isinstance(r[1], bool) for f in filled for r in f["approaches"])

    migrate.downgrade(database_url, "0002")
    engine = create_engine(database_url)
    assert "rank_inputs" not in {c["name"] for c in inspect(engine).get_columns("result")}
    with engine.connect() as connection:  # the column went without the rows (or their links) going too
        counts = [connection.execute(select(func.count()).select_from(tables[n])).scalar()
                  for n in ("result", "share_link")]
    assert counts == [2, 2]
    engine.dispose()
    migrate.upgrade(database_url)


def test_sqlite_connections_get_the_pragmas(tmp_path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'p.db'}")
    with engine.connect() as connection:
        values = {p: connection.exec_driver_sql(f"PRAGMA {p}").scalar() for p in
                  ("journal_mode", "synchronous", "busy_timeout", "foreign_keys")}
    engine.dispose()
    assert values == {"journal_mode": "wal", "synchronous": 2, "busy_timeout": 5000, "foreign_keys": 1}


def test_the_app_refuses_an_unmigrated_database(tmp_path) -> None:
    import pytest
    from fastapi.testclient import TestClient

    from app.main import create_app
    from app.settings import Settings

    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'empty.db'}"))
    with pytest.raises(RuntimeError, match="tunewise migrate"):
        with TestClient(app):
            pass


def test_0005_backfills_the_newest_result_and_the_trigger_keeps_it(database_url: str) -> None:
    payload = result_to_dict(score(load_knowledge(), ALL[0]["answers"]))
    migrate.downgrade(database_url, "0004")
    engine = create_engine(database_url)
    tables = {n: Table(n, MetaData(), autoload_with=engine) for n in ("assessment", "result", "share_link")}
    with engine.begin() as connection:
        _insert_result(connection, tables, 0, payload)
        connection.execute(tables["result"].insert().values(
            assessment_id=1, recommendation="RAG", answers={}, weights={}, prices={}, rules_version="r",
            engine_version="e", payload=payload, created_at=datetime(2026, 11, 22, tzinfo=UTC)))
    engine.dispose()
    migrate.upgrade(database_url)
    engine = create_engine(database_url)
    newest = "SELECT latest_result_id, recommendation FROM assessment"
    with engine.begin() as connection:
        assert tuple(connection.exec_driver_sql(newest).one()) == (2, "RAG")
        assessment = Table("assessment", MetaData(), autoload_with=connection)
        result = Table("result", MetaData(), autoload_with=connection)
        connection.execute(result.insert().values(
            assessment_id=1, recommendation="PROMPT", answers={}, weights={}, prices={}, rules_version="r",
            engine_version="e", payload={}, created_at=datetime(2026, 11, 23, tzinfo=UTC)))
        assert tuple(connection.exec_driver_sql(newest).one()) == (3, "PROMPT")
        assert connection.execute(select(assessment.c.result_at)).scalar() is not None
    engine.dispose()
    migrate.downgrade(database_url, "0004")
    engine = create_engine(database_url)
    with engine.connect() as connection:  # the columns went, the results stayed
        assert connection.execute(select(func.count()).select_from(tables["result"])).scalar() == 3
    assert "latest_result_id" not in {c["name"] for c in inspect(engine).get_columns("assessment")}
    engine.dispose()
    migrate.upgrade(database_url)


def test_0007_backfills_confidence_and_steps_saved_and_keeps_results(database_url: str) -> None:
    payload = result_to_dict(score(load_knowledge(), ALL[0]["answers"]))
    migrate.downgrade(database_url, "0006")
    engine = create_engine(database_url)
    tables = {n: Table(n, MetaData(), autoload_with=engine)
              for n in ("assessment", "result", "share_link", "submission")}
    with engine.begin() as connection:
        _insert_result(connection, tables, 0, payload)
        at = datetime(2026, 11, 22, tzinfo=UTC)
        for number, step in enumerate(("problem", "data", "data", "api"), start=1):
            connection.execute(tables["submission"].insert().values(
                assessment_id=1, step=step, idem=f"i{number}", version=number, created_at=at))
        before = connection.execute(select(tables["result"].c.payload)).scalar()
    engine.dispose()
    migrate.upgrade(database_url)
    engine = create_engine(database_url)
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT steps_saved FROM assessment").scalar() == 1 | 4
        assert connection.exec_driver_sql("SELECT confidence FROM result").scalar() == payload["confidence"]["label"]
        result = Table("result", MetaData(), autoload_with=connection)
        assert connection.execute(select(result.c.payload)).scalar() == before  # the snapshot as it was
    engine.dispose()
    migrate.downgrade(database_url, "0006")
    engine = create_engine(database_url)
    assert "steps_saved" not in {c["name"] for c in inspect(engine).get_columns("assessment")}
    assert "confidence" not in {c["name"] for c in inspect(engine).get_columns("result")}
    engine.dispose()
    migrate.upgrade(database_url)
