"""Issue 14, item 1: /healthz is liveness only (no database, on the event loop); /readyz checks the database is
reachable and at the newest migration, 503 with the reason otherwise."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings
from app.store import migrate
from app.store.db import Database
from app.web.guard import Guard

from ..helpers import run_async


def test_both_answer_ok_on_a_migrated_database(client: TestClient) -> None:
    alive, ready = client.get("/healthz"), client.get("/readyz")
    assert (alive.status_code, alive.json()) == (200, {"status": "ok"})
    assert (ready.status_code, ready.json()) == (200, {"status": "ok"})
    assert alive.headers["content-type"] == ready.headers["content-type"] == "application/json"


def test_healthz_is_answered_at_the_edge_before_the_app() -> None:
    """The Guard answers liveness itself, on the loop, with the header set: the app behind it is never called (the
    old /healthz, through the whole stack and the threadpool, was ≈ 0.1 of the bare hello)."""
    called: list[str] = []

    async def app(scope, receive, send) -> None:  # noqa: ANN001 (a bare ASGI app)
        called.append(scope["path"])

    sent: list[dict] = []

    async def send(message: dict) -> None:
        sent.append(message)

    guard = Guard(app, max_body=1024, https=False, public_origin="", hosts=())
    for method in ("GET", "HEAD"):
        scope = {"type": "http", "method": method, "path": "/healthz", "headers": [], "client": ("127.0.0.1", 1)}
        run_async(guard(scope, None, send))  # type: ignore[arg-type]
    assert called == []
    assert [m.get("status") for m in sent if m["type"] == "http.response.start"] == [200, 200]
    assert [m["body"] for m in sent if m["type"] == "http.response.body"] == [b'{"status":"ok"}', b""]
    headers = dict(sent[0]["headers"])
    assert headers[b"x-content-type-options"] == b"nosniff" and b"x-request-id" in headers


@pytest.mark.parametrize("unreachable", ["sqlite:///{tmp}",  # a directory: SQLite cannot open it
                                         "postgresql+psycopg://nobody@127.0.0.1:1/none"])  # nothing listens
def test_an_unreachable_database_fails_readiness_not_liveness(settings: Settings, tmp_path: Path,
                                                              unreachable: str) -> None:
    app = create_app(settings)
    with TestClient(app) as client:
        served = app.state.db
        app.state.db = Database(unreachable.format(tmp=tmp_path))
        alive, ready = client.get("/healthz"), client.get("/readyz")
        app.state.db.dispose()
        app.state.db = served
    served.dispose()
    assert alive.status_code == 200
    assert ready.status_code == 503
    assert ready.json() == {"status": "unavailable", "reason": "database unreachable: OperationalError"}


def test_a_database_never_migrated_is_not_ready(settings: Settings, tmp_path: Path) -> None:
    app = create_app(settings)
    with TestClient(app) as client:
        served, app.state.db = app.state.db, Database(f"sqlite:///{tmp_path / 'empty.db'}")
        ready = client.get("/readyz")
        app.state.db.dispose()
        app.state.db = served
    served.dispose()
    assert ready.status_code == 503 and "tunewise migrate" in ready.json()["reason"]


def test_a_schema_behind_the_newest_migration_is_not_ready(settings: Settings) -> None:
    app = create_app(settings)
    with TestClient(app) as client:  # started at head; the schema is then taken one migration back
        migrate.downgrade(settings.database_url, "-1")
        ready = client.get("/readyz")
        migrate.upgrade(settings.database_url)
        again = client.get("/readyz")
    app.state.db.dispose()
    assert ready.status_code == 503 and "tunewise migrate" in ready.json()["reason"]
    assert again.status_code == 200


def test_any_host_may_ask(client: TestClient) -> None:
    """Health checks use container addresses, not the public name."""
    for path in ("/healthz", "/readyz"):
        assert client.get(path, headers={"Host": "10.0.0.7:8000"}).status_code == 200
