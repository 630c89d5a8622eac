"""Issue 15, item 4: `tunewise serve` trusted X-Forwarded-For from loopback by default, so a client on the same
host chose its own address for the throttles (12 of 12 sign-ins got through). Now proxy headers are read only from
the addresses in TUNEWISE_FORWARDED_ALLOW_IPS, and not at all by default."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx2 as httpx

from app.cli import proxy_options
from app.settings import ROOT

from ..conftest import csrf_of
from ..live import free_port


@contextmanager
def serving(database_url: str, log: Path, **env: str) -> Iterator[str]:
    """`tunewise serve` itself (not uvicorn's defaults from a test harness) on a free loopback port."""
    port = free_port()
    environment = {**os.environ, "TUNEWISE_DATABASE_URL": database_url, "TUNEWISE_ACCESS_LOG": "false", **env}
    with open(log, "ab") as out:
        process = subprocess.Popen([sys.executable, "-m", "app.cli", "serve", "--port", str(port)], cwd=ROOT,
                                   env=environment, stdout=out, stderr=out)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def sign_ins(url: str, count: int) -> list[int]:
    """`count` wrong sign-ins, each claiming another client address in X-Forwarded-For."""
    with httpx.Client(base_url=url, timeout=10) as client:
        token = csrf_of(client.get("/admin/login").text)
        return [client.post("/admin/login", headers={"X-Forwarded-For": f"198.51.100.{i}"},
                            data={"csrf_token": token, "email": f"x{i}@example.org", "password": "wrong wrong wrong"}
                            ).status_code for i in range(count)]


def test_forwarded_headers_are_ignored_by_default(database_url: str, tmp_path: Path) -> None:
    with serving(database_url, tmp_path / "serve.log") as url:
        codes = sign_ins(url, 12)
    assert codes[:10] == [422] * 10 and codes[10:] == [429, 429]  # one address: 10 sign-in posts a minute
    assert "X-Forwarded-For ignored" in (tmp_path / "serve.log").read_text()


def test_a_named_proxy_is_trusted(database_url: str, tmp_path: Path) -> None:
    with serving(database_url, tmp_path / "serve.log", TUNEWISE_FORWARDED_ALLOW_IPS="127.0.0.1") as url:
        codes = sign_ins(url, 12)
    assert codes == [422] * 12  # each forwarded address has its own budget


def test_proxy_options() -> None:
    assert proxy_options("") == {"proxy_headers": False}
    assert proxy_options(" 10.0.0.1,10.0.0.2 ") == {"proxy_headers": True, "forwarded_allow_ips": "10.0.0.1,10.0.0.2"}
