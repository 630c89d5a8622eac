"""The webhook sender against a real HTTP receiver on 127.0.0.1: signed deliveries, retries, dead and slow
endpoints, redirects not followed."""

from __future__ import annotations

import asyncio
import json
import re
import socket
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlmodel import select

from app.engine.rules import Knowledge
from app.settings import ROOT
from app.store import webhooks as hooks
from app.store.db import Database
from app.store.models import WebhookAttempt, WebhookDelivery, utcnow
from app.web.webhooks import Policy, Sender

from ..helpers import run_async
from ..store.test_webhooks import endpoint, new_result
from ..webhook_receiver import Script, receiving

SECRET_KEY = "a-test-secret-key-of-forty-characters-xx"


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    yield database
    database.dispose()


def readme_verifier() -> Callable[..., bool]:
    """verify_tunewise_webhook as the README prints it: the snippet's own code, executed."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = next(b for b in re.findall(r"```python\n(.*?)```", readme, re.S) if "def verify_tunewise_webhook" in b)
    namespace: dict[str, Any] = {}
    exec(compile(block, "README.md", "exec"), namespace)  # noqa: S102  (our own README, on purpose)
    return namespace["verify_tunewise_webhook"]  # type: ignore[no-any-return]


def salt_of(db: Database, endpoint_id: int) -> str:
    with db.read() as session:
        found = hooks.find_endpoint(session, endpoint_id=endpoint_id)
        assert found is not None
        return found.secret_salt


def rows(db: Database) -> list[WebhookDelivery]:
    with db.read() as session:
        return list(session.exec(select(WebhookDelivery).order_by(WebhookDelivery.id)))


def attempts(db: Database) -> list[WebhookAttempt]:
    with db.read() as session:
        return list(session.exec(select(WebhookAttempt).order_by(WebhookAttempt.id)))


def drain(sender: Sender, db: Database, *, until: Callable[[], bool], seconds: float = 10) -> None:
    """Run the sender's rounds until the condition holds (bounded)."""
    async def rounds() -> None:
        deadline = time.monotonic() + seconds
        while not until() and time.monotonic() < deadline:
            if not await sender.run_once():
                await asyncio.sleep(0.02)
    run_async(rounds())


def test_a_delivery_is_signed_and_the_readme_snippet_verifies_it(db: Database, knowledge: Knowledge) -> None:
    verify = readme_verifier()
    with receiving() as receiver:
        hook = endpoint(db, receiver.url)
        result_id, _ = new_result(db, knowledge)
        sender = Sender(db, secret_key=SECRET_KEY, origin="https://tunewise.example.org", policy=Policy(timeout=2))
        assert run_async(sender.run_once()) == 1
        [got] = receiver.wait_for(1)
    secret = hooks.signing_secret(SECRET_KEY, salt_of(db, hook))
    assert verify(secret, got.headers["Tunewise-Signature"], got.body)
    assert not verify(secret, got.headers["Tunewise-Signature"], got.body + b" ")  # a changed body
    assert not verify(hooks.signing_secret("another-key" * 4, salt_of(db, hook)), got.headers["Tunewise-Signature"],
                      got.body)
    stamp = int(got.headers["Tunewise-Signature"].split(",")[0][2:])
    old = hooks.signature(secret, stamp - 301, got.body)
    assert not verify(secret, old, got.body)  # a replay outside the tolerance window
    document = json.loads(got.body)
    assert document["id"] == got.headers["Tunewise-Event-Id"] == rows(db)[0].event_id
    assert document["type"] == "result.created" and document["data"]["result_id"] == result_id
    assert document["data"]["admin_url"].startswith("https://tunewise.example.org/admin/assessments/")
    assert got.headers["Content-Type"] == "application/json"
    assert rows(db)[0].state == "delivered" and [a.status_code for a in attempts(db)] == [200]


def test_a_500_is_retried_with_the_same_event_id_and_body(db: Database, knowledge: Knowledge) -> None:
    with receiving(Script(statuses=[500])) as receiver:
        endpoint(db, receiver.url)
        new_result(db, knowledge)
        sender = Sender(db, secret_key=SECRET_KEY, policy=Policy(timeout=2, retry_base=0.05))
        drain(sender, db, until=lambda: rows(db)[0].state != "pending")
        first, second = receiver.wait_for(2)
    assert first.headers["Tunewise-Event-Id"] == second.headers["Tunewise-Event-Id"] and first.body == second.body
    row = rows(db)[0]
    assert (row.state, row.attempts, row.last_status) == ("delivered", 2, 200)
    assert [(a.outcome, a.status_code) for a in attempts(db)] == [("retry", 500), ("delivered", 200)]


def test_retries_stop_after_the_last_attempt(db: Database, knowledge: Knowledge) -> None:
    with receiving(Script(then=503)) as receiver:
        endpoint(db, receiver.url)
        new_result(db, knowledge)
        sender = Sender(db, secret_key=SECRET_KEY, policy=Policy(timeout=2, retry_base=0.02, max_attempts=3))
        drain(sender, db, until=lambda: rows(db)[0].state != "pending")
        assert len(receiver.wait_for(3)) == 3
    assert rows(db)[0].state == "failed"
    assert [a.outcome for a in attempts(db)] == ["retry", "retry", "failed"]


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_dead_endpoint_is_logged_and_retried_later(db: Database, knowledge: Knowledge) -> None:
    endpoint(db, f"http://127.0.0.1:{closed_port()}/hook")
    new_result(db, knowledge)
    sender = Sender(db, secret_key=SECRET_KEY, policy=Policy(timeout=2, retry_base=60))
    started = time.monotonic()
    assert run_async(sender.run_once()) == 1
    assert time.monotonic() - started < 2
    row, [attempt] = rows(db)[0], attempts(db)
    assert row.state == "pending" and row.attempts == 1 and row.next_attempt_at > utcnow()
    assert attempt.status_code is None and "refused" in attempt.error


def test_a_slow_endpoint_times_out(db: Database, knowledge: Knowledge) -> None:
    with receiving(Script(delay=3)) as receiver:
        endpoint(db, receiver.url)
        new_result(db, knowledge)
        sender = Sender(db, secret_key=SECRET_KEY, policy=Policy(timeout=0.3, retry_base=60))
        started = time.monotonic()
        run_async(sender.run_once())
        took = time.monotonic() - started
    [attempt] = attempts(db)
    assert took < 1.5 and attempt.status_code is None and "No answer within 0.3 seconds" in attempt.error


def test_redirects_are_not_followed(db: Database, knowledge: Knowledge) -> None:
    with receiving(Script(then=307, location="/elsewhere")) as receiver:
        endpoint(db, receiver.url)
        new_result(db, knowledge)
        sender = Sender(db, secret_key=SECRET_KEY, policy=Policy(timeout=2, retry_base=60))
        run_async(sender.run_once())
        time.sleep(0.2)
        assert [r.path for r in receiver.received] == ["/hook"]
    [attempt] = attempts(db)
    assert attempt.status_code == 307 and attempt.outcome == "retry" and "not followed" in attempt.error


def test_the_sender_starts_and_stops_cleanly(db: Database, knowledge: Knowledge) -> None:
    with receiving(Script(delay=5)) as receiver:
        endpoint(db, receiver.url)
        new_result(db, knowledge)
        sender = Sender(db, secret_key=SECRET_KEY, policy=Policy(timeout=4, poll=0.05))

        async def start_then_stop() -> float:
            sender.start()
            await asyncio.to_thread(receiver.wait_for, 1)  # mid-POST: the receiver sleeps
            begun = time.monotonic()
            await sender.stop()
            return time.monotonic() - begun

        assert run_async(start_then_stop()) < 1
    assert rows(db)[0].state == "pending" and rows(db)[0].lease_until is not None  # sent again after the lease
