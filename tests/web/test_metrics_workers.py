"""Issue 14, item 2: with several workers (`tunewise serve --workers 2`), /metrics serves the counts of all of them
(prometheus-client's multiprocess mode), whichever worker answers the scrape."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx2 as httpx
import pytest

from app.cli import metrics_across_workers
from app.settings import ROOT

from ..live import free_port
from .test_metrics import sample

REQUESTS = 48


def serve(database_url: str, log: Path, metrics_dir: Path) -> tuple[subprocess.Popen[bytes], str]:
    """`tunewise serve --workers 2` with metrics on; waits until both workers have started."""
    port = free_port()
    env = {**os.environ, "TUNEWISE_DATABASE_URL": database_url, "TUNEWISE_METRICS": "1", "TUNEWISE_ACCESS_LOG": "0",
           "TUNEWISE_RATE_LIMIT_PER_MINUTE": "100000", "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)}
    with open(log, "ab") as out:
        process = subprocess.Popen([sys.executable, "-m", "app.cli", "serve", "--port", str(port), "--workers", "2"],
                                   cwd=ROOT, env=env, stdout=out, stderr=out)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        if log.read_text().count("Application startup complete") == 2:  # both workers listen
            return process, f"http://127.0.0.1:{port}"
        time.sleep(0.1)
    process.terminate()
    raise TimeoutError(f"the workers did not start; see {log}")


def fresh_get(url: str) -> int:
    """One GET on a new connection, so the kernel may hand it to either worker."""
    with httpx.Client(timeout=10) as client:
        return client.get(url).status_code


def test_every_scrape_shows_the_counts_of_both_workers(database_url: str, tmp_path: Path) -> None:
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    (metrics_dir / "counter_999999.db").write_bytes(b"stale")  # a previous run's file: removed at start
    process, url = serve(database_url, tmp_path / "serve.log", metrics_dir)
    try:
        with ThreadPoolExecutor(8) as pool:
            statuses = list(pool.map(fresh_get, [f"{url}/docs"] * REQUESTS))
        scrapes = [httpx.get(f"{url}/metrics", timeout=10).text for _ in range(4)]
    finally:
        process.terminate()
        process.wait(timeout=15)
    assert statuses == [200] * REQUESTS
    counted = [sample(s, "tunewise_http_requests_total", method="GET", route="/docs", status="200") for s in scrapes]
    assert counted == [REQUESTS] * len(scrapes)
    writers = {p.stem.rsplit("_", 1)[1] for p in metrics_dir.glob("counter_*.db")}
    assert len(writers) == 2 and "999999" not in writers  # both workers counted requests


def test_serve_makes_a_fresh_directory_when_none_is_given(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", "")  # recorded, so the directory set below is undone after
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR")
    metrics_across_workers(1)
    assert "PROMETHEUS_MULTIPROC_DIR" not in os.environ  # one worker: its own registry is the whole truth
    metrics_across_workers(2)
    made = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    assert made.is_dir() and not any(made.iterdir())
