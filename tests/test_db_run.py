"""Database.run: blocking database work from async routes, inline on SQLite, in the threadpool on PostgreSQL."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from app.routes import api, team, wizard
from app.store.db import Database


def thread_of_work(db: Database) -> tuple[int, int]:
    """(the event loop's thread, the thread the work ran on), on a loop in a thread of its own (the browser tests
    leave one running in the main thread)."""
    async def main() -> tuple[int, int]:
        return threading.get_ident(), await db.run(threading.get_ident)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, main()).result()


def test_sqlite_work_runs_on_the_event_loop(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'run.db'}")
    loop_thread, work_thread = thread_of_work(db)
    assert work_thread == loop_thread
    db.dispose()


def test_postgresql_work_runs_in_the_threadpool() -> None:
    db = Database("postgresql+psycopg://nobody@127.0.0.1:1/none")  # never connects: the work does not touch it
    loop_thread, work_thread = thread_of_work(db)
    assert work_thread != loop_thread
    db.dispose()


def test_the_busy_write_routes_are_served_through_database_run() -> None:
    for endpoint in (wizard.start, wizard.save_step, team.finish, api.create_assessment):
        assert asyncio.iscoroutinefunction(endpoint) and hasattr(endpoint, "__wrapped__"), endpoint.__name__
