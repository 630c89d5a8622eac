"""Issue 15, items 9, 11, 14 and 15 at the edge (web/guard.py): the Host header, a slow body, the CSRF cookie, and
HEAD."""

from __future__ import annotations

import re
import socket
import time
from pathlib import Path

import anyio
import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings
from app.store import migrate
from app.web.guard import Guard

from ..conftest import csrf_of
from ..helpers import complete, run_async, start
from ..live import Server
from .test_guard import assert_header_set

EVIL = {"Host": "evil.example"}


def test_an_unknown_host_is_refused(client: TestClient) -> None:
    """Issue 15, item 9: the Host header went into absolute URLs (redirects, the API's links, the edit link)."""
    edit = start(client)
    for method, path in (("GET", "/"), ("GET", f"/a/{edit}/problem"), ("GET", "/admin/"), ("POST", "/api/assessments")):
        response = client.request(method, path, headers=EVIL, json={}, follow_redirects=False)
        assert response.status_code == 400 and "evil" not in response.text, path
        assert_header_set(response)
    assert client.get("/healthz", headers=EVIL).status_code == 200  # the container health check may use any name


def test_with_a_public_origin_every_absolute_url_uses_it(settings: Settings) -> None:
    app = create_app(settings.model_copy(update={"public_origin": "https://tunewise.example.org", "https": True}))
    with TestClient(app, base_url="https://tunewise.example.org") as client:
        body = {"team": "T", "title": "X", "answers": {"gap_types": ["behavior"]}}
        made = client.post("/api/assessments", json=body, headers=EVIL).json()
        assert made["edit_url"].startswith("https://tunewise.example.org/a/")
        assert made["view_url"].startswith("https://tunewise.example.org/r/")
        edit = made["edit_url"].rsplit("/", 1)[1]
        page = client.get(f"/a/{edit}/problem", headers=EVIL).text
        assert "evil.example" not in page and f"https://tunewise.example.org/a/{edit}" in page
        slash = client.get("/readyz/", headers=EVIL, follow_redirects=False)
        assert slash.status_code in (307, 308) and slash.headers["location"].startswith("https://tunewise.example.org")
        foreign = client.post("/api/assessments", json=body, headers={"Origin": "https://evil.example"})
        assert foreign.status_code == 403
    app.state.db.dispose()


def test_a_body_that_does_not_arrive_in_time_gets_408() -> None:
    """Issue 15, item 11: no timeout on reading a body (20 slow-body connections stayed open for 30 s)."""
    sent: list[dict] = []

    async def app(scope, receive, send) -> None:  # pragma: no cover - never reached
        raise AssertionError("the app must not see a body that never came")

    async def receive() -> dict:
        await anyio.sleep(3600)
        return {}

    async def send(message: dict) -> None:
        sent.append(message)

    guard = Guard(app, max_body=1000, https=False, public_origin="", hosts=("testserver",), body_timeout=0.2)
    scope = {"type": "http", "method": "POST", "path": "/assessments", "headers": [(b"host", b"testserver"),
             (b"content-length", b"100")], "query_string": b"", "scheme": "http", "client": ("1.2.3.4", 1)}
    started = time.monotonic()
    run_async(guard(scope, receive, send))
    assert time.monotonic() - started < 2 and sent[0]["status"] == 408
    assert (b"connection", b"close") in sent[0]["headers"]


def test_a_slow_body_connection_is_closed(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'slow.db'}"
    migrate.upgrade(url)
    server = Server(url, log=tmp_path / "server.log", body_timeout_seconds=1)
    server.start()
    try:
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
            sock.sendall(b"POST /assessments HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n"
                         b"Content-Type: application/x-www-form-urlencoded\r\n\r\nteam=")
            started, answer = time.monotonic(), b""
            while chunk := sock.recv(4096):  # the server answers, then closes the connection
                answer += chunk
            waited = time.monotonic() - started
    finally:
        server.stop()
    assert answer.startswith(b"HTTP/1.1 408") and 0.8 < waited < 4


def test_a_short_csrf_cookie_never_passes(client: TestClient) -> None:
    """Issue 15, item 14: a cookie under 32 characters was still compared with the form's token."""
    client.cookies.set("csrftoken", "abc")
    response = client.post("/assessments", data={"csrf_token": "abc", "team": "T", "title": "X"},
                           follow_redirects=False)
    assert response.status_code == 403
    assert re.match(r"csrftoken=[A-Za-z0-9_-]{43};", response.headers["set-cookie"])  # a fresh one replaces it


def test_over_https_the_csrf_cookie_is_host_prefixed(settings: Settings) -> None:
    app = create_app(settings.model_copy(update={"https": True}))
    with TestClient(app, base_url="https://testserver") as client:
        cookie = client.get("/").headers["set-cookie"]
        assert cookie.startswith("__Host-csrftoken=") and "; Secure" in cookie and "Path=/" in cookie
        assert "Domain" not in cookie
        edit = start(client)  # the form token matches the __Host- cookie
        assert client.get(f"/a/{edit}/problem").status_code == 200
    app.state.db.dispose()


@pytest.mark.parametrize("path", ["/", "/healthz", "/docs", "/static/css/app.css", "/openapi.json"])
def test_head_answers_like_get_without_a_body(client: TestClient, path: str) -> None:
    """Issue 15, item 15: HEAD on GET routes answered 405."""
    got, head = client.get(path), client.head(path)
    assert head.status_code == got.status_code == 200 and head.content == b""
    assert head.headers["content-type"] == got.headers["content-type"]
    assert head.headers.get("content-length") == got.headers.get("content-length")


def test_head_on_pages_behind_links(client: TestClient) -> None:
    edit = start(client)
    complete(client, edit)
    assert client.head(f"/a/{edit}/problem").status_code == 200
    assert client.head(f"/a/{edit}/finish").status_code == client.get(f"/a/{edit}/finish").status_code == 404
    assert client.head("/assessments").status_code == 405  # a POST-only route stays 405
    assert client.head("/r/" + "x" * 43).status_code == 404
    assert csrf_of(client.get(f"/a/{edit}/review").text)
