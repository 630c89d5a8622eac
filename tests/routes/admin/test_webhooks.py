"""Admin webhook pages: validated endpoints (422 naming the field), the secret shown once, every change audited,
CSRF, the test event and the delivery log."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import select

from app.routes.admin.webhooks import check_url
from app.store import webhooks as hooks
from app.store.db import Database
from app.store.models import AuditEvent, WebhookDelivery, WebhookEndpoint

from ...conftest import csrf_of
from .conftest import form_post

SECRET_RE = re.compile(r'id="secret" value="(whsec_[^"]+)"')
GOOD = {"url": "https://hooks.example.org/tunewise", "description": "Slack relay", "events": ["result.created"]}


def add(client: TestClient, **data: Any) -> Any:
    return form_post(client, "/admin/webhooks", "/admin/webhooks", {**GOOD, **data})


def endpoints(db: Database) -> list[WebhookEndpoint]:
    with db.read() as session:
        return list(session.exec(select(WebhookEndpoint).order_by(WebhookEndpoint.id)))


def audit(db: Database) -> list[AuditEvent]:
    with db.read() as session:
        return list(session.exec(select(AuditEvent).where(AuditEvent.action.startswith("webhook."))  # type: ignore
                                 .order_by(AuditEvent.id)))


def test_the_pages_need_an_admin(client: TestClient) -> None:
    for path in ("/admin/webhooks", "/admin/webhooks/deliveries"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/admin/login")


def test_adding_shows_the_secret_once_and_audits_without_it(signed_in: TestClient, db: Database) -> None:
    response = add(signed_in)
    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    secret = SECRET_RE.search(response.text).group(1)  # type: ignore[union-attr]
    [row] = endpoints(db)
    assert secret == hooks.signing_secret(signed_in.app.state.settings.secret_key, row.secret_salt)  # type: ignore
    assert (row.url, row.description, row.events, row.enabled) == (GOOD["url"], "Slack relay", GOOD["events"], True)
    listing = signed_in.get("/admin/webhooks").text
    assert GOOD["url"] in listing and "Result created" in listing and secret not in listing
    [event] = audit(db)
    assert event.action == "webhook.added" and event.actor == "ada@example.org" and GOOD["url"] in event.target
    assert secret not in repr(event.after) and row.secret_salt not in repr(event.after)


BAD = [
    ({"url": ""}, "url", "Enter the endpoint"),
    ({"url": "ftp://hooks.example.org/x"}, "url", "https://"),
    ({"url": "http://hooks.example.org/x"}, "url", "only to 127.0.0.1"),
    ({"url": "https://ada:pw@hooks.example.org/x"}, "url", "user name and password"),
    ({"url": "https://hooks.example.org/x#top"}, "url", "fragment"),
    ({"url": "https://hooks.example.org:99999/x"}, "url", "not valid"),
    ({"url": "https://hooks.example.org/" + "a" * 1000}, "url", "1000 characters or fewer"),
    ({"url": "https://hooks.example.org/a b"}, "url", "spaces"),
    ({"events": []}, "events", "at least one event"),
    ({"events": ["result.deleted"]}, "events", "from the list"),
    ({"description": "x" * 201}, "description", "200 characters"),
]


def test_bad_input_is_a_422_naming_the_field(signed_in: TestClient, db: Database) -> None:
    for data, field, words in BAD:  # one sign-in for all cases: argon2 makes each sign-in cost ~0.5 s
        response = add(signed_in, **data)
        assert response.status_code == 422, data
        assert f'href="#q-{field}"' in response.text and words in response.text, data
        assert field == "events" or 'aria-invalid="true"' in response.text
        assert f'value="{data[field]}"' in response.text or field == "events" or len(data[field]) > 300
    assert endpoints(db) == [] and audit(db) == []


def test_urls_in_development_and_production() -> None:
    for url in ("http://127.0.0.1:9000/hook", "http://[::1]/hook", "http://localhost/hook"):
        assert check_url(url, production=False)[1] == ""
        assert "https://" in check_url(url, production=True)[1]
    assert check_url("https://hooks.example.org/x?team=1", production=True)[1] == ""


def test_at_most_twenty_endpoints(signed_in: TestClient, db: Database) -> None:
    with db.write() as session:
        for n in range(hooks.MAX_ENDPOINTS):
            hooks.add_endpoint(session, url=f"https://h.example.org/{n}", description="", events=hooks.EVENTS,
                               actor="x", now=hooks.utcnow())
    response = add(signed_in)
    assert response.status_code == 422 and "delete one before adding another" in response.text


def test_forms_need_the_csrf_token(signed_in: TestClient, db: Database) -> None:
    add(signed_in)
    [row] = endpoints(db)
    form = {"x": "1"}  # a body, so the refusal is the CSRF check's and not 415 for an empty POST
    for path, data in (("/admin/webhooks", GOOD), (f"/admin/webhooks/{row.id}/disable", form),
                       (f"/admin/webhooks/{row.id}/rotate", form), (f"/admin/webhooks/{row.id}/delete", form)):
        assert signed_in.post(path, data=data, follow_redirects=False).status_code == 403
        assert signed_in.post(path, data={**data, "csrf_token": "w" * 43}, follow_redirects=False).status_code == 403
    assert endpoints(db) == [row] and len(audit(db)) == 1


def test_rotating_shows_a_new_secret_once(signed_in: TestClient, db: Database) -> None:
    first = SECRET_RE.search(add(signed_in).text).group(1)  # type: ignore[union-attr]
    [row] = endpoints(db)
    rotated = form_post(signed_in, "/admin/webhooks", f"/admin/webhooks/{row.id}/rotate", {})
    assert rotated.status_code == 200 and "New signing secret" in rotated.text
    second = SECRET_RE.search(rotated.text).group(1)  # type: ignore[union-attr]
    assert second != first
    assert second == hooks.signing_secret(signed_in.app.state.settings.secret_key,  # type: ignore[attr-defined]
                                          endpoints(db)[0].secret_salt)
    assert audit(db)[-1].action == "webhook.secret_rotated" and second not in repr(audit(db)[-1].after)


def test_disable_enable_delete_are_audited_and_unknown_ids_404(signed_in: TestClient, db: Database) -> None:
    add(signed_in)
    [row] = endpoints(db)
    for action, enabled in (("disable", False), ("enable", True)):
        response = form_post(signed_in, "/admin/webhooks", f"/admin/webhooks/{row.id}/{action}", {})
        assert response.status_code == 303 and endpoints(db)[0].enabled is enabled
    assert "deliveries held while it was disabled go out now" in signed_in.get(response.headers["location"]).text
    deleted = form_post(signed_in, "/admin/webhooks", f"/admin/webhooks/{row.id}/delete", {})
    assert deleted.status_code == 303 and endpoints(db) == []
    assert [e.action for e in audit(db)] == ["webhook.added", "webhook.disabled", "webhook.enabled",
                                             "webhook.deleted"]
    assert audit(db)[1].before["enabled"] is True and audit(db)[1].after["enabled"] is False  # type: ignore[index]
    for action in ("disable", "enable", "delete", "rotate", "test"):
        assert form_post(signed_in, "/admin/webhooks", f"/admin/webhooks/{row.id}/{action}", {}).status_code == 404


def test_a_test_event_is_queued_and_shown_in_the_log(signed_in: TestClient, db: Database) -> None:
    add(signed_in)
    [row] = endpoints(db)
    response = form_post(signed_in, "/admin/webhooks", f"/admin/webhooks/{row.id}/test", {})
    assert response.status_code == 303
    with db.read() as session:
        [delivery] = session.exec(select(WebhookDelivery)).all()
    assert delivery.event_type == hooks.TEST_EVENT and delivery.endpoint_id == row.id
    log = signed_in.get("/admin/webhooks/deliveries")
    assert log.status_code == 200 and "Test event" in log.text and delivery.event_id in log.text
    assert audit(db)[-1].action == "webhook.test_sent"
    form_post(signed_in, "/admin/webhooks", f"/admin/webhooks/{row.id}/disable", {})
    refused = form_post(signed_in, "/admin/webhooks", f"/admin/webhooks/{row.id}/test", {})
    assert refused.status_code == 409 and "Enable the endpoint" in refused.text


def test_the_delivery_log_is_paged_newest_first(signed_in: TestClient, db: Database) -> None:
    add(signed_in)
    [row] = endpoints(db)
    assert row.id is not None
    with db.write() as session:
        ids = [hooks.enqueue(session, event_type=hooks.TEST_EVENT, data={}, endpoint_ids=[row.id])
               for _ in range(55)]
    with db.write() as session:  # the newest one was tried once and refused
        claimed = next(c for c in hooks.claim_due(session, owner="t", now=hooks.utcnow(), lease_seconds=30, limit=55)
                       if c.event_id == ids[-1])
        hooks.record_attempt(session, claimed=claimed, owner="t", attempt=hooks.Attempt(500, "", 30),
                             now=hooks.utcnow(), retry_at=hooks.utcnow())
    first = signed_in.get("/admin/webhooks/deliveries").text
    assert "500 Internal Server Error" in first and "Will retry" in first and "Waiting" in first
    assert "last try answered 500 Internal Server Error" in signed_in.get("/admin/webhooks").text
    assert "55 deliveries, page 1 of 2" in first and ids[-1] in first and ids[0] not in first
    assert first.index(ids[-1]) < first.index(ids[-2])
    second = signed_in.get("/admin/webhooks/deliveries?page_no=2").text
    assert ids[0] in second and ids[-1] not in second


def test_the_nav_links_to_webhooks(signed_in: TestClient) -> None:
    page = signed_in.get("/admin/webhooks").text
    assert '<a href="/admin/webhooks" aria-current="page">Webhooks</a>' in page
    assert csrf_of(page)
