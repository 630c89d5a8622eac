"""A slow or dead webhook endpoint never slows a team: sending happens only in the app's background task."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings
from app.store.db import Database

from ..helpers import complete, start
from ..routes.test_results import finish
from ..store.test_webhooks import endpoint
from ..webhook_receiver import Script, receiving
from .test_webhook_sender import closed_port


@pytest.fixture
def app_client(database_url: str) -> Iterator[TestClient]:
    """The full app with its lifespan, hence its webhook sender (3 s timeout)."""
    settings = Settings(database_url=database_url, strict_templates=True, access_log=False,
                        rate_limit_per_minute=10_000, allowed_hosts="testserver", webhook_timeout_seconds=3)
    app = create_app(settings)
    with TestClient(app, base_url="http://testserver") as client:
        yield client
    app.state.db.dispose()


def test_finishing_stays_fast_while_the_sender_waits_on_a_slow_endpoint(app_client: TestClient) -> None:
    db: Database = app_client.app.state.db  # type: ignore[attr-defined]
    with receiving(Script(delay=4)) as slow:
        endpoint(db, slow.url)
        endpoint(db, f"http://127.0.0.1:{closed_port()}/dead")
        first = start(app_client, team="First")
        complete(app_client, first)
        finish(app_client, first)
        assert len(slow.wait_for(1, timeout=5)) == 1  # the background POST is now hanging for 4 s
        second = start(app_client, team="Second")
        complete(app_client, second)
        took = []
        for _ in range(3):
            begun = time.monotonic()
            finish(app_client, second, expires="7")
            took.append(time.monotonic() - begun)
        assert max(took) < 0.5, took  # a finish takes ~10 ms; the slow endpoint would cost 3 s
        assert len(slow.received) == 1  # still the one hanging POST: nothing was sent from a request
