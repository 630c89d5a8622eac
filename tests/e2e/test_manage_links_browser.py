"""The manage page's links in Chromium: each address in a labelled read-only field with Open, a Copy button that
works where JavaScript runs and is absent without it; "Your report" on top; axe-core clean in light and dark."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from .axe import assert_accessible
from .test_report_browser import finish_wizard


def manage_page(page: Page, live_server: str) -> tuple[str, str]:
    """Finish the wizard, then open the manage page; returns (report URL, manage URL)."""
    report = finish_wizard(page, live_server)
    page.go_back()
    page.wait_for_url(re.compile("/review$"))
    manage = page.url.replace("/review", "/manage")
    page.goto(manage)
    return report, manage


def test_manage_links_with_javascript(browser: Browser, live_server: str) -> None:
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    report, _ = manage_page(page, live_server)
    links = page.locator(".link-list li")
    expect(links).to_have_count(1)
    field = links.get_by_label(re.compile("^Read-only address, made "))
    expect(field).to_have_value(report)
    expect(field).to_have_attribute("readonly", "")
    expect(links.locator(".link-state")).to_have_text("Live")
    copy = links.locator("[data-copy]")
    expect(copy).to_have_text("Copy link")
    expect(copy).to_be_visible()
    copy.click()
    expect(copy).to_have_text("Copied")
    expect(page.locator("#sr-status")).to_have_text("Link copied to the clipboard.")
    assert page.evaluate("navigator.clipboard.readText()") == report
    expect(page.locator(".your-report").get_by_label("Address of your report")).to_have_value(report)
    assert_accessible(page, "manage page with links")
    page.emulate_media(color_scheme="dark")
    assert_accessible(page, "manage page with links, dark")
    links.get_by_role("link", name=re.compile("^Open")).click()
    page.wait_for_url(report)
    context.close()


def test_manage_links_without_javascript(browser: Browser, live_server: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    report, _ = manage_page(page, live_server)
    expect(page.locator(".link-list").get_by_label(re.compile("^Read-only address"))).to_have_value(report)
    expect(page.get_by_role("button", name="Copy link")).to_have_count(0)  # hidden: not in the accessibility tree
    expect(page.locator("[data-copy]").first).to_be_hidden()
    expect(page.locator(".your-report").get_by_role("link", name="Open the report")).to_have_attribute("href", report)
    context.close()
