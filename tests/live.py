"""A real uvicorn process on loopback, for browser, load and fault tests (bounded, stops by itself)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from app.engine.rules import load_knowledge
from app.settings import ROOT
from app.store import migrate
from app.store.db import Database
from app.store.results import add_share_link

from .stored import scenarios, seed_results


def free_port() -> int:
    """An unused TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """uvicorn serving create_app() on a given database; start, stop, kill -9, restart."""

    def __init__(self, database_url: str, *, log: Path, **settings: Any) -> None:
        self.database_url, self.log_path, self.port = database_url, log, free_port()
        self.env = {**os.environ, "TUNEWISE_DATABASE_URL": database_url, "TUNEWISE_ACCESS_LOG": "false",
                    "TUNEWISE_TIMINGS": "true", "TUNEWISE_RATE_LIMIT_PER_MINUTE": "1000000",
                    **{f"TUNEWISE_{k.upper()}": str(v) for k, v in settings.items()}}
        self.process: subprocess.Popen[bytes] | None = None
        self.url = f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 20) -> float:
        """Start and wait until /healthz answers; returns the seconds it took."""
        started = time.monotonic()
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "uvicorn", "app.main:create_app", "--factory", "--host", "127.0.0.1",
                 "--port", str(self.port), "--no-access-log", "--timeout-graceful-shutdown", "3"],
                cwd=ROOT, env=self.env, stdout=log, stderr=log,
            )
        while time.monotonic() - started < timeout:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}; see {self.log_path}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=1) as response:
                    if response.status == 200:
                        return time.monotonic() - started
            except OSError:
                time.sleep(0.05)
        raise TimeoutError("server did not become ready")

    def kill9(self) -> None:
        """SIGKILL: the crash an OS or an operator can inflict at any instant."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        """Terminate gracefully (SIGTERM), then make sure it is gone."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill9()


@contextmanager
def fixture_reports(folder: Path, teams: tuple[str, ...]) -> Iterator[dict[str, str]]:
    """A real server on a database holding every fixture scenario; the report URL of each of the teams."""
    url = f"sqlite:///{folder / 'reports.db'}"
    migrate.upgrade(url)
    db = Database(url)
    ids = dict(zip((c["id"] for c in scenarios()), seed_results(db, load_knowledge())))
    with db.write() as session:
        tokens = {team: add_share_link(session, result_id=ids[team], days=None) for team in teams}
    db.dispose()
    server = Server(url, log=folder / "server.log")
    server.start()
    try:
        yield {team: f"{server.url}/r/{token}" for team, token in tokens.items()}
    finally:
        server.stop()
