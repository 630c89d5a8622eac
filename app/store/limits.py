"""Per-client rate limits kept in the database: fixed one-minute windows, one row per (route group, client),
so every worker counts against the same budget. One upsert-and-read statement per request."""

from __future__ import annotations

import math
from typing import Any

from sqlalchemy import bindparam, case, delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.store.db import Database
from app.store.models import RateLimit

WINDOW = 60  # seconds
_TABLE = RateLimit.__table__  # type: ignore[attr-defined]


def _hit_statement(insert: Any) -> Any:
    """Count one request in the key's current window (a new window starts again at 1); returns the count."""
    statement = insert(_TABLE).values(key=bindparam("key"), window_start=bindparam("window"), hits=1)
    return statement.on_conflict_do_update(
        index_elements=["key"],
        set_={"hits": case((_TABLE.c.window_start == statement.excluded.window_start, _TABLE.c.hits + 1), else_=1),
              "window_start": statement.excluded.window_start},
    ).returning(_TABLE.c.hits)


# Built once (building a statement costs more than running it): indexed by "is PostgreSQL".
HIT = (_hit_statement(sqlite_insert), _hit_statement(pg_insert))
PRUNE = delete(_TABLE).where(_TABLE.c.window_start < bindparam("before"))


def hit(db: Database, *, key: str, now: float) -> tuple[int, int]:
    """Count one request under key at `now` (epoch seconds): the requests of this window so far, this one
    included, and the whole seconds until the window ends (at least 1)."""
    window = int(now // WINDOW) * WINDOW
    row = db.bump(HIT[not db.is_sqlite], {"key": key[:100], "window": window})
    assert row is not None
    return int(row[0]), max(1, math.ceil(window + WINDOW - now))


def prune(db: Database, *, now: float) -> None:
    """Forget the rows of windows that ended before the previous one (idle clients)."""
    db.bump(PRUNE, {"before": int(now // WINDOW) * WINDOW - WINDOW})
