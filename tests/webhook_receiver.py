"""A real HTTP receiver for webhook tests: a stdlib http.server on 127.0.0.1 in a thread, scripted answers."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    """One request as the receiver saw it."""

    path: str
    headers: dict[str, str]
    body: bytes
    at: float


@dataclass
class Script:
    """What the receiver answers: these statuses in turn, then `then`; optionally after a pause."""

    statuses: list[int] = field(default_factory=list)
    then: int = 200
    delay: float = 0.0
    location: str = ""


class Receiver(ThreadingHTTPServer):
    """Records every POST and answers as scripted."""

    daemon_threads = True

    def __init__(self, script: Script | None = None) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.script, self.received, self.lock = script or Script(), [], threading.Lock()
        self.received: list[Received]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hook"

    def next_status(self) -> int:
        with self.lock:
            return self.script.statuses.pop(0) if self.script.statuses else self.script.then

    def wait_for(self, count: int, timeout: float = 10) -> list[Received]:
        """Block until `count` requests arrived (or the timeout); returns what arrived."""
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return list(self.received)


class Handler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:  # noqa: N802  (http.server's name)
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with self.server.lock:
            self.server.received.append(Received(self.path, dict(self.headers.items()), body, time.time()))
        if self.server.script.delay:
            time.sleep(self.server.script.delay)
        status = self.server.next_status()
        self.send_response(status)
        if self.server.script.location:
            self.send_header("Location", self.server.script.location)
        self.send_header("Content-Length", "2")
        self.end_headers()
        with contextlib.suppress(OSError):  # the sender may have given up waiting
            self.wfile.write(b"ok")

    def log_message(self, *_: object) -> None:
        pass


@contextmanager
def receiving(script: Script | None = None) -> Iterator[Receiver]:
    """A started receiver, shut down afterwards."""
    server = Receiver(script)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
