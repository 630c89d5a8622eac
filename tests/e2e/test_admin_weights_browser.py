"""Issue 12 item 11 in Chromium: the weights page in percent with the normalisation shown as it happens (JavaScript
on) or after "Preview impact" (off), the preview beside the fields and sticky on desktop, one column without
sideways scrolling at 390 px, the audit log as sentences; axe-core clean in light and dark, no console error."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from .axe import assert_accessible
from .test_admin_browser import create_admin, sign_in
from .test_report_browser import finish_wizard

DESKTOP, MOBILE = {"width": 1280, "height": 800}, {"width": 390, "height": 844}
TYPED = {"fit": "20", "data": "20", "speed": "20", "cost": "20", "risk": "20", "change": "18"}  # total 118 %
SPEED_FIRST = {"fit": "5", "data": "5", "speed": "60", "cost": "10", "risk": "10", "change": "10"}
MAX_DESKTOP_HEIGHT = 1_600  # px at 1280×800 with the preview filled; the issue measured 3,700 (HEAD: 3,731)
# Init scripts run through the DevTools protocol, before the page's own scripts and outside its CSP.
PROBE = """document.addEventListener('securitypolicyviolation',
  e => console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));"""


def watched(browser: Browser, **options) -> tuple[Page, list[str]]:
    """A page whose console errors and CSP violations are collected (not Chromium's line for an expected 422)."""
    context = browser.new_context(**options)
    context.add_init_script(PROBE)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" and "status of 422" not in m.text
            else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return page, errors


def fill(page: Page, values: dict[str, str]) -> None:
    """Type a percentage per axis into the simple form."""
    for axis, value in values.items():
        page.locator(f'input[name="w_{axis}"]').fill(value)


def axe_light_and_dark(page: Page, where: str) -> None:
    """axe-core in both colour schemes, once no htmx request is in flight (it fades the buttons meanwhile)."""
    page.wait_for_timeout(700)  # past the 500 ms debounce of the last keystroke
    expect(page.locator(".htmx-request")).to_have_count(0)
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        assert_accessible(page, f"{where} ({scheme})")
    page.emulate_media(color_scheme="light")


def test_percent_mode_with_javascript(browser: Browser, live_server: str, tmp_path: Path, shot) -> None:
    finish_wizard(browser.new_context().new_page(), live_server)  # one stored result for the preview to re-rank
    create_admin(tmp_path / "e2e.db")
    page, errors = watched(browser, viewport=DESKTOP)
    sign_in(page, live_server, axe=False)
    page.goto(live_server + "/admin/weights")
    expect(page.locator("#percent-total")).to_have_text("Total: 100 %. The shares are used as typed.")
    expect(page.locator("details.more-methods")).not_to_have_attribute("open", "")
    axe_light_and_dark(page, "admin weights")

    fill(page, TYPED)  # the total and every share follow each keystroke, before any request
    expect(page.locator("#percent-total")).to_contain_text("Total: 118 %. Each share is scaled to make 100 %")
    expect(page.locator("#q-w_fit-used")).to_have_text("used 16.9 %")
    expect(page.locator("#q-w_change-used")).to_have_text("used 15.3 %")
    expect(page.locator("#preview")).to_contain_text("Fit: you typed 20 % → used 16.9 %", timeout=10_000)
    page.locator('input[name="w_fit"]').fill("two")
    expect(page.locator("#percent-total")).to_contain_text("Total: —")
    expect(page.locator("#q-w_fit-used")).to_have_text("")
    expect(page.locator("#preview")).to_contain_text("Fit must be a number from 0 to 100", timeout=10_000)

    fill(page, SPEED_FIRST)
    expect(page.locator("#preview")).to_contain_text("1 of 1", timeout=10_000)
    row = page.locator("#preview table.changes tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(re.compile(r"\d{4}-\d{2}-\d{2}"))  # the result's date, not its id
    assert not re.search(r"\b(PROMPT|RAG|LORA|FULL|HYBRID|INTEGRATION)\b", row.inner_text())
    axe_light_and_dark(page, "admin weights with a preview")

    side, fields = page.locator("aside.weights-side"), page.locator(".weights-fields")
    side_box, fields_box = side.bounding_box(), fields.bounding_box()
    assert side_box and fields_box and side_box["x"] > fields_box["x"] + fields_box["width"] - 1  # beside
    assert side_box["y"] < fields_box["y"] + 200  # level with the fields, not under them
    assert side.evaluate("e => getComputedStyle(e).position") == "sticky"
    height = page.evaluate("document.documentElement.scrollHeight")
    print(f"weights page height at 1280×800: {height} px")
    assert height <= MAX_DESKTOP_HEIGHT, height
    shot(page, "admin-weights-desktop")

    page.get_by_text("More methods").click()
    expect(page.locator("#ahp-title")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("eigenvector")
    page.locator("#ahp-title").scroll_into_view_if_needed()  # far down the fields: the preview stays in view
    assert page.evaluate("() => scrollY") > 1000  # (wait_for_function would eval a string: the CSP refuses)
    box = side.bounding_box()
    assert box and 0 <= box["y"] < 50 and box["height"] <= DESKTOP["height"], box

    page.get_by_role("button", name="Save as draft").first.click()
    page.wait_for_url(re.compile(r"done=saved"))
    page.get_by_role("button", name="Publish the draft").click()
    page.wait_for_url(re.compile(r"done=published"))
    page.goto(live_server + "/admin/audit")
    expect(page.locator("main")).to_contain_text(
        "published weight set 1 (set in percent): Fit 5 %, Data 5 %, Iteration speed 60 %")
    expect(page.locator("details.raw").first).not_to_have_attribute("open", "")
    axe_light_and_dark(page, "admin audit")
    shot(page, "admin-audit-sentences")
    assert not errors, errors


def test_percent_mode_on_a_phone(browser: Browser, live_server: str, tmp_path: Path, shot) -> None:
    finish_wizard(browser.new_context().new_page(), live_server)
    create_admin(tmp_path / "e2e.db")
    page, errors = watched(browser, viewport=MOBILE, is_mobile=True, has_touch=True)
    sign_in(page, live_server, axe=False)
    page.goto(live_server + "/admin/weights")
    fill(page, {**SPEED_FIRST, "change": "28"})  # a total of 118 %, and a changed result listed
    expect(page.locator("#preview")).to_contain_text("you typed 60 % → used 50.8 %", timeout=10_000)
    expect(page.locator("#preview table.changes tbody tr")).to_have_count(1)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= MOBILE["width"], f"sideways scroll: {width} px"
    fields, side = page.locator(".weights-fields").bounding_box(), page.locator("aside.weights-side").bounding_box()
    assert fields and side and side["y"] >= fields["y"] + fields["height"] - 1  # one column: preview below
    axe_light_and_dark(page, "admin weights at 390 px")
    shot(page, "admin-weights-mobile")
    assert not errors, errors


def test_percent_mode_without_javascript_shows_the_rescale(browser: Browser, live_server: str,
                                                           tmp_path: Path) -> None:
    create_admin(tmp_path / "e2e.db")
    page = browser.new_context(java_script_enabled=False, viewport=DESKTOP).new_page()
    sign_in(page, live_server, axe=False)
    page.goto(live_server + "/admin/weights")
    fill(page, TYPED)
    expect(page.locator("#q-w_fit-used")).to_have_text("used 30 %")  # nothing live without JavaScript
    page.get_by_role("button", name="Preview impact").first.click()
    expect(page.locator("#preview")).to_contain_text("The total was 118 %, not 100 %")
    expect(page.locator("#preview")).to_contain_text("Fit: you typed 20 % → used 16.9 %")
    expect(page.locator("#q-w_fit-used")).to_have_text("used 16.9 %")
    expect(page.locator("#percent-total")).to_contain_text("Total: 118 %")
    page.get_by_text("More methods").click()  # details/summary opens without JavaScript
    expect(page.locator("#roc-title")).to_be_visible()
    page.get_by_role("button", name="Save as draft").first.click()
    expect(page.locator("main")).to_contain_text("Your percentages added up to 118 %, so each was scaled")
    page.get_by_role("button", name="Publish the draft").click()
    expect(page.locator("main")).to_contain_text("ublished")
