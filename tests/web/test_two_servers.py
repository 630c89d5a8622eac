"""Issue 14, item 5: two real server processes on one database (a SQLite file; PostgreSQL in the parity run).

Whatever matters across requests lives in the database or is checked against it on every request, so a client
whose requests land on either server sees one application: one rate-limit budget, one sign-in throttle, one set of
admin sessions, the newest published weights and no stale cached report. Each check comes from a client address of
its own (X-Forwarded-For, trusted from loopback as from a proxy in front of both servers), so their budgets never
mix, and counts the requests it sent to each server (printed with `pytest -s`)."""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from sqlalchemy import update

from app.engine.rules import load_knowledge
from app.store import migrate
from app.store.db import Database
from app.store.models import ShareLink, WeightSet, utcnow
from app.store.settings import latest_weight_set
from app.store.tokens import token_hash

from ..conftest import PG_URL, _fresh_postgres_database, csrf_of
from ..live import Server
from ..routes.admin.conftest import EMAIL, PASSWORD, make_admin

PER_MINUTE = 12  # creates a minute per client; admin posts get twice that, team link actions half (web/limits.py)
LINK_RE = re.compile(r'/links/(\d+)/revoke"')
DRAFT_RE = re.compile(r'name="draft_version" value="(\d+)"')
REQUESTS: dict[str, Counter[str]] = {}  # check → server name → requests sent


class Pair:
    """The two servers, A and B, and the database they share."""

    def __init__(self, database_url: str, servers: dict[str, Server]) -> None:
        self.database_url, self.servers = database_url, servers
        self.db = Database(database_url)

    def url(self, name: str) -> str:
        return self.servers[name].url


class Client:
    """One client (a browser, or a script) with a cookie jar shared by both servers, as behind one proxy."""

    def __init__(self, pair: Pair, check: str, address: str) -> None:
        self.pair, self.sent = pair, REQUESTS.setdefault(check, Counter())
        self.http = httpx.Client(headers={"X-Forwarded-For": address}, timeout=20, follow_redirects=False)

    def request(self, server: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
        self.sent[server] += 1
        return self.http.request(method, self.pair.url(server) + path, **kwargs)

    def get(self, server: str, path: str) -> httpx.Response:
        return self.request(server, "GET", path)

    def post_form(self, server: str, page: str, path: str, data: dict[str, str]) -> httpx.Response:
        """GET `page` on `server` for its CSRF token, then POST the form to `path` on the same server."""
        token = csrf_of(self.get(server, page).text)
        return self.request(server, "POST", path, data={"csrf_token": token, **data})

    def create(self, server: str, team: str = "Support") -> dict[str, Any]:
        """An assessment and its result through the JSON API; returns the API's answer."""
        body = {"team": team, "title": "Replies sound robotic", "answers": {"gap_types": ["behavior"]}}
        response = self.request(server, "POST", "/api/assessments", json=body)
        assert response.status_code == 201, response.text
        made: dict[str, Any] = response.json()
        return made


def _database(tmp: Path) -> str:
    url = _fresh_postgres_database() if PG_URL else f"sqlite:///{tmp / 'shared.db'}"
    migrate.upgrade(url)
    return url


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:
    """A and B: two uvicorn processes on one migrated database, with the same secret and a small rate limit."""
    tmp = tmp_path_factory.mktemp("two-servers")
    url = _database(tmp)
    servers = {name: Server(url, log=tmp / f"{name}.log", rate_limit_per_minute=PER_MINUTE,
                            secret_key="one secret for every server of this deployment")
               for name in ("A", "B")}
    for server in servers.values():
        server.env["FORWARDED_ALLOW_IPS"] = "127.0.0.1"  # uvicorn's: the test plays the proxy in front of both
    try:
        shared = Pair(url, servers)
        with ThreadPoolExecutor(max_workers=3) as pool:  # both start at once, while argon2 hashes the password
            started = [pool.submit(server.start, 60) for server in servers.values()]
            for job in [*started, pool.submit(make_admin, shared.db)]:
                job.result()
        yield shared
        shared.db.dispose()
    finally:
        for server in servers.values():
            server.stop()
        print("\nrequests per check:", {check: dict(sent) for check, sent in REQUESTS.items()})


def _fresh_window(seconds_needed: float = 8) -> None:
    """Wait for the next one-minute rate-limit window when this one ends too soon for a check to fit in it."""
    left = 60 - time.time() % 60
    if left < seconds_needed:
        time.sleep(left + 0.1)


def test_the_rate_limit_is_one_budget_across_servers(pair: Pair) -> None:
    client = Client(pair, "rate limit", "198.51.100.10")
    _fresh_window()
    # Any /api/ request counts as a "create" (web/limits.py); an unknown link is a cheap 404 that writes nothing.
    codes = [client.get("AB"[i % 2], "/api/results/" + "x" * 43).status_code for i in range(PER_MINUTE + 2)]
    assert codes == [404] * PER_MINUTE + [429, 429]  # one over the budget lands on A, the next on B: both refuse
    # Per process, each server would have counted half of them and let every one through.


def test_sign_in_failures_count_on_both_servers(pair: Pair) -> None:
    client = Client(pair, "sign-in throttle", "198.51.100.20")
    wrong = {"email": EMAIL, "password": "not the password at all", "next": "/admin"}
    codes = [client.post_form("AB"[i % 2], "/admin/login", "/admin/login", wrong).status_code for i in range(4)]
    assert codes == [422] * 4  # four failures of one account from one address: two on A, two on B
    # The fifth and sixth at once, one on each server (each one's third): the throttle allows five failures, then
    # a wait of 1 s from the last one; sent together, the sixth is inside that second however slow argon2 runs.
    with ThreadPoolExecutor(max_workers=2) as pool:
        last = list(pool.map(lambda server: client.post_form(server, "/admin/login", "/admin/login", wrong), "AB"))
    assert sorted(r.status_code for r in last) == [422, 429]  # per process, both would be a 422
    refused = next(r for r in last if r.status_code == 429)
    assert "Too many sign-in attempts" in refused.text and refused.headers["retry-after"] == "1"


def test_sign_in_posts_of_an_address_count_on_both_servers(pair: Pair) -> None:
    client = Client(pair, "sign-in address limit", "198.51.100.30")
    # No password: nothing to verify, but each post counts against the address (10 a minute, store/sessions.py).
    blank = {"email": "someone@example.org", "password": "", "next": "/admin"}
    codes = [client.post_form("AB"[i % 2], "/admin/login", "/admin/login", blank) for i in range(12)]
    assert [r.status_code for r in codes] == [422] * 10 + [429, 429]
    assert all("Too many sign-in attempts" in r.text for r in codes[10:])  # the throttle, not the rate limit


def test_an_admin_session_and_a_published_weight_set_hold_across_servers(pair: Pair) -> None:
    team = Client(pair, "weights", "198.51.100.40")
    assert _snapshot(team, "B")["weights_version"] is None  # B resolves the current settings (and keeps them)

    admin = Client(pair, "admin session", "198.51.100.41")
    signed = admin.post_form("A", "/admin/login", "/admin/login",
                             {"email": EMAIL, "password": PASSWORD, "next": "/admin"})
    assert signed.status_code == 303, signed.text
    assert admin.get("B", "/admin").status_code == 200  # the session started on A works on B
    published = _publish(admin, "A")

    made = _snapshot(team, "B")  # B's next result, after the publish on A
    assert made["weights_version"] == published.version and made["weights"] == _complete(published.weights)

    out = admin.post_form("B", "/admin", "/admin/logout", {})
    assert out.status_code == 303 and out.headers["location"].startswith("/admin/login")
    refused = admin.get("A", "/admin")  # signed out on B: the cookie no longer works on A
    assert refused.status_code == 303 and refused.headers["location"].startswith("/admin/login")


def _snapshot(team: Client, server: str) -> dict[str, Any]:
    """A new result made on one server, as its JSON snapshot."""
    view = team.create(server)["view_url"].rsplit("/", 1)[1]
    snapshot: dict[str, Any] = team.get(server, f"/api/results/{view}").json()
    return snapshot


def _publish(admin: Client, server: str) -> WeightSet:
    """Save a weights draft that puts cost first and publish it, through the admin pages of one server."""
    axes = load_knowledge().axis_keys
    values = {f"w_{axis}": ("0.4" if axis == "cost" else f"{0.6 / (len(axes) - 1):.4f}") for axis in axes}
    version = _draft_version(admin, server)
    saved = admin.post_form(server, "/admin/weights", "/admin/weights",
                            {"method": "direct", "draft_version": version, **values})
    assert saved.status_code == 303, saved.text
    done = admin.post_form(server, "/admin/weights", "/admin/weights/publish",
                           {"draft_version": _draft_version(admin, server)})
    assert done.status_code == 303, done.text
    with admin.pair.db.read() as session:
        newest = latest_weight_set(session)
        assert newest is not None and newest.weights["cost"] > 0.35
        session.expunge(newest)
        return newest


def _draft_version(admin: Client, server: str) -> str:
    match = DRAFT_RE.search(admin.get(server, "/admin/weights").text)
    assert match
    return match.group(1)


def _complete(weights: dict[str, float]) -> dict[str, float]:
    return load_knowledge().complete_weights(weights)


def test_a_report_cached_on_both_servers_goes_at_once_when_its_link_dies(pair: Pair) -> None:
    team = Client(pair, "report cache", "198.51.100.50")
    made = team.create("A", team="Cached everywhere")
    edit, view = made["edit_url"].rsplit("/", 1)[1], made["view_url"].rsplit("/", 1)[1]
    for server in "ABAB":  # rendered on each, then served from each one's page cache
        page = team.get(server, f"/r/{view}")
        assert page.status_code == 200 and "Cached everywhere" in page.text and view in page.text

    manage = team.get("A", f"/a/{edit}/manage").text
    link_id = LINK_RE.findall(manage)[0]
    revoked = team.request("A", "POST", f"/a/{edit}/links/{link_id}/revoke", data={"csrf_token": csrf_of(manage)})
    assert revoked.status_code == 303
    assert [team.get(s, f"/r/{view}").status_code for s in "BA"] == [404, 404]  # B answers 404 at once

    fresh = _new_link(team, "B", edit)  # a new link to the same result: cached on both again
    assert [team.get(s, f"/r/{fresh}").status_code for s in "ABAB"] == [200] * 4
    _expire(pair.db, fresh)  # its expiry passes (the servers read the wall clock, so the row moves instead)
    assert [team.get(s, f"/r/{fresh}").status_code for s in "AB"] == [404, 404]

    rotated = team.post_form("B", f"/a/{edit}/manage", f"/a/{edit}/rotate", {})
    new_edit = rotated.headers["location"].split("/")[2]
    assert team.get("A", f"/a/{edit}/manage").status_code == 404  # the old edit link, rotated on B
    assert team.get("A", f"/a/{new_edit}/manage").status_code == 200

    last = _new_link(team, "A", new_edit)
    assert [team.get(s, f"/r/{last}").status_code for s in "AB"] == [200, 200]
    gone = team.post_form("A", f"/a/{new_edit}/manage", f"/a/{new_edit}/delete", {"confirm": "yes"})
    assert gone.status_code == 303
    assert [team.get(s, f"/r/{last}").status_code for s in "BA"] == [404, 404]  # deleted on A: gone on B


def _new_link(team: Client, server: str, edit: str) -> str:
    """A new view link (the manage page's form) to the assessment's result; returns its token."""
    manage = team.get(server, f"/a/{edit}/manage").text
    result_id = re.findall(r'name="result" value="(\d+)"', manage)[0]
    made = team.request(server, "POST", f"/a/{edit}/links", data={"csrf_token": csrf_of(manage), "result": result_id})
    assert made.status_code == 303, made.text
    return str(made.headers["location"]).rsplit("/", 1)[1]


def _expire(db: Database, view_token: str) -> None:
    with db.write() as session:
        session.execute(update(ShareLink).where(ShareLink.token_hash == token_hash(view_token))  # type: ignore[arg-type]
                        .values(expires_at=utcnow() - timedelta(seconds=1)))
