"""Per-client rate limits for anonymous writes (POST /assessments and /api/*): 429 with Retry-After."""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable

from starlette.responses import JSONResponse, PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send


class SlidingWindow:
    """At most `limit` events per `window` seconds for each key (in-process; one per worker)."""

    def __init__(self, limit: int, window: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit, self.window, self.clock = limit, window, clock
        self._events: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str) -> int:
        """Record one event; 0 when allowed, else the seconds to wait before the next one."""
        now = self.clock()
        with self._lock:
            events = self._events.setdefault(key, deque())
            while events and events[0] <= now - self.window:
                events.popleft()
            if len(events) >= self.limit:
                return max(1, math.ceil(events[0] + self.window - now))
            events.append(now)
            if len(self._events) > 10_000:  # forget idle clients so memory stays bounded
                self._events = {k: v for k, v in self._events.items() if v and v[-1] > now - self.window}
            return 0


def is_limited(method: str, path: str) -> bool:
    """The anonymous write routes that are rate-limited per client address."""
    return path.startswith("/api/") or (method == "POST" and path == "/assessments")


class RateLimit:
    """Pure ASGI middleware applying one SlidingWindow to the limited routes."""

    def __init__(self, app: ASGIApp, *, per_minute: int) -> None:
        self.app = app
        self.window = SlidingWindow(per_minute)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and per_minute_applies(scope):
            client = scope.get("client")
            wait = self.window.hit(str(client[0]) if client else "-")
            if wait:
                await _too_many(scope, wait)(scope, receive, send)
                return
        await self.app(scope, receive, send)


def per_minute_applies(scope: Scope) -> bool:
    """True when this request counts against the client's budget."""
    return is_limited(scope["method"], scope["path"])


def _too_many(scope: Scope, wait: int) -> JSONResponse | PlainTextResponse:
    """429 with Retry-After, as JSON for the API and as text elsewhere."""
    headers = {"Retry-After": str(wait)}
    message = f"Too many requests: try again in {wait} s."
    if scope["path"].startswith("/api/"):
        return JSONResponse({"detail": message}, status_code=429, headers=headers)
    return PlainTextResponse(message, status_code=429, headers=headers)
