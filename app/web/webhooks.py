"""The webhook sender: a background task that leases due outbox rows, POSTs each signed event with a short timeout
(redirects are never followed), logs every attempt and retries with exponential backoff and jitter.

Sending happens only here, never in a request: a slow or dead endpoint costs this task time, not a team. The POST
runs in a worker thread of its own limiter (the standard library's http.client: it follows no redirects and reads
no proxy settings), so it never takes the threadpool tokens routes use; database work goes through run_blocking
(inline with SQLite, in a thread with PostgreSQL) and is a few short statements."""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import json
import logging
import random
import secrets
import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from anyio import CapacityLimiter, move_on_after, to_thread

from app.store import webhooks as store
from app.store.db import Database
from app.store.models import utcnow
from app.web.execution import run_blocking

log = logging.getLogger("tunewise.webhooks")
USER_AGENT = "Tunewise-Webhooks/1"


@dataclass(frozen=True)
class Policy:
    """How the sender behaves: timeouts, retries, polling."""

    timeout: float = 5.0  # seconds for one POST, connection included
    max_attempts: int = 8
    retry_base: float = 30.0  # the first retry's delay; each next one doubles, up to retry_cap
    retry_cap: float = 3600.0
    poll: float = 1.0  # seconds between looks at the outbox when it is idle
    batch: int = 8  # deliveries sent at once by one worker

    @property
    def lease(self) -> float:
        """How long a claim holds a row: longer than any POST can take, so only a crash lets it run out."""
        return 2 * self.timeout + 10

    def retry_delay(self, attempts: int) -> float:
        """Exponential backoff with jitter (half to all of the step), so failed receivers are not hit in step."""
        step = min(self.retry_cap, self.retry_base * 2.0 ** max(attempts - 1, 0))
        return float(step * random.uniform(0.5, 1.0))


def event_body(claimed: store.Claimed, origin: str) -> bytes:
    """The JSON document a receiver gets: the same bytes on every attempt (the signature's timestamp changes)."""
    data = dict(claimed.data)
    path = data.pop("admin_path", None)
    if origin and path:
        data["admin_url"] = origin + str(path)
    document = {"id": claimed.event_id, "type": claimed.event_type, "created_at": claimed.created_at.isoformat(),
                "data": data}
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()


def signed_headers(claimed: store.Claimed, body: bytes, secret: str, now: int) -> dict[str, str]:
    """The headers of one attempt: the event id and type, and the signature over the timestamp and body."""
    return {"Content-Type": "application/json", "User-Agent": USER_AGENT, "Tunewise-Event-Id": claimed.event_id,
            "Tunewise-Event-Type": claimed.event_type, "Tunewise-Signature": store.signature(secret, now, body)}


def post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> store.Attempt:
    """One blocking POST; the status code or the error in words, and how long it took."""
    parts, started = urlsplit(url), time.monotonic()
    connection: http.client.HTTPConnection
    if parts.scheme == "https":
        connection = http.client.HTTPSConnection(parts.hostname or "", parts.port, timeout=timeout,
                                                 context=ssl.create_default_context())
    else:
        connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=timeout)
    status, error = None, ""
    try:
        connection.request("POST", (parts.path or "/") + (f"?{parts.query}" if parts.query else ""), body, headers)
        response = connection.getresponse()
        status = response.status
        response.read(4096)  # a little of the answer, so the connection closes cleanly; the rest is ignored
        if 300 <= status < 400:
            error = "The endpoint answered with a redirect; redirects are not followed."
    except TimeoutError:
        error = f"No answer within {timeout:g} seconds."
    except ConnectionRefusedError:
        error = "The connection was refused."
    except ssl.SSLError as problem:
        error = f"The TLS handshake failed ({problem.reason or problem})."
    except socket.gaierror:
        error = "The host name could not be resolved."
    except (OSError, http.client.HTTPException) as problem:
        error = f"The request failed ({type(problem).__name__}: {problem})."[:300]
    finally:
        connection.close()
    return store.Attempt(status, error, int((time.monotonic() - started) * 1000))


class Sender:
    """One worker's sender; several workers or servers share the outbox safely through the leases. Each start()
    (one per lifespan: tests may run several apps' lifespans at once) runs with its own lease owner and limiter."""

    def __init__(self, db: Database, *, secret_key: str, origin: str = "", policy: Policy | None = None,
                 clock: Callable[[], datetime] = utcnow) -> None:
        self.db, self.secret_key, self.origin = db, secret_key, origin
        self.policy, self.clock = policy or Policy(), clock
        self.owner = secrets.token_hex(8)  # for run_once() called directly
        self._runs: dict[asyncio.AbstractEventLoop, tuple[asyncio.Event, asyncio.Task[None]]] = {}

    def start(self) -> None:
        """Run in the background on the current event loop (the app's lifespan calls it)."""
        loop, stopping = asyncio.get_running_loop(), asyncio.Event()
        self._runs[loop] = (stopping, loop.create_task(self.run(stopping), name="webhook-sender"))

    async def stop(self) -> None:
        """Stop at once: an interrupted POST's lease runs out and it is sent again (same event id)."""
        found = self._runs.pop(asyncio.get_running_loop(), None)
        if found is not None:
            stopping, task = found
            stopping.set()
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def run(self, stopping: asyncio.Event) -> None:
        """Send what is due, then wait for the next poll; a database hiccup is logged and retried next time."""
        owner, limiter = secrets.token_hex(8), CapacityLimiter(self.policy.batch)
        while not stopping.is_set():
            try:
                sent = await self.run_once(owner, limiter)
            except Exception:  # the loop must outlive a locked or unreachable database
                log.exception("webhook sender: could not read the outbox")
                sent = 0
            if not sent:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stopping.wait(), self.policy.poll)

    async def run_once(self, owner: str = "", limiter: CapacityLimiter | None = None) -> int:
        """Claim the due deliveries (up to one batch), send them all at once and settle each; how many."""
        now, owner = self.clock(), owner or self.owner
        if not await run_blocking(self.db, lambda: self._any_due(now)):
            return 0
        claimed = await run_blocking(self.db, lambda: self._claim(now, owner))
        limiter = limiter or CapacityLimiter(self.policy.batch)
        outcomes = await asyncio.gather(*(self.deliver(c, owner, limiter) for c in claimed), return_exceptions=True)
        for problem in (o for o in outcomes if isinstance(o, Exception)):  # that row's lease runs out: sent again
            log.error("webhook sender: could not record an attempt", exc_info=problem)
        return len(claimed)

    def _any_due(self, now: datetime) -> bool:
        with self.db.read() as session:
            return store.any_due(session, now=now)

    def _claim(self, now: datetime, owner: str) -> list[store.Claimed]:
        with self.db.write() as session:
            return store.claim_due(session, owner=owner, now=now, lease_seconds=self.policy.lease,
                                   limit=self.policy.batch)

    async def deliver(self, claimed: store.Claimed, owner: str, limiter: CapacityLimiter) -> str:
        """POST one claimed delivery and record the attempt; returns the delivery's new state."""
        body = event_body(claimed, self.origin)
        secret = store.signing_secret(self.secret_key, claimed.secret_salt)
        headers = signed_headers(claimed, body, secret, int(time.time()))
        attempt = store.Attempt(None, f"No answer within {self.policy.timeout:g} seconds.",
                                int(self.policy.timeout * 1000))
        with move_on_after(self.policy.timeout + 1):  # a hard cap: the socket timeout bounds each read, not all
            attempt = await to_thread.run_sync(post, claimed.url, body, headers, self.policy.timeout,
                                               abandon_on_cancel=True, limiter=limiter)
        now = self.clock()
        retry_at = None
        if not attempt.ok and claimed.attempts + 1 < self.policy.max_attempts:
            retry_at = now + timedelta(seconds=self.policy.retry_delay(claimed.attempts + 1))
        return await run_blocking(self.db, lambda: self._record(claimed, owner, attempt, now, retry_at))

    def _record(self, claimed: store.Claimed, owner: str, attempt: store.Attempt, now: datetime,
                retry_at: datetime | None) -> str:
        with self.db.write() as session:
            return store.record_attempt(session, claimed=claimed, owner=owner, attempt=attempt, now=now,
                                        retry_at=retry_at)


def policy_of(timeout: float, max_attempts: int, retry_seconds: float) -> Policy:
    """The sender's policy from the TUNEWISE_WEBHOOK_* settings, kept within sane bounds."""
    return Policy(timeout=min(max(timeout, 0.2), 60.0), max_attempts=min(max(max_attempts, 1), 50),
                  retry_base=min(max(retry_seconds, 0.01), 86_400.0))
