"""Annotated dependency aliases, defined once and used by every route.

The getters are `async def` on purpose: they only read app.state, and FastAPI runs every sync dependency in the
threadpool, so as plain `def` each one cost a thread hop per request (two on every step page, bench/README.md)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, Request

from app.engine.model import Bank
from app.settings import Settings
from app.store.db import Database


async def get_db(request: Request) -> Database:
    """The application's database."""
    db: Database = request.app.state.db
    return db


async def get_settings_dep(request: Request) -> Settings:
    """The application's settings."""
    settings: Settings = request.app.state.settings
    return settings


async def get_bank(request: Request) -> Bank:
    """The validated question bank."""
    bank: Bank = request.app.state.bank
    return bank


DbDep = Annotated[Database, Depends(get_db)]
SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
BankDep = Annotated[Bank, Depends(get_bank)]


def form_fields(request: Request) -> dict[str, list[str]]:
    """The url-encoded fields of this request (parsed once by the Guard middleware), name → values."""
    fields: dict[str, list[str]] = {}
    for name, value in getattr(request.state, "form", []):
        fields.setdefault(name, []).append(value)
    return fields


def inline_on_sqlite(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """Serve a sync endpoint through Database.run: on the event loop with SQLite, in the threadpool otherwise.
    The endpoint must take `request`; FastAPI reads its signature through functools.wraps."""

    @functools.wraps(endpoint)
    async def serve(*args: Any, **kwargs: Any) -> Any:
        db: Database = kwargs["request"].app.state.db
        return await db.run(functools.partial(endpoint, *args, **kwargs))

    return serve
