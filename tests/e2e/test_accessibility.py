"""axe-core on every wizard and report page and state (errors included), in light and dark schemes,
keyboard-only completion, and a mobile viewport. Screenshots of every page are written as artifacts."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from .axe import assert_accessible
from .test_wizard_browser import ANSWERS, begin, fill_step, save

STEPS = list(ANSWERS)


def check(page: Page, shot, name: str) -> None:
    """axe-core must find nothing; keep a screenshot."""
    assert_accessible(page, name)
    shot(page, name)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_page_and_state_passes_axe(browser: Browser, live_server: str, shot, scheme: str) -> None:
    page = browser.new_context(color_scheme=scheme).new_page()
    page.goto(live_server + "/")
    check(page, shot, f"{scheme}-landing")
    page.get_by_role("button", name="Start").click()
    expect(page).to_have_title(re.compile("^Error:"))
    check(page, shot, f"{scheme}-landing-error")
    edit = begin(page, live_server)
    for index, step in enumerate(STEPS):
        check(page, shot, f"{scheme}-{step}")
        if step == "problem":
            page.get_by_role("button", name="Save and continue").click()
            expect(page.locator(".error-summary")).to_be_visible()
            check(page, shot, f"{scheme}-{step}-error")
        if step == "constraints":
            page.locator("details.advanced summary").click()
            check(page, shot, f"{scheme}-{step}-advanced")
        fill_step(page, step)
        save(page, STEPS[index + 1] if index + 1 < len(STEPS) else "review")
    check(page, shot, f"{scheme}-review")
    page.get_by_role("button", name="Get the recommendation").click()
    page.wait_for_url(re.compile("/r/"))
    check(page, shot, f"{scheme}-report")
    page.goto(edit + "/manage")
    check(page, shot, f"{scheme}-manage")
    page.goto(live_server + "/r/" + "x" * 43)
    check(page, shot, f"{scheme}-not-found")


def test_keyboard_only_completion(browser: Browser, live_server: str) -> None:
    page = browser.new_context().new_page()
    begin(page, live_server)
    for index, step in enumerate(STEPS):
        fill_step(page, step)
        button = page.get_by_role("button", name="Save and continue")
        button.focus()
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(f"/{STEPS[index + 1] if index + 1 < len(STEPS) else 'review'}$"))
        if index + 1 < len(STEPS):
            expect(page.locator("h1")).to_be_focused()  # focus moved to the new step's heading
    page.get_by_role("button", name="Get the recommendation").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile("/r/"))


def test_tab_reaches_every_control_in_order(browser: Browser, live_server: str) -> None:
    page = browser.new_context().new_page()
    begin(page, live_server)
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()
    seen = []
    for _ in range(40):
        page.keyboard.press("Tab")
        seen.append(page.evaluate("document.activeElement.name || document.activeElement.textContent.trim()"))
    assert "gap_types" in seen and "failure_mode" in seen and "Save and continue" in seen


def test_mobile_viewport(browser: Browser, live_server: str, shot) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    begin(page, live_server)
    check(page, shot, "mobile-problem")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"horizontal scrolling on a phone: {width}px"
    for index, step in enumerate(STEPS):
        fill_step(page, step)
        save(page, STEPS[index + 1] if index + 1 < len(STEPS) else "review")
    page.get_by_role("button", name="Get the recommendation").click()
    page.wait_for_url(re.compile("/r/"))
    check(page, shot, "mobile-report")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
