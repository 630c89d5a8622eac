"""Shared fixtures: a fresh migrated database per test (SQLite file, or the PostgreSQL parity URL)."""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from app.engine.rules import Knowledge, load_knowledge
from app.main import create_app
from app.settings import Settings
from app.store import migrate
from app.store.db import Database

from .stored import Clock  # noqa: E402  (after the app imports, like the other test modules)

PG_URL = os.environ.get("TUNEWISE_TEST_DATABASE_URL", "")
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def _fresh_postgres_database() -> str:
    """A new empty database on the parity cluster, so tests never share state."""
    name = f"tw_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return PG_URL.rsplit("/", 1)[0] + f"/{name}"


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """A migrated, empty database for one test."""
    url = _fresh_postgres_database() if PG_URL else f"sqlite:///{tmp_path / 'tunewise.db'}"
    migrate.upgrade(url)
    return url


@pytest.fixture
def settings(database_url: str) -> Settings:
    """Test settings: strict templates, quiet access log, generous rate limits."""
    return Settings(
        database_url=database_url, strict_templates=True, access_log=False, rate_limit_per_minute=10_000,
        allowed_hosts="testserver",  # TestClient's Host (issue 15: unknown hosts get 400)
    )


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    """A TestClient on the full middleware stack (CSRF included)."""
    app = create_app(settings)
    with TestClient(app, base_url="http://testserver") as test_client:
        yield test_client
    app.state.db.dispose()


def csrf_of(html: str) -> str:
    """The CSRF token rendered into a page's forms."""
    match = CSRF_RE.search(html)
    assert match, "page has no csrf_token field"
    return match.group(1)


@pytest.fixture(scope="session")
def knowledge() -> Knowledge:
    """The shipped knowledge, loaded once."""
    return load_knowledge()


@pytest.fixture
def clock(client: TestClient) -> Clock:
    """A clock the app reads instead of the wall clock; tests move it forward."""
    fake = Clock()
    client.app.state.clock = fake  # type: ignore[attr-defined]
    return fake


@pytest.fixture
def db(client: TestClient) -> Database:
    """The app's database."""
    database: Database = client.app.state.db  # type: ignore[attr-defined]
    return database
