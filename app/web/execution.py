"""Where blocking database work runs: inline on the event loop with SQLite, in the threadpool with PostgreSQL.

SQLite calls are local and take well under a millisecond, and in a thread they cost more than they save: each call
releases the GIL, and a thread waits up to the 5 ms switch interval to take it back while the event loop renders.
Under 50 teams a submit held the write lock ~5 ms instead of ~1.6 and queued submits waited ~100 ms
(bench/README.md). PostgreSQL calls are network round trips, which the threadpool overlaps; one on the event loop
would stall every other request, so every route that touches the database is declared with @blocking."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from anyio import to_thread
from fastapi import Request

from app.store.db import Database

T = TypeVar("T")


async def run_blocking(db: Database, work: Callable[[], T]) -> T:
    """Run database work for an async caller: inline on SQLite, in a worker thread otherwise."""
    if db.is_sqlite:
        return work()
    return await to_thread.run_sync(work)


def blocking(endpoint: Callable[..., T]) -> Callable[..., Any]:
    """Declare a sync endpoint that touches the database; it runs through run_blocking.
    The endpoint must take `request`; FastAPI reads its signature through functools.wraps."""

    @functools.wraps(endpoint)
    async def serve(*args: Any, **kwargs: Any) -> T:
        request: Request = kwargs["request"]
        return await run_blocking(request.app.state.db, functools.partial(endpoint, *args, **kwargs))

    return serve
