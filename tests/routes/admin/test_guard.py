"""Every /admin route needs a signed-in admin; admin forms need the CSRF token; admin stays out of OpenAPI."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from sqlmodel import select

from app.main import create_app
from app.settings import Settings
from app.store.db import Database
from app.store.models import AuditEvent
from app.web.admin_guard import require_admin

from ...conftest import csrf_of
from .conftest import form_post

PUBLIC = ("/admin/login", "/admin/setup/", "/admin/oidc/")  # sign-in, first-admin setup, single sign-on


def admin_routes(settings: Settings) -> list[tuple[str, str]]:
    """(method, path) of every admin route except sign-in and setup, with path parameters filled in."""
    app = create_app(settings)
    found = []
    for route in guarded(app.routes):
        found += [(method, re.sub(r"\{[^}]+\}", "1", route.path)) for method in sorted(route.methods)]
    app.state.db.dispose()
    return found


def guarded(routes: list[Any]) -> list[Any]:
    """Every route (flattened across included routers) under /admin except sign-in and setup."""
    return [r for r in iter_route_contexts(routes)
            if (r.path or "").startswith("/admin") and not (r.path or "").startswith(PUBLIC)]


def dependency_calls(route: Any) -> set[object]:
    stack, calls = [route.dependant], set()
    while stack:
        dependant = stack.pop()
        calls.add(dependant.call)
        stack += dependant.dependencies
    return calls


def test_there_are_admin_routes_to_check(settings: Settings) -> None:
    paths = {path for _, path in admin_routes(settings)}
    assert {"/admin", "/admin/weights", "/admin/weights/preview", "/admin/weights/publish", "/admin/prices",
            "/admin/assessments", "/admin/assessments.csv", "/admin/audit", "/admin/admins", "/admin/password",
            "/admin/logout"} <= paths


def test_every_admin_route_depends_on_require_admin(settings: Settings) -> None:
    app = create_app(settings)
    routes = guarded(app.routes)
    assert len(routes) >= 20
    for route in routes:
        assert require_admin in dependency_calls(route), route.path
    app.state.db.dispose()


def test_every_admin_route_refuses_anonymous_requests(client: TestClient, settings: Settings) -> None:
    token = csrf_of(client.get("/admin/login").text)
    for method, path in admin_routes(settings):
        if method == "GET":
            page = client.get(path, follow_redirects=False)
            assert page.status_code == 303 and page.headers["location"].startswith("/admin/login?next="), path
            fragment = client.get(path, headers={"HX-Request": "true"})
            assert fragment.status_code == 401, path
        else:
            response = client.request(method, path, data={"csrf_token": token}, follow_redirects=False)
            assert response.status_code in (303, 401), (method, path, response.status_code)
            if response.status_code == 303:
                assert response.headers["location"].startswith("/admin/login"), path
            htmx = client.request(method, path, data={"csrf_token": token}, headers={"HX-Request": "true"})
            assert htmx.status_code == 401, path


def test_an_edit_link_cookie_or_garbage_cookie_never_opens_admin(client: TestClient) -> None:
    client.cookies.set("admin", "x" * 43)
    assert client.get("/admin", follow_redirects=False).status_code == 303


def test_the_next_parameter_cannot_leave_admin(client: TestClient, admin_id: int) -> None:
    token = csrf_of(client.get("/admin/login").text)
    data = {"csrf_token": token, "email": "ada@example.org", "password": "a long enough passphrase",
            "next": "https://evil.example/"}
    response = client.post("/admin/login", data=data, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/admin"


@pytest.mark.parametrize("path, data", [
    ("/admin/weights", {"method": "direct", "w_fit": "1", "w_data": "0", "w_speed": "0", "w_cost": "0", "w_risk": "0",
                        "w_change": "0", "draft_version": "0"}),
    ("/admin/weights/publish", {"draft_version": "0"}),
    ("/admin/prices/activate", {"key": "vertex-gemini-2.0-flash", "pointer_version": "0"}),
    ("/admin/logout", {"next": "/admin"}),
    ("/admin/password", {"current": "a long enough passphrase", "new": "another long passphrase",
                         "confirm": "another long passphrase"}),
])
def test_admin_forms_need_the_csrf_token(signed_in: TestClient, db: Database, path: str, data: dict[str, str]) -> None:
    missing = signed_in.post(path, data=data, follow_redirects=False)
    wrong = signed_in.post(path, data={**data, "csrf_token": "w" * 43}, follow_redirects=False)
    assert missing.status_code == wrong.status_code == 403
    assert signed_in.get("/admin").status_code == 200  # nothing happened: still signed in
    with db.read() as session:
        actions = set(session.exec(select(AuditEvent.action)).all())
    assert actions == {"login.succeeded"}  # the refused POSTs changed nothing


def test_the_login_form_needs_the_csrf_token(client: TestClient, admin_id: int) -> None:
    response = client.post("/admin/login", data={"email": "ada@example.org", "password": "a long enough passphrase"},
                           follow_redirects=False)
    assert response.status_code == 403


def test_a_foreign_origin_is_refused(signed_in: TestClient) -> None:
    response = form_post(signed_in, "/admin", "/admin/logout", {}, headers={"Origin": "https://evil.example"})
    assert response.status_code == 403


def test_admin_pages_are_no_store_and_not_in_openapi(signed_in: TestClient) -> None:
    assert signed_in.get("/admin/weights").headers["Cache-Control"] == "no-store"
    assert signed_in.get("/admin/login").headers["Cache-Control"] == "no-store"
    schema = signed_in.get("/openapi.json").json()
    assert not [p for p in schema["paths"] if p.startswith("/admin")]
