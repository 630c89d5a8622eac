"""Run Alembic programmatically: `tunewise migrate`, the tests and `make run` share this one path."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"



def alembic_config(database_url: str) -> Config:
    """An Alembic config pointing at migrations/ and at database_url."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["database_url"] = database_url
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Migrate the database up to revision."""
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str = "base") -> None:
    """Migrate the database down to revision."""
    command.downgrade(alembic_config(database_url), revision)


def is_current(engine: Engine, database_url: str) -> bool:
    """True when the database is at the newest migration (the app refuses to serve otherwise)."""
    heads = set(ScriptDirectory.from_config(alembic_config(database_url)).get_heads())
    with engine.connect() as connection:
        return set(MigrationContext.configure(connection).get_current_heads()) == heads
