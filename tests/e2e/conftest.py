"""Browser tests: a real uvicorn process on loopback, driven by Playwright with Debian's Chromium."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.settings import ROOT
from app.store import migrate

from ..live import Server

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
                item.add_marker(pytest.mark.skip(
                    reason="Debian's chromium is not installed (apt-get install chromium)"))


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict:
    """Launch Debian's Chromium, never a downloaded browser."""
    return {"executable_path": CHROMIUM, "args": CHROMIUM_ARGS, "headless": True}


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[str]:
    """A real uvicorn process on a fresh migrated SQLite database; yields its base URL."""
    url = f"sqlite:///{tmp_path / 'e2e.db'}"
    migrate.upgrade(url)
    server = Server(url, log=tmp_path / "server.log")
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture
def shot(request: pytest.FixtureRequest):
    """Save a full-page screenshot as a test artifact: shot(page, "name")."""
    ARTIFACTS.mkdir(exist_ok=True)

    def take(page, name: str) -> None:
        # caret="initial": hiding the caret injects a <style>, which our CSP (rightly) refuses.
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-{name}.png"), full_page=True, caret="initial")

    return take
