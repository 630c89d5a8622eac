"""Faults against a real server: kill -9 mid-storm, a full disk, a database locked by another process,
and a backup under load. Correctness only: integrity ok, nothing acknowledged lost, nothing partial."""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

import httpx2 as httpx
import pytest

from app.store import migrate
from app.store.backup import backup_sqlite, check_copy

from ..live import Server
from ..load.checks import verify
from ..load.harness import CSRF_RE, VERSION_RE, Log, Team

pytestmark = pytest.mark.faults


def storm(server: Server, log: Log, seconds: float, teams: int = 20) -> list[Team]:
    """Teams submitting as fast as they can (no think time) until the deadline."""
    deadline = time.monotonic() + seconds
    crowd = [Team(server.url, log, deadline, seed=100 + i, think=0) for i in range(teams)]
    for team in crowd:
        team.start()
    return crowd


def test_kill_9_three_times_during_a_submit_storm(tmp_path: Path) -> None:
    server, url = serving(tmp_path, "crash.db")
    log = Log()
    restarts = []
    crowd = storm(server, log, seconds=16)
    for delay in (3, 4, 5):
        time.sleep(delay)
        server.kill9()
        restarts.append(server.start())
    for team in crowd:
        team.join(timeout=60)
    server.stop()
    figures = verify(url, log)
    print(f"\nfaults kill-9: {json.dumps(figures)} restarts_s={[round(r, 2) for r in restarts]} "
          f"connection_errors={len(log.errors)} statuses={log.statuses}")
    assert figures["integrity"] == "ok" and figures["fk_problems"] == 0
    assert figures["lost"] == 0 and figures["partial"] == 0 and figures["acked"] > 100
    assert figures["version_sum"] == figures["submissions"] + figures["results"]
    assert not any(status >= 500 for status in log.statuses), log.statuses
    assert max(restarts) < 5


def serving(tmp_path: Path, name: str, **settings: object) -> tuple[Server, str]:
    """A migrated database and a started server on it."""
    url = f"sqlite:///{tmp_path / name}"
    migrate.upgrade(url)
    server = Server(url, log=tmp_path / f"{name}.log", **settings)
    server.start()
    return server, url


def started(server: Server) -> tuple[httpx.Client, str, str]:
    """A client with its CSRF cookie, and a new assessment's edit token."""
    client = httpx.Client(base_url=server.url, follow_redirects=False, timeout=20)
    token = CSRF_RE.search(client.get("/").text).group(1)
    made = client.post("/assessments", data={"csrf_token": token, "team": "T", "title": "X"})
    return client, token, made.headers["location"].split("/")[2]


def page_count(path: Path) -> int:
    """The database's current size in pages."""
    with sqlite3.connect(path) as connection:
        return int(connection.execute("PRAGMA page_count").fetchone()[0])


def test_a_full_disk_gives_503_on_writes_while_reads_work(tmp_path: Path) -> None:
    seeded, url = serving(tmp_path, "full.db")
    _, token, edit = started(seeded)
    seeded.stop()
    path = tmp_path / "full.db"
    # Only a few pages may be added from now on: the "disk" fills within a few writes.
    server = Server(url, log=tmp_path / "server.log", sqlite_max_page_count=page_count(path) + 2)
    server.start()
    client = httpx.Client(base_url=server.url, follow_redirects=False, timeout=10, cookies={"csrftoken": token})
    statuses = []
    for i in range(60):
        made = client.post("/assessments", data={"csrf_token": token, "team": "T" * 100, "title": "Y" * 190 + str(i)})
        statuses.append(made.status_code)
        if made.status_code == 503:
            break
    full = client.post("/assessments", data={"csrf_token": token, "team": "T" * 100, "title": "Z" * 190})
    reads = [client.get(path_).status_code for path_ in ("/", f"/a/{edit}/problem", "/healthz", "/readyz")]
    server.stop()
    assert full.status_code == 503 and full.headers["retry-after"]
    assert "save, try again" in full.text and "Traceback" not in full.text and "disk" not in full.text.lower()
    assert reads == [200, 200, 200, 200]  # a full disk still reads: alive and ready
    check_copy(path)


def test_a_database_locked_by_another_process_gives_503_quickly(tmp_path: Path) -> None:
    server, _ = serving(tmp_path, "locked.db")
    client, token, edit = started(server)
    path = tmp_path / "locked.db"
    outsider = sqlite3.connect(path, timeout=1, isolation_level=None)
    outsider.execute("BEGIN IMMEDIATE")
    try:
        began = time.monotonic()
        page = client.get(f"/a/{edit}/problem")
        data = {"csrf_token": token, "version": VERSION_RE.search(page.text).group(1), "idem": "locked-1",
                "gap_types": "behavior", "failure_mode": "not_observed", "task_stability": "stabilizing"}
        refused = client.post(f"/a/{edit}/problem", data=data)
        waited = time.monotonic() - began
        read = client.get(f"/a/{edit}/problem")
    finally:
        outsider.execute("ROLLBACK")
        outsider.close()
    after = client.post(f"/a/{edit}/problem", data={**data, "idem": "locked-2"})
    server.stop()
    print(f"\nfaults locked: refused with {refused.status_code} after {waited:.2f} s")
    assert refused.status_code == 503 and refused.headers["retry-after"] == "2" and waited < 6
    assert read.status_code == 200
    assert after.status_code == 303


def test_backup_during_load_is_consistent(tmp_path: Path) -> None:
    server, url = serving(tmp_path, "live.db")
    log = Log()
    crowd = storm(server, log, seconds=6, teams=8)
    time.sleep(3)
    acked_before = sum(1 for s in list(log.sent) if s.status == 303)
    copy = backup_sqlite(url, tmp_path / "backup.db")
    for team in crowd:
        team.join(timeout=30)
    server.stop()
    check_copy(copy)
    with sqlite3.connect(copy) as connection:
        stored = connection.execute("SELECT count(*) FROM submission").fetchone()[0]
    print(f"\nfaults backup: {stored} submissions in the copy, {acked_before} acknowledged before it began")
    assert stored >= acked_before
    # A restore is a file copy: the server starts on the copy and serves.
    restored = Server(f"sqlite:///{copy}", log=tmp_path / "restored.log")
    restored.start()
    assert httpx.get(f"{restored.url}/readyz").status_code == 200  # the copy answers, at the newest migration
    restored.stop()
