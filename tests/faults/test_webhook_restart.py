"""Webhooks survive kill -9: a real server stores results while it is killed at random points and restarted;
the receiver (a real HTTP server on 127.0.0.1) ends with every event at least once. Lost must be 0."""

from __future__ import annotations

import json
import random
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlmodel import select

from app.store import migrate
from app.store import webhooks as hooks
from app.store.db import Database
from app.store.models import Result, WebhookDelivery, utcnow

from ..live import Server
from ..webhook_receiver import Script, receiving

pytestmark = pytest.mark.faults
ANSWERS = {"gap_types": ["behavior"], "failure_mode": "breaks_repeatedly", "labeled_examples": 500}


def create(base: str, n: int) -> bool:
    """One result through the API; False when the server was down or died mid-request."""
    body = json.dumps({"team": f"Team {n}", "title": "Replies", "answers": ANSWERS}).encode()
    request = urllib.request.Request(f"{base}/api/assessments", data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status == 201
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def stored(url: str) -> tuple[set[int], set[int], dict[str, float]]:
    """Every result id, the result ids with a queued event, and every event id with its time, as committed."""
    db = Database(url)
    try:
        with db.read() as session:
            result_ids = set(session.exec(select(Result.id)).all())
            rows = session.exec(select(WebhookDelivery)).all()
        return ({i for i in result_ids if i}, {r.data["result_id"] for r in rows},
                {r.event_id: r.created_at.timestamp() for r in rows})
    finally:
        db.dispose()


def wait_until(condition: Callable[[], bool], *, seconds: float) -> None:
    """Poll until the condition holds or the time is up."""
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.02)


def test_every_event_arrives_at_least_once_across_kill_9(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'hooks.db'}"
    migrate.upgrade(url)
    rng = random.Random(14)
    # The receiver takes 0.2 s to answer, so kills land between commit and send, mid-POST, and after an answer.
    with receiving(Script(delay=0.2)) as receiver:
        db = Database(url)
        with db.write() as session:
            hooks.add_endpoint(session, url=receiver.url, description="kill -9 test", events=hooks.EVENTS,
                               actor="test", now=utcnow())
        db.dispose()
        server = Server(url, log=tmp_path / "server.log", webhook_timeout_seconds=1, webhook_retry_seconds=0.5)
        server.start()
        acked, kills, stop = [], [], threading.Event()

        def team() -> None:
            n = 0
            while not stop.is_set() and n < 400:
                n += 1
                if create(server.url, n):
                    acked.append(n)
                else:
                    time.sleep(0.05)

        writer = threading.Thread(target=team, daemon=True)
        writer.start()
        for _ in range(4):  # each kill after a few more results, at a random instant: however slow the machine
            target = len(acked) + rng.randint(3, 12)
            wait_until(lambda: len(acked) >= target, seconds=30)  # noqa: B023  (read at once, in this iteration)
            time.sleep(rng.uniform(0.0, 0.3))
            server.kill9()
            kills.append(time.time())
            server.start()
        wait_until(lambda: len(acked) >= 40, seconds=90)
        stop.set()
        writer.join(timeout=20)
        results, with_event, events = stored(url)
        deadline = time.monotonic() + 60  # a lease held by a killed process runs out after 2 × 1 s + 10 s
        while {r.headers["Tunewise-Event-Id"] for r in receiver.received} < set(events) and time.monotonic() < deadline:
            time.sleep(0.2)
        server.stop()
        received = [r.headers["Tunewise-Event-Id"] for r in receiver.received]
        first = {}
        for request in receiver.received:
            first.setdefault(request.headers["Tunewise-Event-Id"], request.at)
    sent, lost = len(set(received)), len(set(events) - set(received))
    crossed = sum(1 for event, made in events.items()  # stored before a kill, first received after it
                  if any(made < kill < first[event] for kill in kills if event in first))
    duplicated = len(received) - sent
    print(f"\nwebhooks kill-9: results={len(results)} acked={len(acked)} events={len(events)} sent={sent} "
          f"duplicated={duplicated} lost={lost} posts={len(received)} sent_after_a_restart={crossed}")
    assert lost == 0 and set(received) == set(events)  # never lost, never an event that was not committed
    assert crossed > 0  # some events were committed, then the server was killed before they were delivered
    assert with_event == results  # every committed result has its event (same transaction)
    assert len(acked) >= 20 and len(results) >= len(acked)
