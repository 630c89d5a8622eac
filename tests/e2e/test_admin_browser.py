"""An admin, created from the command line, signs in, changes the weights with the live preview, publishes,
and finds it in the audit log; a report made before stays as it was and re-evaluation shows the difference.
axe-core checks every admin page on the way."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from app.settings import ROOT

from .axe import assert_accessible
from .test_report_browser import finish_wizard

EMAIL, PASSWORD = "lead@example.org", "correct horse battery staple 42"


def create_admin(database: Path) -> None:
    """`tunewise create-admin EMAIL`, the password on standard input."""
    env = {"PATH": "/usr/bin:/bin", "TUNEWISE_DATABASE_URL": f"sqlite:///{database}"}
    done = subprocess.run([sys.executable, "-m", "app.cli", "create-admin", EMAIL], input=PASSWORD + "\n",
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def sign_in(page: Page, base: str, *, axe: bool = True) -> None:
    """The sign-in form (a wrong password first: the error state must be accessible too).

    axe-core runs in the page, so it cannot run where JavaScript is off (evaluate would never return)."""
    page.goto(base + "/admin")
    page.wait_for_url(re.compile("/admin/login"))
    if axe:
        assert_accessible(page, "admin login")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill("not the password at all")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_title(re.compile("^Error:"))
    if axe:
        assert_accessible(page, "admin login error")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile("/admin$"))


def test_admin_changes_weights_with_preview_and_publishes(browser: Browser, live_server: str, tmp_path: Path,
                                                          shot) -> None:
    team_page = browser.new_context().new_page()
    report_url = finish_wizard(team_page, live_server)
    before = team_page.request.get(report_url + ".json").json()
    create_admin(tmp_path / "e2e.db")
    page = browser.new_context().new_page()
    sign_in(page, live_server)
    assert_accessible(page, "admin overview")
    shot(page, "admin-overview")
    page.goto(live_server + "/admin/weights")
    assert_accessible(page, "admin weights")
    direct = page.locator("form", has=page.locator('input[name="w_fit"]'))
    direct.locator('input[name="w_fit"]').fill("two")
    direct.get_by_role("button", name="Save as draft").click()
    expect(page).to_have_title(re.compile("^Error:"))
    assert_accessible(page, "admin weights error")
    direct = page.locator("form", has=page.locator('input[name="w_fit"]'))
    for axis, value in {"fit": "0.05", "data": "0.05", "speed": "0.6", "cost": "0.1", "risk": "0.1",
                        "change": "0.1"}.items():
        direct.locator(f'input[name="w_{axis}"]').fill(value)
    expect(page.locator("#preview")).to_contain_text("1 of 1", timeout=10_000)  # the htmx preview, debounced
    shot(page, "admin-weights-preview")
    direct.get_by_role("button", name="Save as draft").click()
    page.get_by_role("button", name="Publish the draft").click()
    expect(page.locator("main")).to_contain_text("ublished")
    page.goto(live_server + "/admin/audit")
    expect(page.locator("main")).to_contain_text("weights.published")
    assert_accessible(page, "admin audit")
    shot(page, "admin-audit")
    for path in ("/admin/prices", "/admin/assessments", "/admin/admins", "/admin/password"):
        page.goto(live_server + path)
        assert_accessible(page, path)
        shot(page, path.strip("/").replace("/", "-"))
    assert team_page.request.get(report_url + ".json").json()["result"] == before["result"]
    page.goto(live_server + "/admin/assessments")
    page.locator("main table a").first.click()
    page.get_by_role("button", name=re.compile("Re-evaluate")).click()
    expect(page.locator("#changes")).to_be_visible()
    expect(page.locator(".diff")).to_contain_text("Prompt engineering")  # approaches in words, never "PROMPT"
    assert not re.search(r"\b(PROMPT|LORA|FT_FULL|HYBRID|INTEGRATION)\b", page.locator(".diff").inner_text())
    assert_accessible(page, "admin assessment with a re-evaluation")
    shot(page, "admin-reevaluated")


def test_admin_pages_without_javascript(browser: Browser, live_server: str, tmp_path: Path) -> None:
    create_admin(tmp_path / "e2e.db")
    page = browser.new_context(java_script_enabled=False).new_page()
    sign_in(page, live_server, axe=False)
    page.goto(live_server + "/admin/weights")
    direct = page.locator("form", has=page.locator('input[name="w_fit"]'))
    direct.locator('input[name="w_fit"]').fill("0.2")
    direct.get_by_role("button", name="Preview impact").click()
    expect(page.locator("#preview")).to_contain_text("stored results")
    page.goto(live_server + "/admin/weights")
    page.locator("form", has=page.locator('input[name="w_fit"]')).locator('input[name="w_fit"]').fill("0.2")
    page.locator("form", has=page.locator('input[name="w_fit"]')).get_by_role("button", name="Save as draft").click()
    page.get_by_role("button", name="Publish the draft").click()
    expect(page.locator("main")).to_contain_text("ublished")
