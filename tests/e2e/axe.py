"""Run axe-core (vendored from npm) in a page and return its WCAG 2.x A/AA violations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Page

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text()
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


def violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's violations for the WCAG 2.2 A/AA rules, as plain dicts."""
    # Evaluated through the DevTools protocol, so the page's CSP (script-src 'self') does not apply.
    page.evaluate(AXE)
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", TAGS)
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [n["target"] for n in v["nodes"]][:5]} for v in result["violations"]]


def assert_accessible(page: Page, where: str) -> None:
    """Fail with every violation listed."""
    found = violations(page)
    assert not found, f"axe-core violations on {where}: {found}"
