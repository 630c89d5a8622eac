"""The read-only report behind a view link: HTML (rendered once per result), JSON and a Markdown decision record."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from app.engine.model import Bank
from app.store import results, variants
from app.store.db import Database
from app.views.compare import compare_context, view_token_in
from app.views.exports import snapshot_json
from app.views.report import report_context
from app.web.deps import BankDep, DbDep, ReportPagesDep, shared_or_404
from app.web.execution import blocking
from app.web.exports import decision_record
from app.web.render import render, see_other

router = APIRouter(include_in_schema=False)
ORIGIN = "origin"  # /r/{variant}/compare/origin: never a token (those are 43 characters)


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


@router.get("/r/{token}/compare/{other}.json")
@blocking
def compare_json(request: Request, token: str, other: str, db: DbDep, bank: BankDep) -> Response:
    """The comparison of two results as JSON: the page's figures, unformatted."""
    return JSONResponse(comparison(db, bank, token, other))


@router.get("/r/{token}/compare/{other}", response_class=HTMLResponse)
@blocking
def compare(request: Request, token: str, other: str, db: DbDep, bank: BankDep) -> Response:
    """Two results side by side (any two live view links; a bad one on either side is the report's 404)."""
    tokens = {"token_a": None, "token_b": token} if other == ORIGIN else {"token_a": token, "token_b": other}
    context = {**comparison(db, bank, token, other), **tokens}
    return render(request, "compare/page.html", context)


@router.get("/r/{token}/compare", response_class=HTMLResponse)
@blocking
def compare_with(request: Request, token: str, db: DbDep, other: str = "") -> Response:
    """Ask for the other report's link; a good one redirects to the comparison, a bad one is a 422 naming it."""
    _, snap = shared_or_404(db, token)
    errors: dict[str, str] = {}
    if other:
        found = view_token_in(other)
        if found is not None and results.live_key(db, token=found) is not None:
            return see_other(request, f"/r/{token}/compare/{found}")
        errors["other"] = ("That is not a report link: paste the address of another Tunewise report." if found is None
                           else "That report link is unknown, revoked or expired.")
    context = {"token": token, "title": snap.get("title", ""), "value": other, "errors": errors}
    return render(request, "compare/choose.html", context, status_code=422 if errors else 200)


def comparison(db: Database, bank: Bank, token: str, other: str) -> dict[str, Any]:
    """The compare context of two live view links, or the report's 404. `other` may be "origin": a variant's
    report against the result it was made from (A), which its view link alone lets it reach."""
    if other == ORIGIN:
        _, variant = shared_or_404(db, token)
        origin = variants.origin_snapshot(db, token=token)
        if origin is None:
            raise HTTPException(status_code=404)
        return compare_context(origin, variant, bank, date.today())
    (_, a), (_, b) = shared_or_404(db, token), shared_or_404(db, other)
    return compare_context(a, b, bank, date.today())
