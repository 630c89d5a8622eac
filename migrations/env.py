"""Alembic environment: the URL comes from Tunewise settings (or the caller), batch mode for SQLite."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

from app.settings import get_settings
from app.store.db import make_engine

config = context.config
target_metadata = SQLModel.metadata


def database_url() -> str:
    """The URL passed by app.migrate, else the one in the settings."""
    return config.attributes.get("database_url") or get_settings().database_url


def run_offline() -> None:
    """Emit SQL without a connection."""
    context.configure(url=database_url(), target_metadata=target_metadata, literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    """Run against a live connection (given by the caller, or made here)."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(database_url())
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


def _run(connection: object) -> None:
    """Configure the context on a connection and run the migrations in one transaction."""
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
