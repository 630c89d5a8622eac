"""The admin side's tables (issue 4): administrators, sessions, sign-in throttles, the audit log, weight and price
versions, rate limits. Part of the schema app/store/models.py gathers (it imports this module, so Alembic and the
app see one metadata)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from sqlalchemy import JSON, BigInteger, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from .columns import fk as _fk
from .columns import utcnow


class AdminUser(SQLModel, table=True):
    """An administrator: email, argon2id hash; deactivated admins cannot sign in."""

    __tablename__ = "admin_user"
    id: Optional[int] = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True)
    password_hash: str = Field(max_length=255)
    active: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utcnow)
    last_login_at: Optional[datetime] = Field(default=None)


class AdminSession(SQLModel, table=True):
    """A server-side admin session: only the SHA-256 of the cookie token is stored."""

    __tablename__ = "admin_session"
    id: Optional[int] = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    admin_id: int = _fk("admin_user.id")
    created_at: datetime = Field(default_factory=utcnow)
    last_seen_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    revoked_at: Optional[datetime] = Field(default=None)


class LoginAttempt(SQLModel, table=True):
    """One sign-in POST, keyed 'acct:<email>:<address>' or 'ip:<address>' (each part a keyed digest, never the
    text itself): throttling state shared by workers."""

    __tablename__ = "login_attempt"
    id: Optional[int] = Field(default=None, primary_key=True)
    key: str = Field(max_length=300, index=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    ok: bool = Field(default=False)


class SetupToken(SQLModel, table=True):
    """The one-time first-admin setup link (hash only), valid for one hour."""

    __tablename__ = "setup_token"
    id: Optional[int] = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    used_at: Optional[datetime] = Field(default=None)


class AuditEvent(SQLModel, table=True):
    """Append-only record of an admin action: who, what, on what, before and after."""

    __tablename__ = "audit_event"
    id: Optional[int] = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor: str = Field(max_length=254, index=True)
    action: str = Field(max_length=40, index=True)
    target: str = Field(default="", max_length=300)
    before: Optional[Any] = Field(default=None, sa_column=Column(JSON))
    after: Optional[Any] = Field(default=None, sa_column=Column(JSON))


class WeightSet(SQLModel, table=True):
    """A published, immutable set of axis weights; the newest version is the one new results use."""

    __tablename__ = "weight_set"
    id: Optional[int] = Field(default=None, primary_key=True)
    version: int = Field(unique=True)
    method: str = Field(max_length=8)
    weights: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    ahp_matrix: Optional[Any] = Field(default=None, sa_column=Column(JSON))
    cr: Optional[float] = Field(default=None)
    created_by: str = Field(max_length=254)
    created_at: datetime = Field(default_factory=utcnow)
    published_at: datetime = Field(default_factory=utcnow)


class WeightDraft(SQLModel, table=True):
    """The one shared weights draft; `version` counts saves so a stale form gets a 409."""

    __tablename__ = "weight_draft"
    id: Optional[int] = Field(default=None, primary_key=True)
    version: int = Field(default=0)
    method: str = Field(max_length=8)
    weights: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    ahp_matrix: Optional[Any] = Field(default=None, sa_column=Column(JSON))
    cr: Optional[float] = Field(default=None)
    updated_by: str = Field(max_length=254)
    updated_at: datetime = Field(default_factory=utcnow)


class PricePreset(SQLModel, table=True):
    """One dated version of a price preset (append-only); `key` names the preset across versions."""

    __tablename__ = "price_preset"
    __table_args__ = (UniqueConstraint("key", "version"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    key: str = Field(max_length=64, index=True)
    version: int
    name: str = Field(max_length=120)
    provider: str = Field(max_length=64)
    as_of: str = Field(max_length=10)
    note: str = Field(default="", max_length=1000)
    sources: list[str] = Field(sa_column=Column(JSON, nullable=False))
    params: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    created_by: str = Field(max_length=254)
    created_at: datetime = Field(default_factory=utcnow)


class ActivePreset(SQLModel, table=True):
    """The pointer to the active price preset (one row); `version` guards concurrent changes."""

    __tablename__ = "active_preset"
    id: Optional[int] = Field(default=None, primary_key=True)
    preset_key: str = Field(max_length=64)
    version: int = Field(default=0)
    updated_by: str = Field(max_length=254)
    updated_at: datetime = Field(default_factory=utcnow)


class RateLimit(SQLModel, table=True):
    """One client's writes in one route group in the current fixed window (web/limits.py): shared by workers."""

    __tablename__ = "rate_limit"
    key: str = Field(primary_key=True, max_length=100)
    window_start: int = Field(sa_column=Column(BigInteger, nullable=False))
    hits: int = Field(default=0)
