"""The application factory: create_app(settings) wires settings, database, bank, templates and routes."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.middleware.gzip import GZipMiddleware

from app.engine.rules import load_knowledge
from app.routes import admin, api, decisions, docs, health, report, team, variants, wizard
from app.settings import Settings, get_settings
from app.store import migrate, webhooks
from app.store.db import Database
from app.store.reevaluate import PreviewCache
from app.store.settings import CurrentSettings
from app.web import errors
from app.web.guard import Guard
from app.web.limits import RateLimit
from app.web.logs import AccessLog, Exchange
from app.web.metrics import Metrics
from app.web.render import QuestionFragments, make_templates
from app.web.report_pages import ReportPages
from app.web.static import CachedStatic
from app.web.timing import Timing
from app.web.webhooks import Sender, policy_of

access_log = logging.getLogger("tunewise.access")
log = logging.getLogger("tunewise")
MB = 1 << 20
# How TUNEWISE_CACHE_MB is shared: rendered reports, the weights preview's rows, question fragments.
CACHE_SHARES = {"reports": 0.6, "preview": 0.3, "fragments": 0.1}


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app; the database must already be migrated (make run and the CLI do that)."""
    settings = settings or get_settings()
    db = Database(settings.database_url, max_page_count=settings.sqlite_max_page_count)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if not migrate.is_current(db.engine, settings.database_url):
            raise RuntimeError("The database is not at the newest migration: run `tunewise migrate` first.")
        for line in settings.startup_lines():
            log.info("%s", line)
        app.state.webhook_sender.start()  # the outbox's sender: a background task, stopped before the pool closes
        yield
        await app.state.webhook_sender.stop()
        db.dispose()

    app = FastAPI(title="Tunewise API", version="1.0.0", lifespan=lifespan, docs_url=None, redoc_url=None)
    cache = {name: int(settings.cache_mb * MB * share) for name, share in CACHE_SHARES.items()}
    app.state.settings, app.state.db = settings, db
    app.state.webhook_sender = Sender(db, secret_key=settings.secret_key, origin=settings.origin, policy=policy_of(
        settings.webhook_timeout_seconds, settings.webhook_max_attempts, settings.webhook_retry_seconds))
    app.state.knowledge = load_knowledge(settings.knowledge_dir)
    app.state.bank = app.state.knowledge.bank
    app.state.current_settings = CurrentSettings(db, app.state.knowledge)
    app.state.report_pages = ReportPages(cache["reports"])
    app.state.preview_cache = PreviewCache(cache["preview"])
    app.state.templates = make_templates(settings)
    app.state.templates.globals["question_html"] = QuestionFragments(
        app.state.templates, app.state.bank.sources, cache["fragments"])
    app.state.metrics = Metrics(db, deliveries=webhooks.delivery_counts)
    errors.install(app)
    # Most requests are reports and wizard steps: their routers are tried first, the report's three routes before
    # the team's and the wizard's fifteen (team before wizard, whose /a/{token}/{slug} would take /a/{token}/manage).
    # Health goes before them all: behind the ~50 other routes, /healthz took 3× as long in-process (319 against
    # 102 µs, best of 9 runs), while its three routes cost the other pages less than the run-to-run noise.
    for router in (health.router, report.router, team.router, decisions.router, variants.router, wizard.router,
                   api.router, docs.router, admin.router):
        app.include_router(router)
    app.mount("/static", CachedStatic(), name="static")
    app.add_middleware(errors.ServerErrors)
    app.add_middleware(GZipMiddleware, minimum_size=500)
    app.add_middleware(RateLimit, db=db, per_minute=settings.rate_limit_per_minute, secret=settings.secret_key)
    app.add_middleware(Timing, expose=settings.timings)
    app.add_middleware(
        Guard, max_body=settings.max_body_bytes, https=settings.https, public_origin=settings.origin,
        hosts=settings.hosts, body_timeout=settings.body_timeout_seconds,
        observers=observers(settings, app.state.metrics),
    )
    return app


def observers(settings: Settings, metrics: Metrics) -> tuple[Callable[[Exchange], None], ...]:
    """What sees each finished request at the edge: the access log, the request metrics (each when turned on)."""
    return ((AccessLog(access_log),) if settings.access_log else ()) + ((metrics.observe,) if settings.metrics else ())
