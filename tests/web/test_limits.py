"""Issue 15, item 1: every write route is rate-limited per client, in the database (so every worker shares one
budget), with 429 and Retry-After; reads are not limited."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from app.main import create_app
from app.settings import Settings
from app.store.models import RateLimit
from app.web.limits import budgets, group_of

from ..conftest import csrf_of
from ..helpers import STEP_ANSWERS, form_state, start


@pytest.fixture
def limited(settings: Settings) -> Iterator[TestClient]:
    """An app with 1 create a minute per client: edits 10, link and result changes 1, admin forms 2. The limiter
    counts in fixed wall-clock minutes, so the test starts well inside one: requests that straddle a minute's end
    would each start a new window and never reach the budget (CI saw it once)."""
    while time.time() % 60 > 45:
        time.sleep(0.5)
    app = create_app(settings.model_copy(update={"rate_limit_per_minute": 1}))
    with TestClient(app) as client:
        yield client
    app.state.db.dispose()


def post_step(client: TestClient, edit: str, step: str = "problem") -> int:
    token, version = form_state(client, edit, step)
    data = {"csrf_token": token, "version": version, **STEP_ANSWERS[step]}
    return client.post(f"/a/{edit}/{step}", data=data, follow_redirects=False).status_code


def test_routes_fall_into_groups() -> None:
    assert group_of("POST", "/assessments") == group_of("POST", "/api/assessments") == "create"
    assert group_of("GET", "/api/results/x") == "create"  # the API as a whole, as before
    assert group_of("POST", "/a/tok/problem") == group_of("POST", "/a/tok/finish") == "edit"
    for action in ("reevaluate", "links", "links/3/revoke", "rotate", "delete"):
        assert group_of("POST", f"/a/tok/{action}") == "manage", action
    assert group_of("POST", "/admin/login") == group_of("POST", "/admin/weights") == "admin"
    assert group_of("GET", "/a/tok/problem") is None and group_of("GET", "/r/tok") is None
    assert budgets(60) == {"create": 60, "edit": 600, "manage": 30, "admin": 120}


def test_step_submits_are_limited_per_client(limited: TestClient) -> None:
    edit = start(limited)
    codes = [post_step(limited, edit) for _ in range(11)]
    assert codes[:10] == [303] * 10 and codes[10] == 429
    token, version = form_state(limited, edit, "problem")  # reads still work
    refused = limited.post(f"/a/{edit}/problem", data={"csrf_token": token, "version": version})
    assert refused.status_code == 429 and 1 <= int(refused.headers["retry-after"]) <= 60
    assert "Too many requests" in refused.text and "content-security-policy" in refused.headers


def test_link_and_result_changes_are_limited(limited: TestClient) -> None:
    edit = start(limited)
    manage = limited.get(f"/a/{edit}/manage")
    data = {"csrf_token": csrf_of(manage.text)}
    first = limited.post(f"/a/{edit}/rotate", data=data, follow_redirects=False)
    assert first.status_code == 303
    edit = first.headers["location"].split("/")[2]
    for action in ("reevaluate", "links", "delete"):
        assert limited.post(f"/a/{edit}/{action}", data=data).status_code == 429, action


def test_admin_forms_are_limited(limited: TestClient) -> None:
    token = csrf_of(limited.get("/admin/login").text)
    codes = [limited.post("/admin/login", data={"csrf_token": token, "email": "a@example.org", "password": "x" * 12})
             .status_code for _ in range(3)]
    assert codes == [422, 422, 429]


def test_each_client_address_has_its_own_budget(limited: TestClient) -> None:
    edit = start(limited)
    assert [post_step(limited, edit) for _ in range(11)][-1] == 429
    other = TestClient(limited.app, base_url="http://testserver", client=("10.0.0.2", 50000))
    assert post_step(other, edit) == 303


def test_the_budget_is_shared_by_every_worker(settings: Settings) -> None:
    """Two app instances on one database stand for two worker processes."""
    one, two = (create_app(settings.model_copy(update={"rate_limit_per_minute": 1})) for _ in range(2))
    with TestClient(one) as first, TestClient(two) as second:
        edit = start(first)
        codes = [post_step(first, edit) for _ in range(5)] + [post_step(second, edit) for _ in range(6)]
    for app in (one, two):
        app.state.db.dispose()
    assert codes[:10] == [303] * 10 and codes[10] == 429


def test_the_table_holds_digests_not_addresses(limited: TestClient) -> None:
    start(limited)
    with limited.app.state.db.read() as session:
        keys = [row.key for row in session.exec(select(RateLimit))]
    assert keys and all(key.startswith("create:") and "testclient" not in key for key in keys)
