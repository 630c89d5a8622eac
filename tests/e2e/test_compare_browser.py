"""The compare page in Chromium: axe-clean in light and dark, no horizontal scroll at 390 px, the link form without
JavaScript, and one or two printed pages."""

from __future__ import annotations

import json
import re
import urllib.request

import pytest
from playwright.sync_api import Browser, expect

from ..scenarios import ALL
from .axe import assert_accessible


def created(base: str, case: dict, team: str) -> str:
    """A result made through the JSON API of the live server; returns its view token."""
    body = json.dumps({"team": team, "title": case["title"][:200], "answers": case["answers"]}).encode()
    request = urllib.request.Request(f"{base}/api/assessments", data=body, method="POST",
                                     headers={"Content-Type": "application/json", "Origin": base})
    with urllib.request.urlopen(request, timeout=10) as response:
        return str(json.load(response)["view_url"].rsplit("/", 1)[1])


@pytest.fixture
def pair(live_server: str) -> tuple[str, str]:
    first = ALL[0]
    second = next(c for c in ALL if first["expected"] not in c["acceptable"])
    return created(live_server, first, "Before"), created(live_server, second, "After")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_compare_page_and_its_form_pass_axe(browser: Browser, live_server: str, pair, shot, scheme: str) -> None:
    a, b = pair
    page = browser.new_context(color_scheme=scheme).new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{live_server}/r/{a}/compare")
    assert_accessible(page, f"{scheme}-compare-form")
    page.get_by_label("Link of the other report").fill("not a link")
    page.get_by_role("button", name="Compare").click()
    expect(page).to_have_title(re.compile("^Error:"))
    assert_accessible(page, f"{scheme}-compare-form-error")
    page.get_by_label("Link of the other report").fill(f"{live_server}/r/{b}")
    page.get_by_role("button", name="Compare").click()
    page.wait_for_url(f"{live_server}/r/{a}/compare/{b}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Compare two results")
    assert_accessible(page, f"{scheme}-compare")
    shot(page, f"{scheme}-compare")
    # The one deliberate 422 above is logged by Chromium as a failed resource load; nothing else may be.
    assert [e for e in errors if "status of 422" not in e] == []


def test_on_a_phone_without_javascript_nothing_scrolls_sideways(browser: Browser, live_server: str, pair,
                                                                  shot) -> None:
    a, b = pair
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server}/r/{a}/compare/{b}")
    expect(page.locator(".compare-card").first).to_be_visible()
    shot(page, "mobile-compare")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"horizontal scrolling on a phone: {width}px"


def test_it_prints_on_one_or_two_pages(browser: Browser, live_server: str, pair) -> None:
    a, b = pair
    page = browser.new_page()
    page.goto(f"{live_server}/r/{a}/compare/{b}")
    pdf = page.pdf(format="A4", print_background=True)
    pages = len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf))
    assert 1 <= pages <= 2, f"{pages} printed pages"
