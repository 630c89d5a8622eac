"""Browser tests: a real uvicorn process on loopback, driven by Playwright with Debian's Chromium."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Iterator

import pytest

from app import migrate
from app.settings import ROOT

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
ARTIFACTS = ROOT / "test-artifacts"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test here e2e; without Chromium they skip locally but fail in CI."""
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)
            if not Path(CHROMIUM).exists() and not os.environ.get("CI"):
                item.add_marker(pytest.mark.skip(reason="Debian's chromium is not installed (apt-get install chromium)"))


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict:
    """Launch Debian's Chromium, never a downloaded browser."""
    return {"executable_path": CHROMIUM, "args": CHROMIUM_ARGS, "headless": True}


def free_port() -> int:
    """An unused TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_ready(url: str, process: subprocess.Popen, seconds: float = 20) -> None:
    """Poll /healthz until the server answers."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError("server did not become ready")


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[str]:
    """A real uvicorn process on a fresh migrated SQLite database; yields its base URL."""
    url = f"sqlite:///{tmp_path / 'e2e.db'}"
    migrate.upgrade(url)
    port = free_port()
    env = {**os.environ, "TUNEWISE_DATABASE_URL": url, "TUNEWISE_ACCESS_LOG": "false"}
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "app.main:create_app", "--factory", "--host", "127.0.0.1",
         "--port", str(port), "--no-access-log"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base, process)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def shot(request: pytest.FixtureRequest):
    """Save a full-page screenshot as a test artifact: shot(page, "name")."""
    ARTIFACTS.mkdir(exist_ok=True)

    def take(page, name: str) -> None:
        # caret="initial": hiding the caret injects a <style>, which our CSP (rightly) refuses.
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-{name}.png"), full_page=True, caret="initial")

    return take
