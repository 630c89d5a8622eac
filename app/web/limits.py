"""Per-client rate limits on every write route, counted in the database (store/limits.py) so they hold across
workers: 429 with Retry-After. One budget per route group and client address; the address is stored only as a
keyed digest (store/tokens.py: pseudonym)."""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from app.store import limits
from app.store.db import Database, DatabaseUnavailable
from app.store.tokens import pseudonym
from app.web.errors import error_response
from app.web.execution import run_blocking

log = logging.getLogger("tunewise.limits")
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Team actions behind an edit link that add or change links and results (not the steps or finish).
MANAGE = frozenset({"reevaluate", "links", "rotate", "delete"})
# Each group's budget a minute, as a multiple of TUNEWISE_RATE_LIMIT_PER_MINUTE (creates).
FACTORS: dict[str, float] = {"create": 1, "edit": 10, "manage": 0.5, "admin": 2}
PRUNE_EVERY = 60.0  # seconds between two clean-ups of ended windows, per worker


def group_of(method: str, path: str) -> str | None:
    """The rate-limit group of a request: None for reads (except the API, which is limited as a whole)."""
    if path.startswith("/api/") or (method == "POST" and path == "/assessments"):
        return "create"
    if method not in UNSAFE:
        return None
    if path.startswith("/admin"):
        return "admin"
    parts = path.split("/")
    if len(parts) >= 4 and parts[1] == "a" and parts[3] in MANAGE:
        return "manage"
    return "edit"


def budgets(per_minute: int) -> dict[str, int]:
    """Each group's requests a minute per client."""
    return {group: max(1, int(per_minute * factor)) for group, factor in FACTORS.items()}


class RateLimit:
    """Pure ASGI middleware: count each write in its group's window; over budget → 429 with Retry-After.
    If the database cannot count (locked, full), the request goes on: the route itself then answers 503."""

    def __init__(self, app: ASGIApp, *, db: Database, per_minute: int, secret: str,
                 clock: Callable[[], float] = time.time) -> None:
        self.app, self.db, self.secret, self.clock = app, db, secret, clock
        self.budgets = budgets(per_minute)
        self._pruned = 0.0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        group = group_of(scope["method"], scope["path"]) if scope["type"] == "http" else None
        if group is not None:
            client = scope.get("client")
            key = f"{group}:{pseudonym(self.secret, str(client[0]) if client else '-')}"
            try:
                hits, wait = await run_blocking(self.db, functools.partial(self._count, key))
            except DatabaseUnavailable as error:
                log.warning("rate limit not counted: %s", str(error).split("\n")[0])
                hits, wait = 0, 0
            if hits > self.budgets[group]:
                await too_many(scope, wait)(scope, receive, send)
                return
        await self.app(scope, receive, send)

    def _count(self, key: str) -> tuple[int, int]:
        """One hit, and now and then the clean-up of ended windows."""
        now = self.clock()
        if now - self._pruned >= PRUNE_EVERY:
            self._pruned = now
            limits.prune(self.db, now=now)
        return limits.hit(self.db, key=key, now=now)


def too_many(scope: Scope, wait: int) -> Response:
    """429 with Retry-After: JSON for the API, the HTML error page elsewhere."""
    headers = {"Retry-After": str(wait)}
    if scope["path"].startswith("/api/"):
        return JSONResponse({"detail": f"Too many requests: try again in {wait} s."}, status_code=429,
                            headers=headers)
    return error_response(Request(scope), 429, headers)
