"""Server-side timing: a per-route latency histogram that the load tests and the benchmark read.

A load generator on the same two cores inflates client-side tails, so latency targets are judged here."""

from __future__ import annotations

import bisect
import json
import threading
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Bucket upper bounds in milliseconds: fine below 10 ms, where the targets are.
BOUNDS = tuple([0.25 * i for i in range(1, 41)]
               + [12, 15, 20, 25, 30, 40, 50, 75, 100, 150, 200, 300, 500, 1000, 2000, 5000, 10000])
ENDPOINT = "/_timings"


class Histogram:
    """Counts of durations per bucket; percentiles read at bucket upper bounds."""

    def __init__(self) -> None:
        self.counts = [0] * (len(BOUNDS) + 1)
        self.total = 0
        self.total_ms = 0.0

    def add(self, ms: float) -> None:
        """Record one duration."""
        self.counts[bisect.bisect_left(BOUNDS, ms)] += 1
        self.total += 1
        self.total_ms += ms

    def percentile(self, q: float) -> float:
        """The upper bound of the bucket holding the q-quantile (0 < q < 1)."""
        rank, seen = q * self.total, 0
        for index, count in enumerate(self.counts):
            seen += count
            if seen >= rank and count:
                return BOUNDS[index] if index < len(BOUNDS) else float("inf")
        return 0.0

    def summary(self) -> dict[str, Any]:
        """Count, mean, p50 and p99 in milliseconds."""
        mean = self.total_ms / self.total if self.total else 0.0
        return {"count": self.total, "mean_ms": round(mean, 3), "p50_ms": self.percentile(0.5),
                "p99_ms": self.percentile(0.99)}


class Timing:
    """Pure ASGI middleware: time every request by its route template ("GET /a/{token}/{slug}")."""

    def __init__(self, app: ASGIApp, *, expose: bool) -> None:
        self.app, self.expose = app, expose
        self.routes: dict[str, Histogram] = {}
        self.lock = threading.Lock()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.expose and scope["path"] == ENDPOINT:
            await self._report(send, reset=b"reset=1" in scope.get("query_string", b""))
            return
        start = time.perf_counter()
        status = [0]

        async def timed_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, timed_send)
        finally:
            self._record(scope, status[0], (time.perf_counter() - start) * 1000)

    def _record(self, scope: Scope, status: int, ms: float) -> None:
        """Add one duration under its route (and its status class, so 4xx and 5xx stay visible)."""
        route = (getattr(scope.get("route"), "path", None)
                 or ("/static" if scope["path"].startswith("/static") else "unmatched"))
        key = f"{scope['method']} {route} {status // 100}xx"
        with self.lock:
            self.routes.setdefault(key, Histogram()).add(ms)

    async def _report(self, send: Send, *, reset: bool = False) -> None:
        """The histograms as JSON (only when exposed: load tests and the benchmark); `?reset=1` also clears them,
        so the benchmark reads one route's figures per run."""
        with self.lock:
            body = json.dumps({key: h.summary() for key, h in sorted(self.routes.items())}).encode()
            if reset:
                self.routes = {}
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": body})
