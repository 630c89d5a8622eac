"""The webhook outbox in the store: enqueued in the result's transaction, leased claims, settled attempts."""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from app.engine.rules import Knowledge
from app.store import results
from app.store import webhooks as hooks
from app.store.db import Database
from app.store.models import Assessment, Result, WebhookAttempt, WebhookDelivery, WebhookEndpoint, utcnow
from app.store.reevaluate import reevaluate
from app.store.settings import CurrentSettings

from ..stored import scenarios


@pytest.fixture
def db(database_url: str) -> Any:
    database = Database(database_url)
    yield database
    database.dispose()


def endpoint(db: Database, url: str = "https://hooks.example.org/a", *, events: tuple[str, ...] = hooks.EVENTS,
             enabled: bool = True) -> int:
    """A registered endpoint's id."""
    with db.write() as session:
        row = hooks.add_endpoint(session, url=url, description="", events=events, actor="ada@example.org",
                                 now=utcnow())
        assert row.id is not None
        if not enabled:
            hooks.set_enabled(session, endpoint_id=row.id, enabled=False, now=utcnow())
        return row.id


def fields(db: Database, knowledge: Knowledge) -> dict[str, Any]:
    """The snapshot fields of the first fixture scenario."""
    return results.snapshot_fields(CurrentSettings(db, knowledge).get(), knowledge,
                                   answers=scenarios()[0]["answers"], assumptions=None)


def new_result(db: Database, knowledge: Knowledge, team: str = "Support") -> tuple[int, str]:
    """A stored result (through store_result, as the API stores one): its id and view token."""
    scored = fields(db, knowledge)
    with db.write() as session:
        assessment = Assessment(team=team, title="Replies", status="complete", edit_token_hash=team.ljust(64, "0"))
        session.add(assessment)
        session.flush()
        assert assessment.id is not None
        return results.store_result(session, assessment_id=assessment.id, fields=scored, days=None)


def deliveries(db: Database) -> list[WebhookDelivery]:
    with db.read() as session:
        return list(session.exec(select(WebhookDelivery).order_by(WebhookDelivery.id)))


def test_a_result_queues_one_delivery_per_subscribed_enabled_endpoint(db: Database, knowledge: Knowledge) -> None:
    first, second = endpoint(db), endpoint(db, "https://hooks.example.org/b")
    endpoint(db, "https://hooks.example.org/off", enabled=False)
    endpoint(db, "https://hooks.example.org/other", events=("decision.made",))
    result_id, view = new_result(db, knowledge)
    rows = deliveries(db)
    assert [r.endpoint_id for r in rows] == [first, second]
    assert rows[0].event_id == rows[1].event_id and rows[0].event_id.startswith("evt_")
    data = rows[0].data
    assert data["result_id"] == result_id and data["team"] == "Support"
    assert data["recommendation"] and data["recommendation_label"] and data["confidence"]
    assert view not in repr(data)  # never a view link: it is a capability stored only as a hash
    assert all(r.state == "pending" and r.attempts == 0 for r in rows)


def test_a_rolled_back_result_leaves_no_event(db: Database, knowledge: Knowledge) -> None:
    endpoint(db)
    scored = fields(db, knowledge)
    with pytest.raises(RuntimeError), db.write() as session:
        assessment = Assessment(team="T", title="X", status="complete", edit_token_hash="f" * 64)
        session.add(assessment)
        session.flush()
        assert assessment.id is not None
        results.store_result(session, assessment_id=assessment.id, fields=scored, days=None)
        assert len(session.exec(select(WebhookDelivery)).all()) == 1  # written in this very transaction
        raise RuntimeError("the request failed after storing")
    with db.read() as session:
        assert session.exec(select(Result)).all() == []
    assert deliveries(db) == []


def test_no_endpoint_no_delivery(db: Database, knowledge: Knowledge) -> None:
    new_result(db, knowledge)
    assert deliveries(db) == []


def test_an_admin_reevaluation_queues_result_created(db: Database, knowledge: Knowledge) -> None:
    new_result(db, knowledge)
    endpoint(db)
    with db.write() as session:  # change the stored answers' weights so re-scoring gives a new result
        old = session.exec(select(Result)).one()
        old.weights = {k: 0.0 for k in old.weights}
        session.add(old)
    with db.write() as session:
        _, new = reevaluate(session, knowledge, old.assessment_id)
    assert [d.data["result_id"] for d in deliveries(db)] == [new.id]


def test_two_workers_never_claim_the_same_row_and_a_lost_lease_is_claimed_again(db: Database,
                                                                               knowledge: Knowledge) -> None:
    endpoint(db), endpoint(db, "https://hooks.example.org/b"), endpoint(db, "https://hooks.example.org/c")
    new_result(db, knowledge)
    now = utcnow()
    with db.write() as session:
        mine = hooks.claim_due(session, owner="a", now=now, lease_seconds=30, limit=2)
    with db.write() as session:
        theirs = hooks.claim_due(session, owner="b", now=now, lease_seconds=30, limit=10)
    assert len(mine) == 2 and len(theirs) == 1
    assert not {c.delivery_id for c in mine} & {c.delivery_id for c in theirs}
    with db.read() as session:
        assert not hooks.any_due(session, now=now + timedelta(seconds=29))
    with db.write() as session:  # worker a crashed: once its lease ran out, c takes its rows
        again = hooks.claim_due(session, owner="c", now=now + timedelta(seconds=31), lease_seconds=30, limit=10)
    assert {c.delivery_id for c in again} == {c.delivery_id for c in mine} | {c.delivery_id for c in theirs}


def test_attempts_settle_only_for_the_lease_holder_and_counts_follow(db: Database, knowledge: Knowledge) -> None:
    endpoint(db)
    new_result(db, knowledge)
    now = utcnow()
    with db.write() as session:
        [claimed] = hooks.claim_due(session, owner="a", now=now, lease_seconds=30, limit=5)
    refused = hooks.Attempt(500, "", 12)
    with db.write() as session:
        state = hooks.record_attempt(session, claimed=claimed, owner="a", attempt=refused, now=now,
                                     retry_at=now + timedelta(seconds=60))
    assert state == "pending" and deliveries(db)[0].attempts == 1 and deliveries(db)[0].last_status == 500
    with db.read() as session:
        assert not hooks.any_due(session, now=now + timedelta(seconds=59))
        assert hooks.any_due(session, now=now + timedelta(seconds=61))
    with db.write() as session:
        [claimed] = hooks.claim_due(session, owner="b", now=now + timedelta(seconds=61), lease_seconds=30, limit=5)
    with db.write() as session:  # a late answer from the old holder is logged but does not settle the row
        hooks.record_attempt(session, claimed=claimed, owner="a", attempt=hooks.Attempt(200, "", 5), now=now,
                             retry_at=None)
    assert deliveries(db)[0].state == "pending"
    with db.write() as session:
        hooks.record_attempt(session, claimed=claimed, owner="b", attempt=hooks.Attempt(204, "", 5), now=now,
                             retry_at=None)
    row = deliveries(db)[0]
    assert (row.state, row.attempts, row.delivered_at is not None) == ("delivered", 2, True)
    with db.read() as session:
        assert len(session.exec(select(WebhookAttempt)).all()) == 3
    assert hooks.delivery_counts(db) == {"pending": 0, "delivered": 1, "failed": 0}


def test_the_last_allowed_failure_fails_the_delivery(db: Database, knowledge: Knowledge) -> None:
    endpoint(db)
    new_result(db, knowledge)
    with db.write() as session:
        [claimed] = hooks.claim_due(session, owner="a", now=utcnow(), lease_seconds=30, limit=5)
    with db.write() as session:
        assert hooks.record_attempt(session, claimed=claimed, owner="a", retry_at=None, now=utcnow(),
                                    attempt=hooks.Attempt(None, "The connection was refused.", 1)) == "failed"
    assert hooks.delivery_counts(db) == {"pending": 0, "delivered": 0, "failed": 1}


def test_disabled_endpoints_hold_their_deliveries(db: Database, knowledge: Knowledge) -> None:
    first = endpoint(db)
    new_result(db, knowledge)
    with db.write() as session:
        hooks.set_enabled(session, endpoint_id=first, enabled=False, now=utcnow())
    with db.read() as session:
        assert not hooks.any_due(session, now=utcnow())


def test_the_signing_secret_is_derived_and_never_stored(db: Database, database_url: str) -> None:
    first = endpoint(db)
    with db.read() as session:
        salt = session.get(WebhookEndpoint, first).secret_salt  # type: ignore[union-attr]
    secret = hooks.signing_secret("k" * 40, salt)
    assert secret.startswith("whsec_") and secret == hooks.signing_secret("k" * 40, salt)
    assert secret != hooks.signing_secret("j" * 40, salt) and secret != hooks.signing_secret("k" * 40, salt + "0")
    if database_url.startswith("sqlite"):
        stored = Path(database_url.removeprefix("sqlite:///"))
        raw = stored.read_bytes() + (stored.with_name(stored.name + "-wal").read_bytes()
                                     if stored.with_name(stored.name + "-wal").exists() else b"")
        assert secret.encode() not in raw and salt.encode() in raw


def test_the_signature_is_hmac_sha256_over_timestamp_and_body() -> None:
    header = hooks.signature("whsec_x", 1700000000, b'{"a":1}')
    expected = hmac.new(b"whsec_x", b'1700000000.{"a":1}', hashlib.sha256).hexdigest()
    assert header == f"t=1700000000,v1={expected}"
