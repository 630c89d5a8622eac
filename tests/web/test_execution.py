"""Where database work runs: inline on SQLite, in the threadpool on PostgreSQL, never on the event loop there."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import event

from app.main import create_app
from app.routes import api, decisions, health, report, team, variants, wizard
from app.routes.admin import assessments, auth, insights, oidc, overview, prices, webhooks, weights
from app.settings import Settings
from app.store.db import Database
from app.web.execution import run_blocking

from ..conftest import PG_URL, csrf_of
from ..helpers import STEPS, VERSION_RE, complete, start, submit


def thread_of_work(db: Database) -> tuple[int, int]:
    """(the event loop's thread, the thread the work ran on), on a loop in a thread of its own (the browser tests
    leave one running in the main thread)."""
    async def main() -> tuple[int, int]:
        return threading.get_ident(), await run_blocking(db, threading.get_ident)
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


def test_no_async_route_but_the_landing_page_skips_run_blocking() -> None:
    """An `async def` route runs on the event loop: unless it is wrapped by @blocking, it must not touch the
    database (only the landing page, which renders a form; /healthz is answered by the Guard)."""
    modules = (wizard, team, report, decisions, variants, api, health, overview, auth, weights, prices, assessments,
               insights, webhooks, oidc)
    routes = [r for m in modules for r in m.router.routes if isinstance(r, APIRoute)]
    unwrapped = [
        r.path for r in routes if asyncio.iscoroutinefunction(r.endpoint) and not hasattr(r.endpoint, "__wrapped__")
    ]
    assert len(routes) > 30
    assert unwrapped == ["/"]


def on_event_loop() -> bool:
    """True when the calling thread is running an asyncio event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


@pytest.mark.skipif(not PG_URL, reason="needs TUNEWISE_TEST_DATABASE_URL (the PostgreSQL parity run)")
def test_no_postgresql_query_runs_on_the_event_loop_thread(settings: Settings) -> None:
    """Every team, report and API route, driven end to end on PostgreSQL; each connection checkout is a query about
    to run, and none may happen on the event loop's thread."""
    app = create_app(settings)
    offenders: list[str] = []

    def checkout(*_: Any) -> None:
        if on_event_loop():
            offenders.append(threading.current_thread().name)

    with TestClient(app) as client:  # start-up checks the schema once, before any request: not counted
        event.listen(app.state.db.engine.pool, "checkout", checkout)
        edit = start(client)
        for step in STEPS:
            assert client.get(f"/a/{edit}/{step}").status_code == 200
            assert submit(client, edit, step, htmx=True).status_code in (200, 303)
        complete(client, edit)
        review = client.get(f"/a/{edit}/review")
        done = client.post(f"/a/{edit}/finish",
                           data={"csrf_token": csrf_of(review.text), "version": _version(review.text)},
                           follow_redirects=False)
        view = done.headers["location"]
        for url in (view, view, f"{view}.json", f"{view}.md", f"/a/{edit}", f"/a/{edit}/manage", "/readyz"):
            assert client.get(url, follow_redirects=False).status_code in (200, 303), url
        api = client.post("/api/assessments", json={"team": "T", "title": "U", "answers": {"gap_types": ["behavior"]}})
        assert client.get(f"/api/results/{api.json()['view_url'].rsplit('/', 1)[1]}").status_code == 200
    app.state.db.dispose()
    assert offenders == []


def _version(html: str) -> str:
    match = VERSION_RE.search(html)
    assert match
    return match.group(1)
