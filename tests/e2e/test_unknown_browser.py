"""'Not sure' in Chromium, with JavaScript on and off: a fresh step has nothing selected or filled, "Not sure" is a
radio of each question's own group, an empty step saves as "Not sure", numbers come back formatted, and axe-core
finds nothing on a step with "Not sure" chosen or on check-answers full of "Not sure" (issue 11)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from app.engine.bank import load_bank

from .axe import assert_accessible
from .test_wizard_browser import begin, fill_step, save

BANK = load_bank()


def check(page: Page, where: str, js: bool) -> None:
    """axe-core runs as a script in the page: only with JavaScript on (the markup is the same either way)."""
    if js:
        assert_accessible(page, where)


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_not_sure_end_to_end(browser: Browser, live_server: str, shot, js: bool) -> None:
    page = browser.new_context(java_script_enabled=js).new_page()
    begin(page, live_server)
    expect(page.locator("input:checked")).to_have_count(0)
    failure = page.get_by_role("group", name=BANK.questions["failure_mode"].label)
    expect(failure.get_by_role("radio", name="Not sure")).to_be_visible()
    gaps = page.get_by_role("group", name=BANK.questions["gap_types"].label)
    expect(gaps.get_by_text("Not sure")).to_have_count(0)
    fill_step(page, "problem")
    failure.get_by_role("radio", name="Not sure").check()
    check(page, "problem with Not sure chosen", js)
    save(page, "tried")
    save(page, "data")  # nothing chosen: every question of the step is "Not sure"
    expect(page.locator("input:checked")).to_have_count(0)
    expect(page.locator('input[name="labeled_examples"]')).to_have_value("")
    page.fill('input[name="labeled_examples"]', "5x")
    page.get_by_role("button", name="Save and continue").click()
    # a malformed suffix: the message names the field and the reason, and what was typed stays
    expect(page.locator(".error-summary")).to_contain_text("Number of examples")
    expect(page.locator('input[name="labeled_examples"]')).to_have_value("5x")
    check(page, "data with a malformed suffix", js)
    page.fill('input[name="labeled_examples"]', "12 000")
    save(page, "output")
    save(page, "constraints")
    save(page, "review")
    expect(page.get_by_text("12,000 examples")).to_be_visible()
    expect(page.locator("dd", has_text=re.compile("^Not sure$")).first).to_be_visible()
    expect(page.get_by_text(re.compile(r"of your answers are “Not sure”"))).to_be_visible()
    check(page, "review with Not sure answers", js)
    shot(page, "review-not-sure")
    page.goto(page.url.rsplit("/", 1)[0] + "/data")
    expect(page.locator('input[name="labeled_examples"]')).to_have_value("12,000")
    expect(page.get_by_role("group", name=BANK.questions["label_quality"].label)
           .get_by_role("radio", name="Not sure")).to_be_checked()
