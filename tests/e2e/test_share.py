"""Getting back to the report and sharing it, in Chromium: the address in a read-only field, a Copy button that
works only where JavaScript runs (and is not shown without it); "Your report" on check-answers opens it again.
axe-core checks the share box, check-answers with "Your report", and the manage page."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Browser, Page, expect

from .axe import AXE, TAGS, violations
from .test_report_browser import finish_wizard


def share_box_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's WCAG violations inside the share box only (the rest of the report has its own tests)."""
    page.evaluate(AXE)
    result = page.evaluate("tags => axe.run({include: ['.share-box']}, {runOnly: {type: 'tag', values: tags}})",
                           TAGS)
    return [{"id": v["id"], "nodes": [n["target"] for n in v["nodes"]]} for v in result["violations"]]


def test_share_box_and_copy_with_javascript(browser: Browser, live_server: str) -> None:
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    report = finish_wizard(page, live_server)
    field = page.get_by_label("Address of this report")
    expect(field).to_have_value(report)
    expect(field).to_have_attribute("readonly", "")
    copy = page.locator(".share-box [data-copy]")
    expect(copy).to_have_text("Copy link")
    expect(copy).to_be_visible()
    copy.click()
    expect(copy).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == report
    assert not share_box_violations(page), share_box_violations(page)
    context.close()


def test_share_box_without_javascript(browser: Browser, live_server: str) -> None:
    page = browser.new_context(java_script_enabled=False).new_page()
    report = finish_wizard(page, live_server)
    expect(page.get_by_label("Address of this report")).to_have_value(report)
    expect(page.locator("[data-copy]")).to_have_count(1)
    expect(page.locator("[data-copy]")).to_be_hidden()  # no dead control


def test_your_report_on_check_answers_and_manage(browser: Browser, live_server: str) -> None:
    page = browser.new_context().new_page()
    report = finish_wizard(page, live_server)
    page.go_back()  # the check-answers page the team finished from
    page.wait_for_url(re.compile("/review$"))
    page.reload()
    review = page.url
    section = page.locator(".your-report")
    expect(section).to_contain_text("Your report")
    assert "PROMPT" not in section.inner_text() and "LORA" not in section.inner_text()
    assert not violations(page), violations(page)
    expect(section.get_by_label("Address of your report")).to_have_value(report)
    section.get_by_role("link", name="Open the report").click()  # the address the edit link recomputes
    page.wait_for_url(report)
    expect(page.get_by_label("Address of this report")).to_have_value(page.url)
    page.goto(review.replace("/review", "/manage"))
    expect(page.locator(".link-state").first).to_have_text("Live")
    assert not violations(page), violations(page)
    page.emulate_media(color_scheme="dark")
    assert not violations(page), violations(page)
    page.goto(review)
    assert not violations(page), violations(page)
