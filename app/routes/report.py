"""The read-only report behind a view link: HTML (cached), JSON and a Markdown decision record."""

from __future__ import annotations

import functools
import json
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import bindparam, func
from sqlalchemy.orm import aliased
from sqlmodel import col, select

from app.engine.model import Bank
from app.store import results
from app.store.db import Database
from app.store.models import Assessment, Result, ShareLink, utcnow
from app.views.exports import decision_record, snapshot_json
from app.views.report import report_context
from app.web.deps import BankDep, DbDep
from app.web.guard import token_hash
from app.web.render import render

router = APIRouter(include_in_schema=False)
TOKEN_SLOT = "__VIEW_TOKEN__"  # the cached page is shared by every link to a result; each request fills in its own


def shared_snapshot(db: Database, token: str) -> tuple[int, dict[str, Any]]:
    """The result id and snapshot behind a live view link; the same 404 for every bad token."""
    with db.read() as session:
        found = results.find_shared(session, token=token)
        if found is None:
            raise HTTPException(status_code=404)
        link, result, assessment = found
        assert result.id is not None and assessment.id is not None
        newer = (results.latest_result_id(session, assessment_id=assessment.id) or 0) > result.id
        return result.id, results.snapshot(result, assessment, newer_exists=newer, expires_at=link.expires_at)


def _live_link_query() -> Any:
    """Built once (building a statement costs more than running it): a link's result id, expiry, revocation and the
    newest result id of the same assessment."""
    newer = aliased(Result)
    newest = select(func.max(newer.id)).where(newer.assessment_id == Result.assessment_id).scalar_subquery()
    return (select(ShareLink.result_id, ShareLink.expires_at, ShareLink.revoked_at, newest)
            .join(Result, col(Result.id) == ShareLink.result_id)
            .join(Assessment, col(Assessment.id) == Result.assessment_id)
            .where(ShareLink.token_hash == bindparam("token_hash")))


LIVE_LINK = _live_link_query()


def live_key(db: Database, token: str) -> tuple[int, bool, str | None] | None:
    """The report cache key of a live view link (result id, a newer result exists, expiry) read from the link row
    and two ids, without loading the snapshot; None for unknown, revoked or expired links, as results.find_shared.

    A cached report then costs one small query instead of three rows and five JSON documents (bench/README.md)."""
    if not 20 <= len(token) <= 64:
        return None
    rows = db.fetch(LIVE_LINK, {"token_hash": token_hash(token)})  # one statement: no Session, no BEGIN/ROLLBACK
    if not rows:
        return None
    result_id, expires, revoked, latest = rows[0]
    if revoked is not None or (expires is not None and expires <= utcnow()):
        return None
    return result_id, (latest or 0) > result_id, expires.isoformat() if expires else None


@router.get("/r/{token}.json")
def report_json(token: str, db: DbDep) -> Response:
    """The full snapshot as JSON (schema: app/data/result.schema.json)."""
    _, snap = shared_snapshot(db, token)
    body = json.dumps(snapshot_json(snap), ensure_ascii=False, indent=2)
    return Response(body, media_type="application/json")


@router.get("/r/{token}.md")
def report_markdown(token: str, db: DbDep, bank: BankDep) -> Response:
    """A MADR-style decision record of the snapshot."""
    _, snap = shared_snapshot(db, token)
    headers = {"Content-Disposition": 'inline; filename="decision-record.md"'}
    return Response(decision_record(snap, bank), media_type="text/markdown; charset=utf-8", headers=headers)


@router.get("/r/{token}", response_class=HTMLResponse)
async def report(request: Request, token: str) -> Response:
    """The report page; rendered once per result and kept in a server-side cache.

    async: a cache hit is one indexed read of ~0.05 ms, cheaper than the threadpool hop a sync route pays
    (reliability.md §3.4). A miss loads and renders the snapshot through Database.run (inline on SQLite). As
    show_step, it reads db and bank from app.state: dependency solving was ~28 % of a cache hit."""
    db, bank = request.app.state.db, request.app.state.bank
    key = live_key(db, token)
    if key is None:
        raise HTTPException(status_code=404)
    html = request.app.state.report_cache.get(key)
    if html is None:
        html = await db.run(functools.partial(render_cached, request, db, bank, token))
    return HTMLResponse(html.replace(TOKEN_SLOT.encode(), token.encode()), headers={"Vary": "HX-Request"})


def render_cached(request: Request, db: Database, bank: Bank, token: str) -> bytes:
    """Render a report without per-visitor data (no CSRF token: the report has no forms; no view token) and cache it.
    Kept as UTF-8 bytes: half the memory of a str holding any non-Latin-1 character, and no encode per hit."""
    result_id, snap = shared_snapshot(db, token)
    context = {**report_context(snap, bank), "base": f"/r/{TOKEN_SLOT}", "csrf_token": ""}
    html = bytes(render(request, "report/page.html", context).body)
    request.app.state.report_cache.put((result_id, snap["newer_exists"], snap["expires_at"]), html)
    return html
