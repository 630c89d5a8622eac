"""An admin registers a webhook endpoint in Chromium, copies the secret shown once, sends a test event that a real
receiver gets, and reads the delivery log: axe-core on every state; the same forms work without JavaScript."""

from __future__ import annotations

import re
import time
from pathlib import Path

from playwright.sync_api import Browser, expect

from ..webhook_receiver import receiving
from .axe import assert_accessible
from .test_admin_browser import create_admin, sign_in


def test_an_admin_adds_an_endpoint_and_a_test_event_arrives(browser: Browser, live_server: str,
                                                              tmp_path: Path, shot) -> None:
    create_admin(tmp_path / "e2e.db")
    page = browser.new_page()
    sign_in(page, live_server, axe=False)
    with receiving() as receiver:
        page.get_by_role("link", name="Webhooks").click()
        assert_accessible(page, "webhooks, none yet")
        page.get_by_label("Endpoint URL").fill("http://hooks.example.org/x")
        page.get_by_role("button", name="Add the endpoint").click()
        expect(page).to_have_title(re.compile("^Error:"))
        assert_accessible(page, "webhooks, a refused URL")
        page.get_by_label("Endpoint URL").fill(receiver.url)
        page.get_by_label("Description (optional)").fill("Browser test receiver")
        page.get_by_role("button", name="Add the endpoint").click()
        expect(page.locator("h1")).to_have_text("Endpoint added")
        assert page.get_by_label("Signing secret").input_value().startswith("whsec_")
        assert_accessible(page, "the secret, shown once")
        shot(page, "webhook-secret")
        page.get_by_role("link", name="Back to the webhooks").click()
        page.get_by_role("button", name=re.compile("^Send a test event")).click()
        expect(page.locator(".notice")).to_contain_text("test event is queued")
        assert_accessible(page, "webhooks, one endpoint")
        assert receiver.wait_for(1, timeout=15), "the test event never arrived"
        time.sleep(0.5)  # the sender records the answer right after it
        page.goto(live_server + "/admin/webhooks/deliveries")
        expect(page.locator("table")).to_contain_text("Delivered")
        page.get_by_text("Each attempt").first.click()
        assert_accessible(page, "the delivery log")
        shot(page, "webhook-log")


def test_the_webhook_forms_work_without_javascript(browser: Browser, live_server: str, tmp_path: Path) -> None:
    create_admin(tmp_path / "e2e.db")
    page = browser.new_context(java_script_enabled=False).new_page()
    sign_in(page, live_server, axe=False)
    page.goto(live_server + "/admin/webhooks")
    page.get_by_label("Endpoint URL").fill("https://hooks.example.org/tunewise")
    page.get_by_role("button", name="Add the endpoint").click()
    expect(page.locator("h1")).to_have_text("Endpoint added")
    page.goto(live_server + "/admin/webhooks")
    page.get_by_role("button", name=re.compile("^Disable")).click()
    expect(page.locator(".notice")).to_contain_text("The endpoint is disabled")
    page.get_by_role("button", name=re.compile("^Enable")).click()
    expect(page.locator(".notice")).to_contain_text("The endpoint is enabled")
    page.get_by_role("button", name=re.compile("^Rotate the secret")).click()
    expect(page.locator("h1")).to_have_text("New signing secret")
    page.goto(live_server + "/admin/webhooks")
    page.get_by_role("button", name=re.compile("^Delete")).click()
    expect(page.locator(".notice")).to_contain_text("were deleted")
    expect(page.locator("table")).to_contain_text("No endpoints yet")
