"""Prometheus metrics (TUNEWISE_METRICS=1): requests by method, route template and status, database errors, and
totals read from the database at scrape time.

Labels are route templates ("/a/{token}/{slug}"), never raw paths, so no token or team name reaches a label; a
request no route took is "unmatched". Request counts live in each process; with several workers (the
PROMETHEUS_MULTIPROC_DIR that `tunewise serve` sets) every worker writes them to files and any worker serves the
sum. Business figures are rows in the database, read when scraped: the same in every worker, never counted twice."""

from __future__ import annotations

import hmac
import os
import threading
from collections.abc import Callable, Iterator

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from app.engine.model import Approach
from app.store import stats
from app.store.db import Database
from app.web.logs import Exchange

CONTENT_TYPE = CONTENT_TYPE_LATEST
LABELS = ("method", "route", "status")
# Seconds: fine below 25 ms, where the pages' targets are; the tail up to the body timeout.
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
REQUESTS = Counter("tunewise_http_requests", "HTTP requests by method, route template and status", LABELS)
LATENCY = Histogram("tunewise_http_request_duration_seconds", "Time from the request to the end of the response",
                    LABELS, buckets=BUCKETS)
DATABASE_ERRORS = Counter("tunewise_database_errors", "Requests answered 503 because the database was busy, full "
                          "or unreachable")
Deliveries = Callable[[Database], dict[str, int]]


def authorised(header: str, token: str) -> bool:
    """True without a token, else when the Authorization header is `Bearer <token>` (compared in constant time)."""
    if not token:
        return True
    return hmac.compare_digest(header.encode("utf-8", "replace"), f"Bearer {token}".encode())


class RequestMetrics:
    """The Guard's observer: count and time each finished request (children cached: labels() takes a lock)."""

    def __init__(self) -> None:
        self._children: dict[tuple[str, str, int], tuple[Callable[[], None], Callable[[float], None]]] = {}
        self._lock = threading.Lock()

    def __call__(self, done: Exchange) -> None:
        """Record one exchange."""
        key = (done.method, done.route, done.status)
        children = self._children.get(key)
        if children is None:
            children = self._child(key)
        count, observe = children
        count()
        observe(done.seconds)

    def _child(self, key: tuple[str, str, int]) -> tuple[Callable[[], None], Callable[[float], None]]:
        """The counter and histogram series of one label set, made once."""
        labels = (key[0], key[1], str(key[2]))
        with self._lock:
            made = self._children.setdefault(key, (REQUESTS.labels(*labels).inc, LATENCY.labels(*labels).observe))
        return made


class StoredTotals(Collector):
    """Figures read from the database when scraped: assessments, results by approach, webhook deliveries."""

    def __init__(self, db: Database, deliveries: Deliveries | None = None) -> None:
        self.db, self.deliveries = db, deliveries

    def collect(self) -> Iterator[Metric]:
        """One read of the totals; every approach is listed, with 0 where no result recommends it."""
        totals = stats.totals(self.db)
        yield GaugeMetricFamily("tunewise_assessments_started", "Assessments in the database", value=totals.started)
        yield GaugeMetricFamily("tunewise_assessments_finished", "Assessments finished (status complete)",
                                value=totals.finished)
        results = GaugeMetricFamily("tunewise_results", "Stored results by recommended approach", labels=["approach"])
        for approach in [a.value for a in Approach] + sorted(set(totals.results) - {a.value for a in Approach}):
            results.add_metric([approach], totals.results.get(approach, 0))
        yield results
        if self.deliveries is not None:
            outcomes = GaugeMetricFamily("tunewise_webhook_deliveries", "Webhook deliveries by outcome",
                                         labels=["outcome"])
            for outcome, count in sorted(self.deliveries(self.db).items()):
                outcomes.add_metric([outcome], count)
            yield outcomes


class Metrics:
    """What /metrics serves for one app: the process's (or every worker's) counters plus the stored totals."""

    def __init__(self, db: Database, deliveries: Deliveries | None = None) -> None:
        self.stored = CollectorRegistry()
        self.stored.register(StoredTotals(db, deliveries))
        self.observe = RequestMetrics()

    def exposition(self) -> bytes:
        """The Prometheus text format; reads the database (call it through run_blocking)."""
        return _process_counts() + generate_latest(self.stored)


def _process_counts() -> bytes:
    """This process's registry, or the sum over every worker's files in multiprocess mode."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not directory:
        return generate_latest(REGISTRY)
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=directory)  # type: ignore[no-untyped-call]
    return generate_latest(registry)
