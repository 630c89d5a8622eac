"""A variant made from a report, changed, finished and compared with its original, with JavaScript on and off; and a
decision recorded, then shown on the report and in the Markdown record."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, expect

from .axe import assert_accessible
from .test_report_browser import finish_wizard


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_a_variant_is_changed_finished_and_compared(browser: Browser, live_server: str, shot, js: bool) -> None:
    page = browser.new_context(java_script_enabled=js).new_page()
    finish_wizard(page, live_server)
    page.get_by_role("link", name="Try a variant").click()
    page.get_by_role("button", name="Make the variant").click()
    page.wait_for_url(re.compile(r"/a/[^/]+/review$"))
    expect(page.locator("h1")).to_be_visible()
    page.locator('a[href*="/data?return=review"]').first.click()
    page.fill('input[name="labeled_examples"]', "5000")
    page.get_by_role("button", name="Save and return to check answers").click()
    page.wait_for_url(re.compile(r"/review$"))
    page.get_by_role("button", name="Get the recommendation").click()
    page.wait_for_url(re.compile(r"/r/[^/]+$"))
    page.get_by_role("link", name=re.compile("Compare with the original")).click()
    page.wait_for_url(re.compile(r"/compare/origin$"))
    expect(page.locator("table.compare-answers")).to_contain_text("5,000")
    if js:
        assert_accessible(page, "compare-variant")
    shot(page, f"variant-compare-{'js' if js else 'no-js'}")


def test_a_decision_shows_on_the_report_and_in_the_record(browser: Browser, live_server: str) -> None:
    page = browser.new_context(java_script_enabled=False).new_page()
    report = finish_wizard(page, live_server)
    page.go_back()  # the review page of the finished assessment links its manage page
    page.goto(re.sub(r"/review$", "/manage", page.url))
    page.get_by_role("link", name=re.compile("^Record the decision")).first.click()
    page.get_by_label("Accepted").check()
    page.get_by_label("Who owns the decision").fill("Ana")
    page.get_by_role("button", name="Save the decision").click()
    page.goto(report)
    expect(page.locator(".decision-status")).to_contain_text("Status: accepted, owner Ana.")
    record = page.request.get(report + ".md").text()
    assert "* Status: accepted" in record and "(owner: Ana)" in record
