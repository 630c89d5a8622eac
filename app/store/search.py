"""The admin search over assessments and its CSV export.

Every filter is on the assessment row alone: it carries its newest result's recommendation and time (a trigger
keeps them, migration 0005), so a filter is one indexed or linear pass over one table, and the newest result is
joined by primary key for the rows shown. Before, each assessment's newest result came from a GROUP BY that the
planners joined by a full scan per row (issue 15: 21.6 s at 8,589 assessments)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session, col

from app.store.db import Database
from app.store.models import Assessment, Result

PAGE_SIZE = 25


@dataclass(frozen=True)
class Search:
    """The filters of the assessments list."""

    team: str = ""
    title: str = ""
    status: str = ""
    recommendation: str = ""
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class Row:
    """One assessment as the list and the CSV show it, with what its newest result was scored with."""

    id: int
    team: str
    title: str
    status: str
    created_at: datetime
    updated_at: datetime
    recommendation: str | None
    result_at: datetime | None
    weights_version: int | None
    preset: str | None


_COLUMNS = (col(Assessment.id), col(Assessment.team), col(Assessment.title), col(Assessment.status),
            col(Assessment.created_at), col(Assessment.updated_at), col(Assessment.recommendation),
            col(Assessment.result_at), col(Result.weights_version), col(Result.prices)["id"].as_string())


def _conditions(where: Search) -> list[Any]:
    """The WHERE clauses of a search, on assessment columns only."""
    out: list[Any] = []
    if where.team:
        out.append(func.lower(Assessment.team).contains(where.team.lower(), autoescape=True))
    if where.title:
        out.append(func.lower(Assessment.title).contains(where.title.lower(), autoescape=True))
    if where.status:
        out.append(col(Assessment.status) == where.status)
    if where.recommendation:
        out.append(col(Assessment.recommendation) == where.recommendation)
    if where.since:
        out.append(col(Assessment.created_at) >= where.since)
    if where.until:
        out.append(col(Assessment.created_at) < where.until)
    return out


def _rows(page: Any) -> Any:
    """The list's columns for the assessments of `page` (a subquery of ids, already filtered, ordered and cut), the
    newest result joined by primary key for those rows only. Joining before cutting let PostgreSQL join every
    match and sort them all when it misjudged a filter's selectivity."""
    return (select(*_COLUMNS).select_from(Assessment).join(page, page.c.pid == col(Assessment.id))
            .outerjoin(Result, col(Result.id) == col(Assessment.latest_result_id)))


def search_assessments(
    session: Session, *, where: Search, page: int, size: int = PAGE_SIZE
) -> tuple[list[Row], int]:
    """One page of matching assessments (newest first) and how many match in all."""
    conditions, newest = _conditions(where), (col(Assessment.created_at).desc(), col(Assessment.id).desc())
    if (where.team or where.title) and not (where.recommendation or where.since or where.until):
        # A substring test reads every row anyway (no index helps it): count in the same pass.
        cut = (select(col(Assessment.id).label("pid"), func.count().over().label("total")).where(*conditions)
               .order_by(*newest).offset((page - 1) * size).limit(size).subquery())
        found = session.execute(_rows(cut).add_columns(cut.c.total).order_by(*newest)).all()
        if found:
            return [Row(*row[:-1]) for row in found], int(found[0][-1])
    total = session.execute(select(func.count()).select_from(Assessment).where(*conditions)).scalar_one()
    ids = (select(col(Assessment.id).label("pid")).where(*conditions).order_by(*newest)
           .offset((page - 1) * size).limit(size).subquery())
    rows = session.execute(_rows(ids).order_by(*newest)).all()
    return [Row(*row) for row in rows], int(total)


def iter_assessments(db: Database, *, where: Search, batch: int = 1000) -> Iterator[Row]:
    """Every matching assessment in id order, a batch per short read (keyset paging: each batch starts after the
    last id, so the export is linear and no read transaction stays open while the response streams)."""
    after, conditions = 0, _conditions(where)
    while True:
        ids = (select(col(Assessment.id).label("pid")).where(col(Assessment.id) > after, *conditions)
               .order_by(col(Assessment.id)).limit(batch).subquery())
        with db.read() as session:
            rows = [Row(*row) for row in session.execute(_rows(ids).order_by(col(Assessment.id))).all()]
        yield from rows
        if len(rows) < batch:
            return
        after = rows[-1].id


def statuses(session: Session) -> list[str]:
    """The assessment statuses present, for the filter."""
    return sorted(session.execute(select(col(Assessment.status)).distinct()).scalars().all())
