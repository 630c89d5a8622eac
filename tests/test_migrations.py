"""Alembic owns the schema: upgrade head matches the models, and downgrade base works."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect
from sqlmodel import SQLModel

from app import migrate, models  # noqa: F401  (registers the tables)
from app.db import make_engine


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
