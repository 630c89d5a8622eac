"""Servers and load for `make bench`: uvicorn pinned to core 1, wrk pinned to core 0, both on 127.0.0.1 only."""

from __future__ import annotations

import gzip
import http.client
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.settings import ROOT

HERE = Path(__file__).resolve().parent
HOST = "127.0.0.1"  # never anything else
SERVER_CORE, WRK_CORE = "1", "0"


def free_port() -> int:
    """An unused TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """One uvicorn process (1 worker: the process itself serves) pinned to the server core."""

    name: str
    argv: list[str]
    ready_path: str
    log: Path
    env: dict[str, str] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def start(self, timeout: float = 30) -> None:
        """Start and wait until ready_path answers 200."""
        argv = [a.replace("{port}", str(self.port)) for a in self.argv]
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(["taskset", "-c", SERVER_CORE, *argv], cwd=ROOT, stdout=log, stderr=log,
                                            env={**os.environ, **self.env})
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}; see {self.log}")
            try:
                with urllib.request.urlopen(self.url + self.ready_path, timeout=1) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise TimeoutError(f"{self.name} did not become ready; see {self.log}")

    def stop(self) -> None:
        """SIGTERM this process (only ours), then wait."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)

    def status(self) -> dict[str, int]:
        """VmHWM (peak RSS) and VmRSS of the worker, in kB, from /proc/<pid>/status."""
        assert self.process is not None
        out = {}
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmHWM", "VmRSS"):
                out[key] = int(value.split()[0])
        return out


def hello_server(log: Path) -> Server:
    """The bare Starlette reference, served the way Tunewise is."""
    argv = [sys.executable, "-m", "uvicorn", "bench.hello:app", "--host", HOST, "--port", "{port}",
            "--loop", "uvloop", "--http", "httptools", "--no-access-log", "--no-server-header"]
    return Server("hello", argv, "/hello", log)


def tunewise_server(database_url: str, log: Path) -> Server:
    """Tunewise as `make run` serves it (`tunewise serve`: 1 worker, its masked access log on), production mode."""
    env = {
        "TUNEWISE_DATABASE_URL": database_url, "TUNEWISE_PRODUCTION": "true",
        "TUNEWISE_SECRET_KEY": "bench-" + os.urandom(24).hex(), "TUNEWISE_TIMINGS": "true",
        "TUNEWISE_RATE_LIMIT_PER_MINUTE": "1000000000",  # the routes are measured, not the limiter's 429 (it counts)
        # Loopback over plain HTTP on purpose; the Host the load generators send.
        "TUNEWISE_ALLOW_PLAIN_HTTP": "true", "TUNEWISE_ALLOWED_HOSTS": HOST,
    }
    argv = [sys.executable, "-c", "import sys; from app.cli import main; sys.exit(main())",
            "serve", "--host", HOST, "--port", "{port}"]
    return Server("tunewise", argv, "/healthz", log, env=env)


def wrk(url: str, script: str, args: list[str], *, seconds: float, connections: int = 50) -> dict[str, Any]:
    """One closed-loop wrk run on the load core; the figures its Lua done() printed, plus req/s."""
    assert url.startswith(f"http://{HOST}:"), url
    argv = ["taskset", "-c", WRK_CORE, "wrk", "-t1", f"-c{connections}", f"-d{seconds:g}s", "--timeout", "10s",
            "-s", str(HERE / script), url, "--", *args]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 60, check=False)
    line = next((x for x in done.stdout.splitlines() if x.startswith("BENCH_JSON ")), None)
    if done.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stdout[-500:]} {done.stderr[-500:]}")
    figures: dict[str, Any] = json.loads(line[len("BENCH_JSON "):])
    figures["rps"] = figures["requests"] / (figures["duration_us"] / 1e6)
    return figures


def timings(base: str, *, reset: bool = True) -> dict[str, Any]:
    """The server-side per-route histograms (and clear them, so each run is read on its own)."""
    with urllib.request.urlopen(f"{base}/_timings" + ("?reset=1" if reset else ""), timeout=5) as response:
        data: dict[str, Any] = json.loads(response.read())
        return data


def quiesce(base: str, timeout: float = 60) -> None:
    """Wait until the server has finished what wrk left queued when it stopped (no count moves for 0.3 s)."""
    deadline, last = time.monotonic() + timeout, -1
    while time.monotonic() < deadline:
        total = sum(h["count"] for h in timings(base, reset=False).values())
        if total == last:
            return
        last = total
        time.sleep(0.3)


def loadavg() -> float:
    """The 1-minute load average: other work on this machine shows here."""
    return float(Path("/proc/loadavg").read_text().split()[0])


def fetch(base: str, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """One GET with http.client (no transparent decompression): status, headers, raw body bytes."""
    port = int(base.rsplit(":", 1)[1])
    conn = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def weight(base: str, path: str, headers: dict[str, str] | None = None) -> dict[str, int]:
    """Bytes of one response, raw and as the server's GZipMiddleware sends it with Accept-Encoding: gzip."""
    status, _, raw = fetch(base, path, headers)
    status_gz, head, body = fetch(base, path, {**(headers or {}), "Accept-Encoding": "gzip"})
    assert status == 200 and status_gz == 200, (path[:12], status, status_gz)
    compressed = head.get("content-encoding") == "gzip"
    if compressed:  # pages carry per-request tokens, so compare lengths, not bytes
        assert abs(len(gzip.decompress(body)) - len(raw)) < 200, path[:12]
    return {"raw": len(raw), "gzip": len(body), "gzip_applied": int(compressed)}
