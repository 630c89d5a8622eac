"""The read-only report behind a view link: HTML (rendered once per result), JSON and a Markdown decision record."""

from __future__ import annotations

import json

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from app.store import results
from app.views.exports import snapshot_json
from app.views.report import report_context
from app.web.deps import BankDep, DbDep, ReportPagesDep, shared_or_404
from app.web.execution import blocking
from app.web.exports import decision_record
from app.web.render import render

router = APIRouter(include_in_schema=False)


@router.get("/r/{token}.json")
@blocking
def report_json(request: Request, token: str, db: DbDep) -> Response:
    """The full snapshot as JSON (schema: app/data/result.schema.json)."""
    _, snap = shared_or_404(db, token)
    body = json.dumps(snapshot_json(snap), ensure_ascii=False, indent=2)
    return Response(body, media_type="application/json")


@router.get("/r/{token}.md")
@blocking
def report_markdown(request: Request, token: str, db: DbDep, bank: BankDep) -> Response:
    """A MADR-style decision record of the snapshot."""
    _, snap = shared_or_404(db, token)
    headers = {"Content-Disposition": 'inline; filename="decision-record.md"'}
    return Response(decision_record(request, snap, bank), media_type="text/markdown; charset=utf-8", headers=headers)


@router.get("/r/{token}", response_class=HTMLResponse)
@blocking
def report(request: Request, token: str, db: DbDep, bank: BankDep, pages: ReportPagesDep) -> Response:
    """The report page, rendered once per result and served to every view link from the page cache."""
    key = results.live_key(db, token=token)
    if key is None:
        raise HTTPException(status_code=404)
    html = pages.get(key, token)
    if html is None:
        _, snap = shared_or_404(db, token)
        context = {**report_context(snap, bank), "base": f"/r/{pages.slot}", "csrf_token": ""}
        page = bytes(render(request, "report/page.html", context).body)
        pages.put(key, page)
        html = pages.fill(page, token)
    return HTMLResponse(html, headers={"Vary": "HX-Request"})
