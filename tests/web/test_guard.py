"""The header set on every response (pages, fragments, API, static, 404, 500), request limits, methods."""

from __future__ import annotations

import time

import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient

from app.main import create_app

from ..helpers import complete, start

BASE_HEADERS = {
    "x-frame-options": "DENY", "x-content-type-options": "nosniff", "cross-origin-opener-policy": "same-origin",
}


def assert_header_set(response, *, capability: bool = False) -> None:
    """CSP without unsafe-*, frame-ancestors none, nosniff, XFO, COOP and a referrer policy."""
    csp = response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "script-src 'self'" in csp and "object-src 'none'" in csp and "base-uri 'none'" in csp
    for name, value in BASE_HEADERS.items():
        assert response.headers[name] == value, name
    assert response.headers["referrer-policy"] in ("no-referrer", "same-origin")


def test_every_kind_of_response_carries_the_header_set(client: TestClient) -> None:
    edit = start(client)
    complete(client, edit)
    for path in ("/", f"/a/{edit}/problem", f"/a/{edit}/review", f"/a/{edit}/manage", "/healthz",
                 "/static/css/app.css", "/nowhere", f"/a/{'x' * 43}/problem", "/r/" + "x" * 43, "/docs"):
        assert_header_set(client.get(path))
    assert_header_set(client.get(f"/a/{edit}/problem", headers={"HX-Request": "true"}))
    assert_header_set(client.post("/api/assessments", json={}))


def test_capability_pages_are_not_stored_or_indexed(client: TestClient) -> None:
    edit = start(client)
    page = client.get(f"/a/{edit}/problem")
    assert page.headers["cache-control"] == "no-store" and "noindex" in page.headers["x-robots-tag"]
    assert client.get("/r/" + "x" * 43).headers["referrer-policy"] == "no-referrer"


def test_a_crash_is_a_plain_500_with_the_headers_and_no_trace(settings) -> None:
    app = create_app(settings)
    boom = APIRouter()

    @boom.get("/boom")
    def explode() -> None:
        raise RuntimeError("SELECT secret FROM assessment -- Traceback")

    app.include_router(boom)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/boom")
    app.state.db.dispose()
    assert response.status_code == 500
    assert_header_set(response)
    assert ("Traceback" not in response.text and "SELECT" not in response.text
            and "Something went wrong" in response.text)


def test_a_5_mib_body_is_refused_fast_with_413(client: TestClient) -> None:
    edit = start(client)
    started = time.perf_counter()
    response = client.post(f"/a/{edit}/problem", content=b"a=" + b"x" * (5 * 1024 * 1024),
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 413 and time.perf_counter() - started < 2.0
    assert_header_set(response)


def test_too_many_fields_and_invalid_utf8_are_400(client: TestClient) -> None:
    edit = start(client)
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    many = "&".join(f"f{i}=1" for i in range(5000)).encode()
    assert client.post(f"/a/{edit}/problem", content=many[:60_000], headers=form).status_code == 400
    assert client.post(f"/a/{edit}/problem", content=b"team=\xff\xfe", headers=form).status_code == 400


def test_forms_refuse_other_content_types(client: TestClient) -> None:
    edit = start(client)
    for content_type in ("text/plain", "application/json", "multipart/form-data; boundary=x"):
        response = client.post(f"/a/{edit}/problem", content=b"{}", headers={"Content-Type": content_type})
        assert response.status_code == 415, content_type


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH", "TRACE"])
def test_unsupported_methods_are_405(client: TestClient, method: str) -> None:
    edit = start(client)
    token = client.cookies.get("csrftoken")
    for path in (f"/a/{edit}/problem", "/r/" + "x" * 43):
        response = client.request(method, path, headers={"X-CSRF-Token": token or ""})
        assert response.status_code == 405, (method, path, response.status_code)


def test_the_report_refuses_writes(client: TestClient) -> None:
    token = client.get("/").cookies.get("csrftoken") or client.cookies.get("csrftoken")
    response = client.post("/r/" + "x" * 43, data={"csrf_token": token})
    assert response.status_code == 405


def test_csrf_cookie_flags(client: TestClient) -> None:
    client.cookies.clear()
    cookie = client.get("/").headers["set-cookie"]
    assert cookie.startswith("csrftoken=") and "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie


def test_the_access_log_masks_capability_tokens(settings, caplog) -> None:
    app = create_app(settings.model_copy(update={"access_log": True}))
    with TestClient(app) as client, caplog.at_level("INFO", logger="tunewise.access"):
        edit = start(client)
        client.get(f"/a/{edit}/problem")
        client.get("/r/" + "Z" * 43)
    app.state.db.dispose()
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert f"/a/{edit[:4]}…/problem" in text and edit not in text and "Z" * 10 not in text
