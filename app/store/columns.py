"""Column helpers and the constraint naming convention shared by the table modules (models.py, admin_models.py):
imported before any table is defined, so every table gets the same constraint names."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Column, ForeignKey, Integer
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
    return datetime.now(UTC)


def fk(target: str, *, nullable: bool = False) -> Any:
    """An indexed integer foreign key that cascades deletes from its parent."""
    return Field(
        sa_column=Column(Integer, ForeignKey(target, ondelete="CASCADE"), nullable=nullable, index=True)
    )
