"""The decision page and the admin insight page in Chromium: a decision recorded without JavaScript, axe-core clean
in light and dark (errors included), and nothing wider than a phone."""

from __future__ import annotations

import json
import re
import sqlite3
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from ..scenarios import ALL
from .axe import assert_accessible
from .test_admin_browser import create_admin, sign_in


def decision_url(base: str, database: Path) -> str:
    """A result made through the JSON API; the address of its decision page."""
    body = json.dumps({"team": "Support", "title": "Bot", "answers": ALL[0]["answers"]}).encode()
    request = urllib.request.Request(f"{base}/api/assessments", data=body, method="POST",
                                     headers={"Content-Type": "application/json", "Origin": base})
    with urllib.request.urlopen(request, timeout=10) as response:
        edit = json.load(response)["edit_url"].rsplit("/", 1)[1]
    with sqlite3.connect(database) as db:
        (result_id,) = db.execute("SELECT max(id) FROM result").fetchone()
    return f"{base}/a/{edit}/results/{result_id}/decision"


def test_a_decision_is_recorded_without_javascript(browser: Browser, live_server: str, tmp_path: Path, shot) -> None:
    page = browser.new_context(java_script_enabled=False).new_page()
    page.goto(decision_url(live_server, tmp_path / "e2e.db"))
    page.get_by_label("Accepted").check()
    page.get_by_label("Who owns the decision").fill("Ana, platform lead")
    page.get_by_label("Why").fill("Cheapest option that meets the bar.")
    page.get_by_role("button", name="Save the decision").click()
    expect(page.locator(".notice")).to_have_text("The decision was saved.")
    expect(page.locator(".decision-summary")).to_contain_text("Ana, platform lead")
    page.get_by_label("What you did").select_option(label="Prompt engineering")
    page.get_by_label("It worked", exact=True).check()
    page.get_by_role("button", name="Save the outcome").click()
    expect(page.locator(".decision-summary")).to_contain_text("It worked")
    shot(page, "decision-recorded")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_decision_page_passes_axe(browser: Browser, live_server: str, tmp_path: Path, scheme: str) -> None:
    page = browser.new_context(color_scheme=scheme).new_page()
    page.goto(decision_url(live_server, tmp_path / "e2e.db"))
    assert_accessible(page, f"{scheme}-decision")
    page.get_by_label("Superseded by a newer result").check()
    page.get_by_label("Decided on").fill("2026-12-05")
    page.get_by_label("Revisit by").fill("2026-12-01")
    page.get_by_role("button", name="Save the decision").click()
    expect(page).to_have_title(re.compile("^Error:"))
    assert_accessible(page, f"{scheme}-decision-errors")


def test_decision_and_insight_pages_fit_a_phone(browser: Browser, live_server: str, tmp_path: Path, shot) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    page.goto(decision_url(live_server, tmp_path / "e2e.db"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    create_admin(tmp_path / "e2e.db")
    sign_in(page, live_server, axe=False)
    page.goto(live_server + "/admin/insights")
    expect(page.get_by_role("heading", level=1)).to_have_text("Insights")
    assert_accessible(page, "insights")
    shot(page, "insights-mobile")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"horizontal scrolling on a phone: {width}px"
