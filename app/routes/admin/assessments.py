"""Assessments for admins: search and filter, CSV export, detail, re-evaluate, revoke a view link."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from app.engine.rules import APPROACHES
from app.routes.admin.common import now, page
from app.store import admins as admin_repo
from app.store import results
from app.store.models import Assessment, Result
from app.store.reevaluate import NothingToReevaluate, compare_with_previous, reevaluate
from app.web.admin_guard import AdminDep
from app.web.deps import DbDep, KnowledgeDep, ReportPagesDep
from app.web.forms import as_int, day_after, parse_day
from app.web.render import see_other

router = APIRouter(include_in_schema=False)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CSV_HEADER = ("id", "team", "title", "status", "created_at", "updated_at", "recommendation", "result_at",
              "weights_version", "price_preset")


def safe_cell(value: Any) -> str:
    """A CSV cell that a spreadsheet will not run as a formula (OWASP CSV injection)."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_START) else text


def csv_text(rows: Iterable[tuple[Assessment, Result | None]]) -> str:
    """The assessments as CSV, every cell guarded."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for a, r in rows:
        preset = (r.prices or {}).get("id", "") if r else ""
        writer.writerow([safe_cell(v) for v in (
            a.id, a.team, a.title, a.status, a.created_at.isoformat(), a.updated_at.isoformat(),
            r.recommendation if r else "", r.created_at.isoformat() if r else "", r.weights_version if r else "",
            preset)])
    return out.getvalue()


def search_of(request: Request) -> tuple[admin_repo.Search, dict[str, str]]:
    """The filters from the query string, and their raw values to re-fill the form."""
    q = request.query_params
    raw = {k: q.get(k, "")[:200] for k in ("team", "title", "status", "recommendation", "since", "until")}
    where = admin_repo.Search(raw["team"].strip(), raw["title"].strip(), raw["status"][:16], raw["recommendation"][:16],
                              parse_day(raw["since"]), day_after(parse_day(raw["until"])))
    return where, raw


@router.get("/admin/assessments", response_class=HTMLResponse)
def assessments(request: Request, db: DbDep, admin: AdminDep, page_no: str = "1") -> HTMLResponse:
    """Assessments, newest first: search by team and title, filter by status, recommendation and dates."""
    where, raw = search_of(request)
    number = max(1, as_int(page_no, 1))
    with db.read() as session:
        rows, total = admin_repo.search_assessments(session, where=where, page=number)
        statuses = admin_repo.statuses(session)
    query = urlencode({k: v for k, v in raw.items() if v})
    context = {"rows": rows, "total": total, "page_no": number, "pages": max(1, -(-total // admin_repo.PAGE_SIZE)),
               "filters": raw, "statuses": statuses, "approaches": APPROACHES, "query": query,
               "csv_href": "/admin/assessments.csv" + (f"?{query}" if query else "")}
    return page(request, "admin/assessments.html", admin, context)


@router.get("/admin/assessments.csv")
def assessments_csv(request: Request, db: DbDep, admin: AdminDep) -> Response:
    """Every matching assessment as CSV (cells guarded against formula injection)."""
    where, _ = search_of(request)
    with db.read() as session:
        body = csv_text(admin_repo.iter_assessments(session, where=where))
    stamp = now(request).strftime("%Y%m%d")
    return Response(body, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="assessments-{stamp}.csv"'})


@router.get("/admin/assessments/{assessment_id}", response_class=HTMLResponse)
def detail(request: Request, assessment_id: int, db: DbDep, admin: AdminDep, diff: str = "",
           done: str = "") -> HTMLResponse:
    """One assessment: its results (newest first) with their view links, and what a re-evaluation changed."""
    with db.read() as session:
        assessment = session.get(Assessment, assessment_id)
        if assessment is None:
            raise HTTPException(status_code=404)
        history = results.results_with_links(session, assessment_id=assessment_id)
    compared = compare_with_previous(history, as_int(diff, 0))
    notice = {"revoked": "The view link was revoked.",
              "none": "This assessment has no result to re-evaluate yet."}.get(done, "")
    context = {"assessment": assessment, "history": history, "compared": compared, "notice": notice,
               "now": now(request), "labels": {a: a for a in APPROACHES}}
    return page(request, "admin/assessment.html", admin, context)


@router.post("/admin/assessments/{assessment_id}/reevaluate")
def reevaluate_one(request: Request, assessment_id: int, db: DbDep, admin: AdminDep,
                   knowledge: KnowledgeDep) -> Response:
    """A new result from the same answers with the current weights and preset; the old snapshot stays."""
    when = now(request)
    try:
        with db.write() as session:
            old, new = reevaluate(session, knowledge, assessment_id)
            admin_repo.audit(session, actor=admin.email, action="result.reevaluated", at=when,
                             target=f"assessment {assessment_id}",
                             before={"result": old.id, "primary": old.recommendation,
                                     "weights_version": old.weights_version,
                                     "preset": (old.prices or {}).get("id")},
                             after={"result": new.id, "primary": new.recommendation,
                                    "weights_version": new.weights_version,
                                    "preset": (new.prices or {}).get("id")})
    except NothingToReevaluate:
        return see_other(request, f"/admin/assessments/{assessment_id}?done=none")
    return see_other(request, f"/admin/assessments/{assessment_id}?diff={new.id}#changes")


@router.post("/admin/assessments/{assessment_id}/links/{link_id}/revoke")
def revoke(request: Request, assessment_id: int, link_id: int, db: DbDep, admin: AdminDep,
           pages: ReportPagesDep) -> Response:
    """Revoke one view link: it shows "Page not found" from now on."""
    when = now(request)
    with db.write() as session:
        result_id = results.revoke_link(session, link_id=link_id, assessment_id=assessment_id)
        if result_id is None:
            raise HTTPException(status_code=404)
        admin_repo.audit(session, actor=admin.email, action="link.revoked",
                         target=f"link {link_id} of result {result_id}",
                         at=when, after={"assessment": assessment_id, "result": result_id, "link": link_id})
    pages.forget_result(result_id)
    return see_other(request, f"/admin/assessments/{assessment_id}?done=revoked")
