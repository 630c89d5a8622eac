"""Webhook endpoints: register, enable or disable, delete, rotate the secret, send a test event; the delivery log."""

from __future__ import annotations

import ipaddress
import math
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from app.routes.admin.common import now, page
from app.store import admins as admin_repo
from app.store import webhooks as hooks
from app.store.db import Database
from app.store.models import WebhookEndpoint
from app.web.admin_guard import AdminDep, CurrentAdmin
from app.web.deps import DbDep, SettingsDep
from app.web.forms import clean_text, first, form_fields
from app.web.render import see_other

router = APIRouter(include_in_schema=False)
MAX_URL = 1000
LOOPBACK_NAMES = ("localhost",)
LABELS = {"url": "Endpoint URL", "description": "Description", "events": "Events"}
DONE = {
    "enabled": "The endpoint is enabled: deliveries held while it was disabled go out now.",
    "disabled": "The endpoint is disabled: new events are not queued for it, and queued ones wait.",
    "deleted": "The endpoint, its deliveries and their log were deleted.",
    "tested": "A test event is queued: it appears in the delivery log within a few seconds.",
}
PAGE_SIZE = 50


def check_url(raw: str, *, production: bool) -> tuple[str, str]:
    """The URL and '' when it may receive webhooks, else the reason: HTTPS (plain HTTP only to this machine's
    loopback address outside production), no credentials, no fragment, at most MAX_URL characters."""
    url = raw.strip()
    if not url:
        return url, "Enter the endpoint's URL."
    if len(url) > MAX_URL:
        return url, f"The URL must be {MAX_URL} characters or fewer (it has {len(url)})."
    if any(c.isspace() or not c.isprintable() for c in url):
        return url, "The URL contains spaces or control characters."
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises for a port that is not a number from 0 to 65535)
    except ValueError:
        return url, "The URL is not valid: check the host and port."
    if parts.username is not None or parts.password is not None:
        return url, "Remove the user name and password from the URL; deliveries are signed instead."
    if parts.fragment or url.endswith("#"):
        return url, "Remove the fragment (the part from #) from the URL."
    if not parts.hostname:
        return url, "The URL needs a host, like https://hooks.example.org/tunewise."
    if parts.scheme == "https":
        return url, ""
    if parts.scheme == "http" and not production and is_loopback(parts.hostname):
        return url, ""
    if parts.scheme == "http" and not production:
        return url, "Use https://; plain http:// is allowed only to 127.0.0.1, ::1 or localhost in development."
    return url, "Use an https:// URL."


def is_loopback(host: str) -> bool:
    """True for localhost and the loopback addresses."""
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def parse_endpoint(fields: Mapping[str, list[str]], *, production: bool) -> tuple[dict[str, Any], dict[str, str]]:
    """The URL, description and events of the add form, and the problems by field."""
    errors: dict[str, str] = {}
    url, problem = check_url(first(fields, "url", MAX_URL + 100), production=production)
    if problem:
        errors["url"] = problem
    description, problem = clean_text(first(fields, "description", 300), 200, "description")
    if problem and description:
        errors["description"] = problem
    events = [e[:64] for e in fields.get("events", [])]
    if not events:
        errors["events"] = "Choose at least one event."
    elif any(e not in hooks.EVENTS for e in events):
        errors["events"] = "Choose events from the list."
    return {"url": url, "description": description, "events": sorted(set(events))}, errors


def described(endpoint: WebhookEndpoint) -> dict[str, Any]:
    """What the audit log keeps of an endpoint (never its secret or salt)."""
    return {"url": endpoint.url, "description": endpoint.description, "events": list(endpoint.events),
            "enabled": endpoint.enabled}


def list_page(request: Request, db: Database, admin: CurrentAdmin, *, values: Mapping[str, Any] | None = None,
              errors: Mapping[str, str] | None = None, notice: str = "", status_code: int = 200) -> HTMLResponse:
    """The endpoints with their newest delivery's outcome, and the add form."""
    with db.read() as session:
        rows = hooks.list_endpoints(session)
    context = {"rows": rows, "values": {"url": "", "description": "", "events": list(hooks.EVENTS), **(values or {})},
               "errors": dict(errors or {}), "notice": notice, "labels": LABELS, "events": hooks.EVENTS,
               "event_labels": hooks.EVENT_LABELS, "max_endpoints": hooks.MAX_ENDPOINTS, "max_url": MAX_URL,
               "answer_words": answer_words}
    return page(request, "admin/webhooks.html", admin, context, status_code=status_code)


def secret_page(request: Request, admin: CurrentAdmin, endpoint: WebhookEndpoint, secret: str, *,
                rotated: bool) -> HTMLResponse:
    """The signing secret, shown this once (never cached)."""
    return page(request, "admin/webhooks_secret.html", admin,
                {"endpoint": endpoint, "secret": secret, "rotated": rotated, "event_labels": hooks.EVENT_LABELS},
                headers={"Cache-Control": "no-store"})


@router.get("/admin/webhooks", response_class=HTMLResponse)
def webhooks(request: Request, db: DbDep, admin: AdminDep, done: str = "") -> HTMLResponse:
    """Every endpoint, what it receives and how its last delivery went."""
    return list_page(request, db, admin, notice=DONE.get(done, ""))


@router.post("/admin/webhooks")
def add(request: Request, db: DbDep, admin: AdminDep, settings: SettingsDep) -> Response:
    """Register an endpoint (422 naming each bad field) and show its signing secret once."""
    fields, when = form_fields(request), now(request)
    values, errors = parse_endpoint(fields, production=settings.production)
    with db.write() as session:
        if not errors and hooks.endpoint_count(session) >= hooks.MAX_ENDPOINTS:
            errors["url"] = f"There are {hooks.MAX_ENDPOINTS} endpoints already: delete one before adding another."
        if errors:
            endpoint = None
        else:
            endpoint = hooks.add_endpoint(session, actor=admin.email, now=when, **values)
            admin_repo.audit(session, actor=admin.email, action="webhook.added", at=when,
                             target=f"webhook endpoint {endpoint.id} ({endpoint.url})", after=described(endpoint))
    if endpoint is None:
        return list_page(request, db, admin, values=values, errors=errors, status_code=422)
    return secret_page(request, admin, endpoint, hooks.signing_secret(settings.secret_key, endpoint.secret_salt),
                       rotated=False)


@router.post("/admin/webhooks/{endpoint_id}/rotate")
def rotate(request: Request, endpoint_id: int, db: DbDep, admin: AdminDep, settings: SettingsDep) -> Response:
    """A new signing secret, shown once; the old one stops working at once."""
    when = now(request)
    with db.write() as session:
        endpoint = hooks.rotate_secret(session, endpoint_id=endpoint_id, now=when)
        if endpoint is None:
            raise HTTPException(status_code=404)
        admin_repo.audit(session, actor=admin.email, action="webhook.secret_rotated", at=when,
                         target=f"webhook endpoint {endpoint.id} ({endpoint.url})",
                         after={"url": endpoint.url, "secret": "replaced (not recorded)"})
    return secret_page(request, admin, endpoint, hooks.signing_secret(settings.secret_key, endpoint.secret_salt),
                       rotated=True)


@router.post("/admin/webhooks/{endpoint_id}/enable")
def enable(request: Request, endpoint_id: int, db: DbDep, admin: AdminDep) -> Response:
    """Send to this endpoint again."""
    return _switch(request, db, admin, endpoint_id, enabled=True)


@router.post("/admin/webhooks/{endpoint_id}/disable")
def disable(request: Request, endpoint_id: int, db: DbDep, admin: AdminDep) -> Response:
    """Stop queueing events for this endpoint; queued deliveries wait until it is enabled again."""
    return _switch(request, db, admin, endpoint_id, enabled=False)


def _switch(request: Request, db: Database, admin: CurrentAdmin, endpoint_id: int, *, enabled: bool) -> Response:
    """Enable or disable one endpoint, audited."""
    when = now(request)
    with db.write() as session:
        endpoint = hooks.find_endpoint(session, endpoint_id=endpoint_id)
        if endpoint is None:
            raise HTTPException(status_code=404)
        before = described(endpoint)
        hooks.set_enabled(session, endpoint_id=endpoint_id, enabled=enabled, now=when)
        admin_repo.audit(session, actor=admin.email, action="webhook.enabled" if enabled else "webhook.disabled",
                         at=when, target=f"webhook endpoint {endpoint_id} ({endpoint.url})", before=before,
                         after=described(endpoint))
    return see_other(request, f"/admin/webhooks?done={'enabled' if enabled else 'disabled'}")


@router.post("/admin/webhooks/{endpoint_id}/delete")
def delete(request: Request, endpoint_id: int, db: DbDep, admin: AdminDep) -> Response:
    """Delete an endpoint with its deliveries and their log."""
    when = now(request)
    with db.write() as session:
        endpoint = hooks.delete_endpoint(session, endpoint_id=endpoint_id)
        if endpoint is None:
            raise HTTPException(status_code=404)
        admin_repo.audit(session, actor=admin.email, action="webhook.deleted", at=when,
                         target=f"webhook endpoint {endpoint_id} ({endpoint.url})", before=described(endpoint))
    return see_other(request, "/admin/webhooks?done=deleted")


@router.post("/admin/webhooks/{endpoint_id}/test")
def send_test(request: Request, endpoint_id: int, db: DbDep, admin: AdminDep) -> Response:
    """Queue a test event for this endpoint alone (409 while it is disabled: it would wait, unsent)."""
    when = now(request)
    with db.write() as session:
        endpoint = hooks.find_endpoint(session, endpoint_id=endpoint_id)
        if endpoint is None:
            raise HTTPException(status_code=404)
        if endpoint.enabled:
            event_id = hooks.enqueue(session, event_type=hooks.TEST_EVENT, endpoint_ids=[endpoint_id], now=when,
                                     data={"message": "A test event from Tunewise.", "sent_by": admin.email})
            admin_repo.audit(session, actor=admin.email, action="webhook.test_sent", at=when,
                             target=f"webhook endpoint {endpoint_id} ({endpoint.url})", after={"event": event_id})
    if not endpoint.enabled:
        return list_page(request, db, admin, notice="Enable the endpoint before sending it a test event.",
                         status_code=409)
    return see_other(request, "/admin/webhooks?done=tested")


@router.get("/admin/webhooks/deliveries", response_class=HTMLResponse)
def deliveries(request: Request, db: DbDep, admin: AdminDep, page_no: int = 1) -> HTMLResponse:
    """The delivery log, newest first: event, endpoint, attempts, outcome, status, next retry."""
    page_no = max(page_no, 1)
    with db.read() as session:
        rows, total = hooks.delivery_page(session, page=page_no, size=PAGE_SIZE)
        attempts = hooks.attempts_of(session, delivery_ids=[r.delivery.id for r in rows if r.delivery.id])
    context = {"rows": rows, "attempts": attempts, "total": total, "page_no": page_no,
               "pages": max(1, math.ceil(total / PAGE_SIZE)), "event_labels": hooks.EVENT_LABELS,
               "outcomes": OUTCOMES, "base": "/admin/webhooks/deliveries", "answer_words": answer_words}
    return page(request, "admin/webhooks_log.html", admin, context)


OUTCOMES = {"pending": "Waiting", "delivered": "Delivered", "failed": "Failed", "retry": "Will retry"}


def answer_words(code: int | None) -> str:
    """An HTTP status as words an admin can read: "500 Internal Server Error"."""
    if code is None:
        return ""
    try:
        return f"{code} {HTTPStatus(code).phrase}"
    except ValueError:
        return str(code)

