"""The report in a meeting: opened from the view link in another browser, printed to PDF; a double-clicked
submit stores one answer set; the CSP holds on every page (any violation fails)."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from .conftest import ARTIFACTS
from .test_wizard_browser import ANSWERS, begin, fill_step, save

CSP_PROBE = ("document.addEventListener('securitypolicyviolation', "
             "e => console.error('CSP violation: ' + e.violatedDirective))")


def watched(browser: Browser, **options) -> tuple[Page, list[str]]:
    """A page whose console errors (CSP violations included) are collected."""
    context = browser.new_context(**options)
    context.add_init_script(CSP_PROBE)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" and "CSP" in m.text else None)
    return page, errors


def finish_wizard(page: Page, base: str) -> str:
    """Complete every step and finish; returns the report's URL."""
    begin(page, base)
    steps = list(ANSWERS)
    for index, step in enumerate(steps):
        fill_step(page, step)
        save(page, steps[index + 1] if index + 1 < len(steps) else "review")
    page.get_by_role("button", name="Get the recommendation").click()
    page.wait_for_url(re.compile("/r/"))
    return page.url


def test_report_opens_elsewhere_and_prints(browser: Browser, live_server: str, shot) -> None:
    team, errors = watched(browser)
    report_url = finish_wizard(team, live_server)
    meeting, more_errors = watched(browser)
    meeting.goto(report_url)
    expect(meeting.locator("h1")).to_contain_text("Support platform")
    expect(meeting.locator(".verdict-main")).to_be_visible()
    meeting.locator("summary", has=meeting.locator("#radar-h")).click()  # the detail starts collapsed
    expect(meeting.locator("svg.radar-svg")).to_be_visible()
    expect(meeting.get_by_role("table").first).to_be_visible()
    shot(meeting, "report")
    meeting.emulate_media(media="print")
    shot(meeting, "report-print")
    pdf = ARTIFACTS / "report.pdf"
    meeting.pdf(path=str(pdf), format="A4", print_background=False)
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and 1 <= len(re.findall(rb"/Type\s*/Page[^s]", data)) <= 2  # the handout
    assert not errors and not more_errors, errors + more_errors


def test_report_without_javascript(browser: Browser, live_server: str) -> None:
    page = browser.new_context(java_script_enabled=False).new_page()
    report_url = finish_wizard(page, live_server)
    other = browser.new_context(java_script_enabled=False).new_page()
    other.goto(report_url)
    expect(other.locator("h1")).to_contain_text("Support platform")
    other.goto(report_url + ".md")
    assert "Decision Outcome" in other.content()


def test_double_clicked_submit_stores_one_answer_set(browser: Browser, live_server: str, tmp_path: Path) -> None:
    page, _ = watched(browser)
    begin(page, live_server)
    fill_step(page, "problem")
    page.get_by_role("button", name="Save and continue").dblclick()
    page.wait_for_url(re.compile("/tried$"))
    expect(page.locator("h1")).to_have_text("What you have tried")
    with sqlite3.connect(tmp_path / "e2e.db") as connection:  # live_server's database (same tmp_path)
        submissions = connection.execute("SELECT count(*) FROM submission WHERE step = 'problem'").fetchone()[0]
        version = connection.execute("SELECT version FROM assessment").fetchone()[0]
    assert submissions == 1 and version == 1
