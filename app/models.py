"""Every SQLModel table. Alembic owns the schema (migrations/); the app never calls create_all."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Optional

from sqlalchemy import JSON, Column, ForeignKey, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """The current time, timezone-aware UTC, as stored in every *_at column."""
    return datetime.now(timezone.utc)


def _fk(target: str, *, nullable: bool = False) -> Any:
    """An indexed integer foreign key that cascades deletes from its parent."""
    return Field(
        sa_column=Column(Integer, ForeignKey(target, ondelete="CASCADE"), nullable=nullable, index=True)
    )


class Assessment(SQLModel, table=True):
    """One team's run through the wizard; the edit link is a capability stored only as a hash."""

    id: Optional[int] = Field(default=None, primary_key=True)
    team: str = Field(max_length=120)
    title: str = Field(max_length=200)
    status: str = Field(default="draft", max_length=16, index=True)
    edit_token_hash: str = Field(max_length=64, unique=True)
    version: int = Field(default=0)
    cost_assumptions: Optional[dict[str, Any]] = Field(default=None, sa_column=Column(JSON))
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow, index=True)


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

    id: Optional[int] = Field(default=None, primary_key=True)
    assessment_id: int = _fk("assessment.id")
    step: str = Field(max_length=32)
    idem: str = Field(max_length=64, unique=True)
    version: int
    payload_sha256: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow)


class Result(SQLModel, table=True):
    """An immutable snapshot of everything that produced a recommendation; reports render only this."""

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
    created_at: datetime = Field(default_factory=utcnow, index=True)


class ShareLink(SQLModel, table=True):
    """A read-only view link to one result, stored as a hash; revocable, with an optional expiry."""

    __tablename__ = "share_link"
    id: Optional[int] = Field(default=None, primary_key=True)
    result_id: int = _fk("result.id")
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: Optional[datetime] = Field(default=None)
    revoked_at: Optional[datetime] = Field(default=None)
