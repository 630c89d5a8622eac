"""What the operators' endpoints read: stored totals for /metrics and the readiness check for /readyz."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from alembic.script import ScriptDirectory
from sqlalchemy import String, column, func, select, table
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import col

from app.store import migrate
from app.store.db import Database
from app.store.models import Assessment, Result

ASSESSMENTS = select(func.count()).select_from(Assessment)
FINISHED = select(func.count()).select_from(Assessment).where(col(Assessment.status) == "complete")
BY_APPROACH = select(col(Result.recommendation), func.count()).group_by(col(Result.recommendation))
VERSIONS = select(column("version_num", String)).select_from(table("alembic_version"))


@dataclass(frozen=True)
class Totals:
    """Rows in the database now: they include every worker's and server's work, and shrink when teams delete."""

    started: int
    finished: int
    results: dict[str, int] = field(default_factory=dict)  # recommended approach -> stored results


def totals(db: Database) -> Totals:
    """Count assessments (all, finished) and results by recommended approach, in one read."""
    with db.read() as session:
        started = session.execute(ASSESSMENTS).scalar_one()
        finished = session.execute(FINISHED).scalar_one()
        results = {str(approach): int(count) for approach, count in session.execute(BY_APPROACH).all()}
    return Totals(int(started), int(finished), results)


@lru_cache(maxsize=1)
def newest_revisions() -> frozenset[str]:
    """The head revisions of migrations/ (read once: the files do not change while the server runs)."""
    config = migrate.alembic_config("")
    return frozenset(ScriptDirectory.from_config(config).get_heads())


def not_ready(db: Database) -> str | None:
    """Why the database cannot serve requests now (unreachable, or not at the newest migration), else None.
    Reads alembic_version itself: Alembic's MigrationContext costs milliseconds and logs two lines per call."""
    try:
        with db.engine.connect() as connection:  # checks the connection out: fails when unreachable
            try:
                current = frozenset(connection.execute(VERSIONS).scalars())
            except SQLAlchemyError:  # no alembic_version table: never migrated
                current = frozenset()
    except SQLAlchemyError as error:
        return f"database unreachable: {type(error).__name__}"
    if current != newest_revisions():
        return "database schema is not at the newest migration: run `tunewise migrate`"
    return None
