"""Zero CSP violations and zero console errors, with JavaScript on, on every page a person reaches: the landing
page, every wizard step through htmx swaps (next, back, a 422), check-answers, the report, the manage page, the
admin pages after sign-in and the error pages. The CSP is style-src 'self': an inline style (htmx's indicator
<style>, a style="…" attribute) or an inline handler (hx-on) would show here."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Browser, ConsoleMessage, Page, expect

from .test_admin_browser import create_admin, sign_in
from .test_wizard_browser import begin, fill_step, save

PROBE = ("document.addEventListener('securitypolicyviolation', e => console.error("
         "'securitypolicyviolation ' + e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sourceFile))")
# The one console error a page cannot avoid: the browser reports the status of a response we asked for on purpose
# (the 404 page, the 422 of a bad number). Anything else fails.
EXPECTED = re.compile(r"^Failed to load resource: the server responded with a status of (404|422) ")


class Console:
    """Every console error and uncaught exception of a page, CSP violations included."""

    def __init__(self, page: Page) -> None:
        self.errors: list[str] = []
        self.expected: list[str] = []
        page.on("console", self._message)
        page.on("pageerror", lambda error: self.errors.append(f"uncaught: {error}"))

    def _message(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            kept = self.expected if EXPECTED.match(message.text) else self.errors
            kept.append(f"{message.text} ({message.location})")


def watched(browser: Browser) -> tuple[Page, Console]:
    """A page with JavaScript on, the CSP probe installed before any script of the page runs."""
    context = browser.new_context()
    context.add_init_script(PROBE)
    page = context.new_page()
    return page, Console(page)


def swap_through_the_wizard(page: Page, base: str) -> str:
    """Every step by htmx swaps, with Back, a 422 and a Change from check-answers; returns the edit link."""
    edit = begin(page, base)
    fill_step(page, "problem")
    save(page, "tried")
    page.get_by_role("link", name="Back").click()  # an htmx GET swap
    page.wait_for_url(re.compile("/problem$"))
    expect(page.locator("h1")).to_have_text("The problem")
    save(page, "tried")
    fill_step(page, "tried")
    save(page, "data")
    page.fill('input[name="labeled_examples"]', "lots")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator(".error-summary")).to_be_visible()  # the 422 swap
    fill_step(page, "data")
    save(page, "output")
    fill_step(page, "output")
    save(page, "constraints")
    fill_step(page, "constraints")
    save(page, "review")
    page.get_by_role("link", name="Change expected calls per month at steady state").click()
    page.wait_for_url(re.compile(r"/output\?return=review"))
    page.get_by_role("button", name="Save and return to check answers").click()
    page.wait_for_url(re.compile("/review$"))
    return edit


def test_no_csp_violation_or_console_error_on_any_page(browser: Browser, live_server: str, tmp_path: Path) -> None:
    page, console = watched(browser)
    edit = swap_through_the_wizard(page, live_server)
    page.get_by_role("button", name="Get the recommendation").click()
    page.wait_for_url(re.compile("/r/"))
    report = page.url
    expect(page.locator("h1").first).to_be_visible()
    for path in (edit + "/manage", edit + "/review", edit + "/problem", report, live_server + "/"):
        page.goto(path)
        page.wait_for_load_state("load")
    page.goto(live_server + "/r/" + "x" * 43)  # an unknown view link: the 404 page
    expect(page.locator("h1")).to_have_text(re.compile("not found", re.I))
    page.goto(live_server + "/a/" + "y" * 43 + "/problem")
    create_admin(tmp_path / "e2e.db")
    sign_in(page, live_server, axe=False)
    for path in ("/admin", "/admin/weights", "/admin/prices", "/admin/assessments", "/admin/admins",
                 "/admin/audit", "/admin/password"):
        page.goto(live_server + path)
        page.wait_for_load_state("load")
    page.goto(live_server + "/admin/assessments")
    page.locator("main table a").first.click()
    page.wait_for_load_state("load")
    assert not console.errors, console.errors
    assert any("404" in e for e in console.expected) and any("422" in e for e in console.expected)
