"""L1: 50 simulated teams for 60 s against a real uvicorn process: every step, finish and report.

Asserts correctness only (no 5xx, nothing lost or mixed, integrity ok); latencies are printed, and judged by
`make bench`."""

from __future__ import annotations

import json
import os
import secrets
import time
import urllib.request
from pathlib import Path

import pytest

from app.store import migrate

from ..live import Server
from .checks import verify
from .harness import Log, Team

pytestmark = pytest.mark.load
TEAMS = int(os.environ.get("TUNEWISE_LOAD_TEAMS", "50"))
SECONDS = float(os.environ.get("TUNEWISE_LOAD_SECONDS", "60"))


def timings(base: str) -> dict:
    """The server-side per-route histograms."""
    with urllib.request.urlopen(f"{base}/_timings", timeout=5) as response:
        return json.loads(response.read())


def test_fifty_teams_for_a_minute(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'load.db'}"
    migrate.upgrade(url)
    # Production settings, as reliability.md §5.1 asks (no template mtime checks; the secret is a throwaway).
    server = Server(url, log=tmp_path / "server.log", production="true", secret_key=secrets.token_hex(32),
                    allow_plain_http="true", allowed_hosts="127.0.0.1")  # loopback HTTP on purpose (issue 15)
    server.start()
    log = Log()
    try:
        deadline = time.monotonic() + SECONDS
        teams = [Team(server.url, log, deadline, seed=i) for i in range(TEAMS)]
        for team in teams:
            team.start()
        for team in teams:
            team.join(timeout=SECONDS + 60)
        routes = timings(server.url)
    finally:
        server.stop()
    figures = verify(url, log)
    print(f"\nload: {TEAMS} teams, {SECONDS:.0f} s, statuses {dict(sorted(log.statuses.items()))}")
    print("load: " + json.dumps(figures))
    for route, summary in routes.items():
        print(f"load: {route:45} n={summary['count']:6} p50={summary['p50_ms']} ms p99={summary['p99_ms']} ms")
    for route, (count, p50, p99) in log.client_percentiles().items():
        print(f"load: client {route:38} n={count:6} p50={p50:.1f} ms p99={p99:.1f} ms")
    assert not any(status >= 500 for status in log.statuses), log.statuses
    assert not log.errors, log.errors[:5]
    assert figures["acked"] > 0 and figures["lost"] == 0 and figures["partial"] == 0
    assert figures["integrity"] == "ok" and figures["fk_problems"] == 0
    assert figures["submissions"] >= figures["acked"]
    assert figures["version_sum"] == figures["submissions"] + figures["results"]
