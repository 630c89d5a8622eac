"""Admin single sign-on in Chromium against a real OpenID provider (oidc-provider from npm, its development login
form): an allowed person signs in (JavaScript off), an outsider is refused, a tampered state and a replayed code
are refused, and password sign-in can be switched off. axe-core checks the sign-in and refusal pages."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urljoin

import pytest
from playwright.sync_api import Browser, Page, Route, expect

from app.store import migrate

from ..live import Server
from .axe import assert_accessible
from .oidc.server import ALLOWED_EMAIL, OUTSIDER, Provider, node_ready

CALLBACK = re.compile(r"/admin/oidc/callback\?")


@contextmanager
def app_with_provider(tmp_path: Path, **settings: str) -> Iterator[Server]:
    """A live Tunewise whose single sign-on points at a live oidc-provider (each on a free loopback port)."""
    node_ready()
    url = f"sqlite:///{tmp_path / 'sso.db'}"
    migrate.upgrade(url)
    server = Server(url, log=tmp_path / "server.log", **settings)
    provider = Provider(server.url + "/admin/oidc/callback", log=tmp_path / "provider.log")
    provider.start()
    server.env.update({f"TUNEWISE_{k.upper()}": v for k, v in provider.settings(server.url).items()})
    try:
        server.start()
        yield server
    finally:
        server.stop()
        provider.stop()


@pytest.fixture(scope="module")
def live_sso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One app and provider for the tests below (each test has its own browser context, so its own cookies)."""
    with app_with_provider(tmp_path_factory.mktemp("sso")) as server:
        yield server.url


def sign_in_at_provider(page: Page, login: str) -> None:
    """The provider's development forms: any password; then the consent screen, when it asks."""
    page.locator("input[name=login]").fill(login)
    page.locator("input[name=password]").fill("any password will do")
    page.get_by_role("button", name="Sign-in").click()
    consent = page.get_by_role("button", name="Continue")
    if consent.count():
        consent.click()


def start_single_sign_on(page: Page, base: str) -> None:
    page.goto(base + "/admin/audit")
    page.wait_for_url(re.compile("/admin/login"))
    page.get_by_role("link", name="Sign in with single sign-on").click()
    page.wait_for_url(re.compile(r"/interaction/"))


def test_an_allowed_admin_signs_in_without_javascript(browser: Browser, live_sso: str) -> None:
    page = browser.new_context(java_script_enabled=False).new_page()
    start_single_sign_on(page, live_sso)
    sign_in_at_provider(page, "ada")
    page.wait_for_url(re.compile(r"/admin/audit$"))  # the page they asked for, after the callback page moved on
    expect(page.get_by_text(f"Signed in as {ALLOWED_EMAIL}")).to_be_visible()
    expect(page.locator("td", has_text="login.sso").first).to_be_visible()


def test_an_outsider_is_refused_with_a_page(browser: Browser, live_sso: str) -> None:
    page = browser.new_context().new_page()
    page.goto(live_sso + "/admin/login")
    assert_accessible(page, "admin login with single sign-on")
    start_single_sign_on(page, live_sso)
    with page.expect_response(CALLBACK) as answer:
        sign_in_at_provider(page, OUTSIDER)
    assert answer.value.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Single sign-on refused")
    expect(page.get_by_text("mallory@example.test signed in at the provider but is not allowed")).to_be_visible()
    assert_accessible(page, "single sign-on refused")
    page.get_by_role("link", name="Back to the sign-in page").click()
    page.wait_for_url(re.compile("/admin/login$"))


def hold_callback(page: Page, captured: list[str]) -> None:
    """Stop the provider's answer before it reaches Tunewise, so a test can change it. Playwright cannot
    intercept a redirect, so the provider's form POSTs are replayed here hop by hop with the browser's cookies
    until a hop points at the callback; the browser gets that hop's other targets as a normal redirect."""
    provider = page.url.split("/interaction/")[0]

    def handle(route: Route) -> None:
        answer = route.fetch(max_redirects=0)
        while answer.status in (302, 303) and not captured:
            target = urljoin(answer.url, answer.headers["location"])
            if CALLBACK.search(target):
                captured.append(target)
                route.fulfill(status=200, content_type="text/plain", body="held by the test")
                return
            answer = page.request.get(target, max_redirects=0)
        route.fulfill(response=answer)

    page.route(re.compile(re.escape(provider) + r"/interaction/"),
               lambda route: handle(route) if route.request.method == "POST" else route.continue_())


def test_a_tampered_state_is_refused(browser: Browser, live_sso: str) -> None:
    page = browser.new_context().new_page()
    captured: list[str] = []
    start_single_sign_on(page, live_sso)
    hold_callback(page, captured)
    sign_in_at_provider(page, "ada")
    expect(page.get_by_text("held by the test")).to_be_visible()
    page.unroute_all()
    original = captured[0]
    state = re.search(r"state=([^&]+)", original)
    assert state
    answer = page.goto(original.replace(f"state={state.group(1)}", "state=" + "A" * len(state.group(1))))
    assert answer is not None and answer.status == 400
    expect(page.get_by_text("the state does not match")).to_be_visible()
    answer = page.goto(original)  # the genuine answer, afterwards: the pending sign-in ended with the refusal
    assert answer is not None and answer.status == 400
    expect(page.get_by_text("No single sign-on is in progress in this browser")).to_be_visible()
    assert page.goto(live_sso + "/admin") and "/admin/login" in page.url


def test_a_replayed_code_is_refused(browser: Browser, live_sso: str) -> None:
    context = browser.new_context()
    page = context.new_page()
    start_single_sign_on(page, live_sso)
    pending = next(c for c in context.cookies() if c["name"] == "oidc")
    with page.expect_request(CALLBACK) as callback:
        sign_in_at_provider(page, "ada")
    page.wait_for_url(re.compile(r"/admin/audit$"))
    answer = page.goto(callback.value.url)  # the same browser again: its pending sign-in is used up
    assert answer is not None and answer.status == 400
    thief = browser.new_context()  # someone who copied both the callback URL and the pending cookie
    thief.add_cookies([{"name": "oidc", "value": pending["value"], "url": live_sso}])
    stolen = thief.new_page()
    answer = stolen.goto(callback.value.url)
    assert answer is not None and answer.status == 400
    expect(stolen.get_by_text("did not accept this sign-in code")).to_be_visible()
    assert stolen.goto(live_sso + "/admin") and "/admin/login" in stolen.url


def test_password_sign_in_switched_off(browser: Browser, tmp_path: Path) -> None:
    with app_with_provider(tmp_path, password_login="false") as server:
        page = browser.new_context().new_page()
        page.goto(server.url + "/admin/login")
        expect(page.get_by_label("Password")).to_have_count(0)
        expect(page.get_by_text("Password sign-in is switched off")).to_be_visible()
        assert_accessible(page, "admin login, single sign-on only")
        start_single_sign_on(page, server.url)
        sign_in_at_provider(page, "grace")  # in the admin group, not on the email list
        page.wait_for_url(re.compile(r"/admin/audit$"))
        expect(page.get_by_text("Signed in as grace@example.test")).to_be_visible()
