"""The audit log: every audited action leaves an entry, written in the same transaction; the page filters."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from app.engine.rules import Knowledge
from app.store import admins as admin_repo
from app.store.db import Database
from app.store.models import AuditEvent, WeightDraft, utcnow
from app.store.results import add_share_link

from ...conftest import csrf_of
from ...stored import seed_results
from .conftest import PASSWORD, form_post, login, make_admin

WEIGHTS = {"method": "direct", "w_fit": "0.4", "w_data": "0.2", "w_speed": "0.1", "w_cost": "0.1", "w_risk": "0.1",
           "w_change": "0.1"}


def events(db: Database) -> list[AuditEvent]:
    with db.read() as session:
        return list(session.exec(select(AuditEvent).order_by(AuditEvent.id)).all())


def test_every_audited_action_leaves_an_entry(client: TestClient, db: Database, knowledge: Knowledge) -> None:
    link = admin_repo.setup_link(db, base_url="", now=utcnow())
    assert link
    page = client.get(link).text
    client.post(link, data={"csrf_token": csrf_of(page), "email": "ada@example.org", "password": PASSWORD,
                            "confirm": PASSWORD})
    make_admin(db, "grace@example.org")
    login(client, "ada@example.org", "wrong password here")
    login(client)
    seed_results(db, knowledge, 1)
    with db.write() as session:
        add_share_link(session, result_id=1, days=None)
    form_post(client, "/admin/weights", "/admin/weights", {**WEIGHTS, "draft_version": "0"})
    form_post(client, "/admin/weights", "/admin/weights/publish", {"draft_version": "1"})
    form_post(client, "/admin/prices", "/admin/prices/activate",
              {"key": "vertex-gemini-2.0-flash", "pointer_version": "0"})
    price_page = client.get("/admin/prices/gpt-4.1-mini").text
    assert "v_p_in" in price_page
    form_post(client, "/admin/assessments/1", "/admin/assessments/1/reevaluate", {})
    form_post(client, "/admin/assessments/1", "/admin/assessments/1/links/1/revoke", {})
    form_post(client, "/admin/admins", "/admin/admins/2/deactivate", {})
    form_post(client, "/admin/password", "/admin/password",
              {"current": PASSWORD, "new": "another long passphrase", "confirm": "another long passphrase"})
    form_post(client, "/admin", "/admin/logout", {"next": "/admin"})
    recorded = [e.action for e in events(db)]
    for action in ("admin.created", "login.succeeded", "login.failed", "weights.draft_saved", "weights.published",
                   "prices.activated", "result.reevaluated", "link.revoked", "admin.deactivated", "password.changed",
                   "logout"):
        assert action in recorded, action
    failed = next(e for e in events(db) if e.action == "login.failed")
    assert failed.actor == "unverified: ada@example.org" and failed.before is None  # typed, not proven


def test_the_audit_write_shares_the_transaction_of_the_change(
    signed_in: TestClient, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: Any, **__: Any) -> None:
        raise RuntimeError("audit unavailable")

    monkeypatch.setattr(admin_repo, "audit", broken)
    token = csrf_of(signed_in.get("/admin/weights").text)
    try:
        status = signed_in.post("/admin/weights",
                                data={"csrf_token": token, "draft_version": "0", **WEIGHTS}).status_code
    except RuntimeError:  # the test client re-raises what the app logged as a 500
        status = 500
    assert status == 500
    with db.read() as session:
        assert session.exec(select(WeightDraft)).all() == []  # no audit entry, no change


def test_the_page_is_newest_first_and_filters(signed_in: TestClient, db: Database) -> None:
    form_post(signed_in, "/admin/weights", "/admin/weights", {**WEIGHTS, "draft_version": "0"})
    page = signed_in.get("/admin/audit").text
    assert page.index("weights.draft_saved</td>") < page.index("login.succeeded</td>")
    only = signed_in.get("/admin/audit", params={"action": "login.succeeded"}).text
    assert "login.succeeded</td>" in only and "weights.draft_saved</td>" not in only
    assert "No events match" in signed_in.get("/admin/audit", params={"actor": "nobody"}).text
    assert "No events match" in signed_in.get("/admin/audit", params={"until": "2000-01-01"}).text
    assert "1 events" in signed_in.get("/admin/audit", params={"actor": "ADA", "action": "weights.draft_saved"}).text
