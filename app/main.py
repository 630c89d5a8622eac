"""The application factory: create_app(settings) wires settings, database, bank, templates and routes."""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from typing import AsyncIterator

from fastapi import FastAPI
from starlette.middleware.gzip import GZipMiddleware

from . import errors, migrate
from .db import Database
from .engine.bank import load_bank
from .limits import RateLimit
from .routes import health, wizard
from .security import Guard
from .settings import Settings, get_settings
from .static import CachedStatic
from .web import make_templates

access_log = logging.getLogger("tunewise.access")


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app; the database must already be migrated (make run and the CLI do that)."""
    settings = settings or get_settings()
    db = Database(settings.database_url, max_page_count=settings.sqlite_max_page_count)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if not migrate.is_current(db.engine, settings.database_url):
            raise RuntimeError("The database is not at the newest migration: run `tunewise migrate` first.")
        yield
        db.dispose()

    app = FastAPI(title="Tunewise API", version="1.0.0", lifespan=lifespan, docs_url="/docs", redoc_url=None)
    app.state.settings, app.state.db = settings, db
    app.state.bank = load_bank()
    app.state.templates = make_templates(settings)
    errors.install(app)
    for router in (health.router, wizard.router):
        app.include_router(router)
    app.mount("/static", CachedStatic(), name="static")
    app.add_middleware(errors.ServerErrors)
    app.add_middleware(GZipMiddleware, minimum_size=500)
    app.add_middleware(RateLimit, per_minute=settings.rate_limit_per_minute)
    app.add_middleware(
        Guard, max_body=settings.max_body_bytes, https=settings.https, public_origin=settings.public_origin,
        log=access_log.info if settings.access_log else None,
    )
    return app
