"""Issue 15, item 12: /docs was blank (Swagger UI from a CDN that the CSP blocks). In Chromium, under the app's
own CSP, it now lists the API's operations with no CSP violation and no request leaving the server."""

from __future__ import annotations

from playwright.sync_api import Browser, expect

from .test_report_browser import watched


def test_the_api_docs_render_under_the_csp(browser: Browser, live_server: str) -> None:
    page, errors = watched(browser)
    elsewhere: list[str] = []
    page.on("request", lambda r: elsewhere.append(r.url) if not r.url.startswith(live_server) else None)
    page.goto(live_server + "/docs")
    expect(page.locator(".opblock-summary-path").first).to_be_visible(timeout=15_000)
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert any("/api/assessments" in p for p in paths) and any("/api/results" in p for p in paths)
    assert errors == [] and elsewhere == []
