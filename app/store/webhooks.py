"""Webhooks: endpoints, the outbox (one delivery per event and endpoint, written in the event's own transaction),
the sender's leased claims, the attempt log, and signing secrets derived from the server key (never stored)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, or_, true, update
from sqlmodel import Session, col, select

from app.store.db import Database
from app.store.models import Assessment, WebhookAttempt, WebhookDelivery, WebhookEndpoint, utcnow

# The events an endpoint may subscribe to. Data, not code paths: a later event is one more entry here and one
# enqueue() call where it happens.
EVENTS: tuple[str, ...] = ("result.created",)
TEST_EVENT = "webhook.test"  # sent to one endpoint on request; nobody subscribes to it
EVENT_LABELS = {"result.created": "Result created", TEST_EVENT: "Test event"}
STATES = ("pending", "delivered", "failed")
MAX_ENDPOINTS = 20  # every event fans out to each subscriber in the event's transaction: keep that bounded


def signing_secret(secret_key: str, salt: str) -> str:
    """The endpoint's signing secret: HMAC(TUNEWISE_SECRET_KEY, salt). A database copy alone cannot sign."""
    digest = hmac.new(secret_key.encode(), f"tunewise-webhook:{salt}".encode(), hashlib.sha256).digest()
    return "whsec_" + base64.urlsafe_b64encode(digest).decode().rstrip("=")


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The Tunewise-Signature header: t=<unix seconds>,v1=<hex HMAC-SHA256 of "{t}.{body}">."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


# ------------------------------------------------------------------ endpoints


def add_endpoint(session: Session, *, url: str, description: str, events: Sequence[str], actor: str,
                 now: datetime) -> WebhookEndpoint:
    """Register an endpoint (enabled, with a fresh secret salt)."""
    endpoint = WebhookEndpoint(url=url, description=description, events=list(events), enabled=True,
                               secret_salt=secrets.token_hex(16), created_by=actor[:254], created_at=now,
                               updated_at=now)
    session.add(endpoint)
    session.flush()
    return endpoint


def endpoint_count(session: Session) -> int:
    """How many endpoints are registered."""
    return int(session.exec(select(func.count()).select_from(WebhookEndpoint)).one())


def find_endpoint(session: Session, *, endpoint_id: int) -> WebhookEndpoint | None:
    """One endpoint, or None."""
    return session.get(WebhookEndpoint, endpoint_id)


def set_enabled(session: Session, *, endpoint_id: int, enabled: bool, now: datetime) -> WebhookEndpoint | None:
    """Enable or disable an endpoint (its queued deliveries wait while it is disabled); None when unknown."""
    endpoint = session.get(WebhookEndpoint, endpoint_id)
    if endpoint is not None:
        endpoint.enabled, endpoint.updated_at = enabled, now
        session.add(endpoint)
    return endpoint


def rotate_secret(session: Session, *, endpoint_id: int, now: datetime) -> WebhookEndpoint | None:
    """A new salt, hence a new signing secret from the next attempt on; None when unknown."""
    endpoint = session.get(WebhookEndpoint, endpoint_id)
    if endpoint is not None:
        endpoint.secret_salt, endpoint.updated_at = secrets.token_hex(16), now
        session.add(endpoint)
    return endpoint


def delete_endpoint(session: Session, *, endpoint_id: int) -> WebhookEndpoint | None:
    """Delete an endpoint with its deliveries and attempts (foreign keys cascade); None when unknown."""
    endpoint = session.get(WebhookEndpoint, endpoint_id)
    if endpoint is not None:
        session.expunge(endpoint)
        session.connection().execute(delete(WebhookEndpoint).where(col(WebhookEndpoint.id) == endpoint_id))
    return endpoint


@dataclass(frozen=True)
class EndpointRow:
    """An endpoint with the outcome of its newest delivery, for the admin list."""

    endpoint: WebhookEndpoint
    last_state: str | None
    last_status: int | None
    last_error: str
    last_at: datetime | None


def list_endpoints(session: Session) -> list[EndpointRow]:
    """Every endpoint, oldest first, with its newest delivery's outcome."""
    newest = (select(WebhookDelivery.endpoint_id, func.max(WebhookDelivery.id).label("newest"))
              .group_by(col(WebhookDelivery.endpoint_id)).subquery())
    rows = session.exec(
        select(WebhookEndpoint, WebhookDelivery)
        .join(newest, newest.c.endpoint_id == WebhookEndpoint.id, isouter=True)
        .join(WebhookDelivery, col(WebhookDelivery.id) == newest.c.newest, isouter=True)
        .order_by(col(WebhookEndpoint.id))
    ).all()
    return [EndpointRow(e, d.state if d else None, d.last_status if d else None, d.last_error if d else "",
                        (d.delivered_at or d.created_at) if d else None) for e, d in rows]


# ------------------------------------------------------------------ the outbox

SUBSCRIBERS = select(WebhookEndpoint.id, WebhookEndpoint.events).where(col(WebhookEndpoint.enabled) == true())
INSERT_DELIVERY = WebhookDelivery.__table__.insert()  # type: ignore[attr-defined]


def subscribers(session: Session, *, event_type: str) -> list[int]:
    """The enabled endpoints subscribed to an event (a handful of rows: filtered here, not in SQL JSON)."""
    return [row[0] for row in session.connection().execute(SUBSCRIBERS) if event_type in (row[1] or ())]


def enqueue(session: Session, *, event_type: str, data: Mapping[str, Any], endpoint_ids: Sequence[int] = (),
            now: datetime | None = None) -> str | None:
    """Queue one event for every enabled endpoint subscribed to it (or for exactly `endpoint_ids`), in the
    caller's transaction: it commits with the event or not at all. Returns the event id (None: nobody listens)."""
    targets = list(endpoint_ids) or subscribers(session, event_type=event_type)
    if not targets:
        return None
    event_id, at = f"evt_{uuid.uuid4().hex}", now or utcnow()
    session.connection().execute(INSERT_DELIVERY, [
        {"event_id": event_id, "event_type": event_type, "endpoint_id": target, "data": dict(data),
         "created_at": at, "state": "pending", "attempts": 0, "next_attempt_at": at, "last_error": ""}
        for target in targets])
    return event_id


def enqueue_result(session: Session, *, result_id: int, assessment_id: int, recommendation: str,
                   payload: Mapping[str, Any]) -> str | None:
    """Queue "result.created" for a result just inserted in this session: what a receiver needs to act on it
    (never the edit link or a view link: both are capabilities stored only as hashes)."""
    targets = subscribers(session, event_type="result.created")
    if not targets:
        return None  # the common case: one small query and nothing else
    team = session.exec(select(Assessment.team).where(Assessment.id == assessment_id)).first()
    labels = {a.get("id"): a.get("label") for a in payload.get("approaches", ()) if isinstance(a, Mapping)}
    confidence = payload.get("confidence")
    data = {"result_id": result_id, "assessment_id": assessment_id, "team": team,
            "recommendation": recommendation, "recommendation_label": labels.get(recommendation, recommendation),
            "confidence": confidence.get("label") if isinstance(confidence, Mapping) else None,
            "admin_path": f"/admin/assessments/{assessment_id}"}
    return enqueue(session, event_type="result.created", data=data, endpoint_ids=targets)


@dataclass(frozen=True)
class Claimed:
    """A delivery the sender holds the lease of, with what it needs to send it."""

    delivery_id: int
    event_id: str
    event_type: str
    data: dict[str, Any]
    created_at: datetime
    attempts: int
    url: str
    secret_salt: str


def _free(now: datetime) -> Any:
    """No lease on the row, or one that ran out (its holder crashed or hung)."""
    return or_(col(WebhookDelivery.lease_until).is_(None), col(WebhookDelivery.lease_until) < now)


def _due(now: datetime) -> Any:
    """Due deliveries of enabled endpoints, soonest first."""
    return (select(WebhookDelivery.id).join(WebhookEndpoint, col(WebhookEndpoint.id) == WebhookDelivery.endpoint_id)
            .where(WebhookDelivery.state == "pending", col(WebhookEndpoint.enabled) == true(),
                   col(WebhookDelivery.next_attempt_at) <= now, _free(now))
            .order_by(col(WebhookDelivery.next_attempt_at)))


def any_due(session: Session, *, now: datetime) -> bool:
    """True when a delivery is due: a read (never waits for writers), so an idle sender never takes the lock."""
    return session.exec(_due(now).limit(1)).first() is not None


def claim_due(session: Session, *, owner: str, now: datetime, lease_seconds: float, limit: int) -> list[Claimed]:
    """Lease up to `limit` due deliveries of enabled endpoints. Each lease is a conditional UPDATE, so of several
    workers (or servers) exactly one wins a row; a crashed worker's lease runs out and the row is sent again."""
    due = session.exec(_due(now).limit(limit)).all()
    until, won = now + timedelta(seconds=lease_seconds), []
    for delivery_id in due:
        taken = session.connection().execute(
            update(WebhookDelivery).where(col(WebhookDelivery.id) == delivery_id,
                                          col(WebhookDelivery.state) == "pending", _free(now))
            .values(lease_until=until, lease_owner=owner))
        if taken.rowcount == 1:
            won.append(delivery_id)
    if not won:
        return []
    rows = session.exec(select(WebhookDelivery, WebhookEndpoint.url, WebhookEndpoint.secret_salt)
                        .join(WebhookEndpoint, col(WebhookEndpoint.id) == WebhookDelivery.endpoint_id)
                        .where(col(WebhookDelivery.id).in_(won))).all()
    return [Claimed(d.id or 0, d.event_id, d.event_type, dict(d.data), d.created_at, d.attempts, url, salt)
            for d, url, salt in rows]


@dataclass(frozen=True)
class Attempt:
    """What one POST gave: a status code or an error, and its duration."""

    status_code: int | None
    error: str
    duration_ms: int

    @property
    def ok(self) -> bool:
        """2xx is delivered; anything else (redirects included: they are never followed) is not."""
        return self.status_code is not None and 200 <= self.status_code < 300


def record_attempt(session: Session, *, claimed: Claimed, owner: str, attempt: Attempt, now: datetime,
                   retry_at: datetime | None) -> str:
    """Log one attempt and settle the delivery: delivered, pending until retry_at, or failed (retry_at None).
    Only the lease holder settles the row; a late attempt after a lost lease is logged but changes nothing."""
    number = claimed.attempts + 1
    outcome = "delivered" if attempt.ok else ("retry" if retry_at is not None else "failed")
    session.add(WebhookAttempt(delivery_id=claimed.delivery_id, number=number, at=now, outcome=outcome,
                               status_code=attempt.status_code, error=attempt.error[:300],
                               duration_ms=attempt.duration_ms))
    state = {"delivered": "delivered", "retry": "pending", "failed": "failed"}[outcome]
    session.connection().execute(
        update(WebhookDelivery).where(col(WebhookDelivery.id) == claimed.delivery_id,
                                      col(WebhookDelivery.lease_owner) == owner)
        .values(state=state, attempts=number, lease_until=None, lease_owner=None, last_status=attempt.status_code,
                last_error=attempt.error[:300], next_attempt_at=retry_at or now,
                delivered_at=now if attempt.ok else None))
    return state


# ------------------------------------------------------------------ the delivery log and counts


@dataclass(frozen=True)
class DeliveryRow:
    """A delivery with its endpoint, for the admin log."""

    delivery: WebhookDelivery
    url: str
    description: str


def delivery_page(session: Session, *, page: int, size: int = 50) -> tuple[list[DeliveryRow], int]:
    """One page of deliveries, newest first, and how many there are in all."""
    total = int(session.exec(select(func.count()).select_from(WebhookDelivery)).one())
    rows = session.exec(
        select(WebhookDelivery, WebhookEndpoint.url, WebhookEndpoint.description)
        .join(WebhookEndpoint, col(WebhookEndpoint.id) == WebhookDelivery.endpoint_id)
        .order_by(col(WebhookDelivery.id).desc()).offset((max(page, 1) - 1) * size).limit(size)).all()
    return [DeliveryRow(d, url, description) for d, url, description in rows], total


def attempts_of(session: Session, *, delivery_ids: Sequence[int]) -> dict[int, list[WebhookAttempt]]:
    """The attempts of these deliveries, in order."""
    found: dict[int, list[WebhookAttempt]] = {i: [] for i in delivery_ids}
    for attempt in session.exec(select(WebhookAttempt).where(col(WebhookAttempt.delivery_id).in_(delivery_ids))
                                .order_by(col(WebhookAttempt.id))):
        found[attempt.delivery_id].append(attempt)
    return found


def delivery_counts(db: Database) -> dict[str, int]:
    """Deliveries by outcome (pending, delivered, failed), for the metrics endpoint."""
    with db.read() as session:
        rows = session.exec(select(WebhookDelivery.state, func.count()).group_by(col(WebhookDelivery.state))).all()
    return {**dict.fromkeys(STATES, 0), **{state: int(count) for state, count in rows}}
