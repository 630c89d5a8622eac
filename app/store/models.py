"""Every SQLModel table: the team side here, the admin side in admin_models.py (imported at the end). Alembic owns
the schema (migrations/); the app never calls create_all."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Optional

from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from .columns import fk as _fk
from .columns import utcnow


class Assessment(SQLModel, table=True):
    """One team's run through the wizard; the edit link is a capability stored only as a hash.

    latest_result_id, recommendation and result_at describe the newest result. The database keeps them (a trigger
    on result inserts, migration 0005), whatever inserts the result, so the admin search filters and sorts one
    table instead of finding each assessment's newest result."""

    id: Optional[int] = Field(default=None, primary_key=True)
    team: str = Field(max_length=120)
    title: str = Field(max_length=200)
    status: str = Field(default="draft", max_length=16, index=True)
    edit_token_hash: str = Field(max_length=64, unique=True)
    version: int = Field(default=0)
    cost_assumptions: Optional[dict[str, Any]] = Field(default=None, sa_column=Column(JSON))
    created_at: datetime = Field(default_factory=utcnow, index=True)
    updated_at: datetime = Field(default_factory=utcnow, index=True)
    latest_result_id: Optional[int] = Field(default=None)
    recommendation: Optional[str] = Field(default=None, max_length=16, index=True)
    result_at: Optional[datetime] = Field(default=None)
    # A variant ("what if…") is a copy of another assessment's answers; no foreign key, so deleting the origin leaves
    # its variants alone (and SQLite can drop the column in place on a downgrade).
    origin_id: Optional[int] = Field(default=None, index=True)
    origin_result_id: Optional[int] = Field(default=None)  # the origin's result the variant was made from
    # The question bank and rules it was started on (the admin funnel groups by them); NULL before migration 0007.
    bank_version: Optional[str] = Field(default=None, max_length=32)
    rules_version: Optional[str] = Field(default=None, max_length=32)
    # Bit i: the i-th step of its bank was saved at least once (the admin funnel reads one small row per assessment).
    steps_saved: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class Answer(SQLModel, table=True):
    """One stored answer: (assessment, question) → JSON value."""

    __table_args__ = (UniqueConstraint("assessment_id", "question_id"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    assessment_id: int = _fk("assessment.id")
    question_id: str = Field(max_length=64)
    value: Any = Field(sa_column=Column(JSON, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow)


class Submission(SQLModel, table=True):
    """One accepted step submit; its idempotency key makes a replayed form a no-op."""

    # (assessment_id, step) covers the admin funnel's fold of the saves per assessment (store/insights.py).
    __table_args__ = (Index("ix_submission_assessment_step", "assessment_id", "step"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    assessment_id: int = _fk("assessment.id")
    step: str = Field(max_length=32)
    idem: str = Field(max_length=64, unique=True)
    version: int
    created_at: datetime = Field(default_factory=utcnow)
    contributor: Optional[str] = Field(default=None, max_length=80)  # the name the person gave, if any
    changes: Optional[dict[str, Any]] = Field(default=None, sa_column=Column(JSON))  # question → [before, after]


class Result(SQLModel, table=True):
    """An immutable snapshot of everything that produced a recommendation; reports render only this."""

    # Covers the insight page's count by month, approach and confidence: an index-only scan, never the payloads.
    __table_args__ = (Index("ix_result_month", "created_at", "recommendation", "confidence"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    assessment_id: int = _fk("assessment.id")
    recommendation: str = Field(max_length=16, index=True)
    answers: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    weights: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    weights_version: Optional[int] = Field(default=None)
    prices: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    rules_version: str = Field(max_length=32)
    engine_version: str = Field(max_length=32)
    payload: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    confidence: Optional[str] = Field(default=None, max_length=40)  # payload's confidence label, for the insights
    created_at: datetime = Field(default_factory=utcnow, index=True)
    # What re-ranking needs of the payload (engine.weights.rank_inputs), written with the row: the admin weights
    # preview re-ranks every stored result, and this ~0.5 kB copy spares it parsing thousands of ~30 kB payloads.
    # Results are immutable, so it never goes stale. Where it is NULL, the preview reads the payload instead.
    rank_inputs: Optional[dict[str, Any]] = Field(default=None, sa_column=Column(JSON(none_as_null=True)))


class ShareLink(SQLModel, table=True):
    """A read-only view link to one result, stored as a hash; revocable, with an optional expiry."""

    __tablename__ = "share_link"
    id: Optional[int] = Field(default=None, primary_key=True)
    result_id: int = _fk("result.id")
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: Optional[datetime] = Field(default=None)
    revoked_at: Optional[datetime] = Field(default=None)
    # The random input of a view token derived from the edit token (store/tokens.py); NULL: not derived.
    nonce: Optional[str] = Field(default=None, max_length=32)


# ---------------------------------------------------------------- webhooks (issue 14): endpoints, outbox, attempts


class WebhookEndpoint(SQLModel, table=True):
    """An admin-registered receiver of signed event deliveries. The signing secret is never stored: it is derived
    from TUNEWISE_SECRET_KEY and `secret_salt` (store/webhooks.py), so a copy of the database cannot forge one."""

    __tablename__ = "webhook_endpoint"
    id: Optional[int] = Field(default=None, primary_key=True)
    url: str = Field(max_length=1000)
    description: str = Field(default="", max_length=200)
    events: list[str] = Field(sa_column=Column(JSON, nullable=False))
    enabled: bool = Field(default=True)
    secret_salt: str = Field(max_length=64)
    created_by: str = Field(max_length=254)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class WebhookDelivery(SQLModel, table=True):
    """The outbox: one event for one endpoint, written in the transaction that made the event; the sender claims
    due rows with a lease (lease_until, lease_owner) so several workers never send the same row at once."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (UniqueConstraint("event_id", "endpoint_id"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    event_id: str = Field(max_length=40)
    event_type: str = Field(max_length=64)
    endpoint_id: int = _fk("webhook_endpoint.id")
    data: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
    state: str = Field(default="pending", max_length=16, index=True)
    attempts: int = Field(default=0)
    next_attempt_at: datetime = Field(default_factory=utcnow, index=True)
    lease_until: Optional[datetime] = Field(default=None)
    lease_owner: Optional[str] = Field(default=None, max_length=32)
    last_status: Optional[int] = Field(default=None)
    last_error: str = Field(default="", max_length=300)
    delivered_at: Optional[datetime] = Field(default=None)


class WebhookAttempt(SQLModel, table=True):
    """One POST of a delivery: the HTTP status or the error, and how long it took."""

    __tablename__ = "webhook_attempt"
    id: Optional[int] = Field(default=None, primary_key=True)
    delivery_id: int = _fk("webhook_delivery.id")
    number: int
    at: datetime = Field(default_factory=utcnow)
    outcome: str = Field(max_length=16)
    status_code: Optional[int] = Field(default=None)
    error: str = Field(default="", max_length=300)
    duration_ms: int = Field(default=0)


# ---------------------------------------------------------------- decisions over time (issue 13)


class Decision(SQLModel, table=True):
    """What a team decided about one of its results (MADR's statuses) and, later, how it went. One row per result,
    changed in place under a version: a concurrent change gets a 409, and each change is in the audit log."""

    __tablename__ = "decision"
    id: Optional[int] = Field(default=None, primary_key=True)
    result_id: int = Field(
        sa_column=Column(Integer, ForeignKey("result.id", ondelete="CASCADE"), nullable=False, unique=True)
    )
    assessment_id: int = _fk("assessment.id")
    recommendation: str = Field(max_length=16)  # the result's (immutable): counted without reading the result
    status: str = Field(default="proposed", max_length=16)
    superseded_by: Optional[int] = Field(default=None)  # another result of the same team
    owner: str = Field(default="", max_length=120)
    decided_on: Optional[date] = Field(default=None)
    rationale: str = Field(default="", max_length=1000)
    revisit_by: Optional[date] = Field(default=None)
    outcome_approach: Optional[str] = Field(default=None, max_length=16)
    outcome: Optional[str] = Field(default=None, max_length=16)
    outcome_note: str = Field(default="", max_length=2000)
    outcome_at: Optional[datetime] = Field(default=None)
    version: int = Field(default=0)
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by: str = Field(default="", max_length=80)


# The admin side's tables live in their own module; imported here so that `app.store.models` holds the whole schema
# (Alembic's env and the drift test import this module) and existing imports of them keep working.
from .admin_models import (  # noqa: E402
    ActivePreset,
    AdminSession,
    AdminUser,
    AuditEvent,
    LoginAttempt,
    PricePreset,
    RateLimit,
    SetupToken,
    WeightDraft,
    WeightSet,
)

__all__ = [
    "utcnow",
    "Assessment",
    "Answer",
    "Submission",
    "Result",
    "ShareLink",
    "WebhookEndpoint",
    "WebhookDelivery",
    "WebhookAttempt",
    "Decision",
    "AdminUser",
    "AdminSession",
    "LoginAttempt",
    "SetupToken",
    "AuditEvent",
    "WeightSet",
    "WeightDraft",
    "PricePreset",
    "ActivePreset",
    "RateLimit",
]
