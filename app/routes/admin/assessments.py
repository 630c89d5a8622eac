"""Assessments for admins: search and filter, CSV export, detail, re-evaluate, revoke a view link."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse

from app.engine.rules import APPROACHES
from app.routes.admin.common import now, page, safe_cell
from app.store import admins as admin_repo
from app.store import history, results, search
from app.store.db import Database
from app.store.models import Assessment
from app.store.reevaluate import NothingChanged, NothingToReevaluate, reevaluate
from app.views.changes import diff_in_words
from app.web.admin_guard import AdminDep, CurrentAdmin
from app.web.deps import DbDep, KnowledgeDep, ReportPagesDep, SettingsDep
from app.web.forms import as_int, day_after, parse_day
from app.web.render import see_other

router = APIRouter(include_in_schema=False)
CSV_HEADER = ("id", "team", "title", "status", "created_at", "updated_at", "recommendation", "result_at",
              "weights_version", "price_preset")
CSV_CHUNK = 500  # rows per chunk of the streamed export
NOTICES = {"revoked": "The view link was revoked.", "none": "This assessment has no result to re-evaluate yet.",
           "unchanged": ("Nothing changed: the newest result already has these answers, weights and prices, so no "
                         "result was added.")}


def csv_lines(rows: Iterable[search.Row]) -> Iterator[str]:
    """The assessments as CSV, a chunk of lines at a time, every cell guarded and quoted."""
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL)
    writer.writerow(CSV_HEADER)
    for count, r in enumerate(rows, start=1):
        writer.writerow([safe_cell(v) for v in (
            r.id, r.team, r.title, r.status, r.created_at.isoformat(), r.updated_at.isoformat(), r.recommendation,
            r.result_at.isoformat() if r.result_at else "", r.weights_version, r.preset)])
        if count % CSV_CHUNK == 0:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


def search_of(request: Request) -> tuple[search.Search, dict[str, str]]:
    """The filters from the query string, and their raw values to re-fill the form."""
    q = request.query_params
    raw = {k: q.get(k, "")[:200] for k in ("team", "title", "status", "recommendation", "since", "until")}
    where = search.Search(raw["team"].strip(), raw["title"].strip(), raw["status"][:16], raw["recommendation"][:16],
                          parse_day(raw["since"]), day_after(parse_day(raw["until"])))
    return where, raw


@router.get("/admin/assessments", response_class=HTMLResponse)
def assessments(request: Request, db: DbDep, admin: AdminDep, page_no: str = "1") -> HTMLResponse:
    """Assessments, newest first: search by team and title, filter by status, recommendation and dates."""
    where, raw = search_of(request)
    number = max(1, as_int(page_no, 1))
    with db.read() as session:
        rows, total = search.search_assessments(session, where=where, page=number)
        statuses = search.statuses(session)
    query = urlencode({k: v for k, v in raw.items() if v})
    context = {"rows": rows, "total": total, "page_no": number, "pages": max(1, -(-total // search.PAGE_SIZE)),
               "filters": raw, "statuses": statuses, "approaches": APPROACHES, "query": query,
               "names": dict(request.app.state.knowledge.rules.labels),
               "csv_href": "/admin/assessments.csv" + (f"?{query}" if query else "")}
    return page(request, "admin/assessments.html", admin, context)


@router.get("/admin/assessments.csv")
def assessments_csv(request: Request, db: DbDep, admin: AdminDep) -> Response:
    """Every matching assessment as CSV (cells guarded against formula injection), streamed in batches."""
    where, _ = search_of(request)
    stamp = now(request).strftime("%Y%m%d")
    return StreamingResponse(csv_lines(search.iter_assessments(db, where=where)), media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": f'attachment; filename="assessments-{stamp}.csv"'})


@router.get("/admin/assessments/{assessment_id}", response_class=HTMLResponse)
def detail(request: Request, assessment_id: int, db: DbDep, admin: AdminDep, diff: str = "", done: str = "",
           page_no: str = "1", links_page: str = "1") -> HTMLResponse:
    """One assessment: its results (newest first, a page at a time), every view link (a page at a time), and what
    a re-evaluation changed."""
    return detail_page(request, db, admin, assessment_id, diff=as_int(diff, 0), notice=NOTICES.get(done, ""),
                       results_at=max(1, as_int(page_no, 1)), links_at=max(1, as_int(links_page, 1)))


def detail_page(request: Request, db: Database, admin: CurrentAdmin, assessment_id: int, *, diff: int = 0,
                notice: str = "", results_at: int = 1, links_at: int = 1, status_code: int = 200) -> HTMLResponse:
    """The detail page of one assessment."""
    when = now(request)
    with db.read() as session:
        assessment = session.get(Assessment, assessment_id)
        if assessment is None:
            raise HTTPException(status_code=404)
        found = history.results_page(session, assessment_id=assessment_id, page=results_at, now=when)
        links = history.links_page(session, assessment_id=assessment_id, page=links_at)
        numbers = history.result_numbers(session, assessment_id=assessment_id)
        compared = history.compared(session, assessment_id=assessment_id, result_id=diff) if diff else None
    labels = dict(request.app.state.knowledge.rules.labels)  # approaches in words, never their codes
    context = {"assessment": assessment, "found": found, "links": links, "numbers": numbers,
               "compared": diff_in_words(compared, labels), "notice": notice, "now": when, "labels": labels,
               "base": f"/admin/assessments/{assessment_id}?links_page={links.number}",
               "links_base": f"/admin/assessments/{assessment_id}?page_no={found.number}"}
    return page(request, "admin/assessment.html", admin, context, status_code=status_code)


@router.post("/admin/assessments/{assessment_id}/reevaluate")
def reevaluate_one(request: Request, assessment_id: int, db: DbDep, admin: AdminDep, knowledge: KnowledgeDep,
                   settings: SettingsDep) -> Response:
    """A new result from the same answers with the current weights and preset; the old snapshot stays. Nothing
    is added when it would equal the newest result."""
    when = now(request)
    try:
        with db.write() as session:
            old, new = reevaluate(session, knowledge, assessment_id, max_results=settings.max_results)
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
    except NothingChanged:
        return see_other(request, f"/admin/assessments/{assessment_id}?done=unchanged")
    except results.TooMany as error:
        notice = (f"This assessment holds {error.limit} results, the most it may keep (TUNEWISE_MAX_RESULTS): "
                  "nothing was added.")
        return detail_page(request, db, admin, assessment_id, notice=notice, status_code=409)
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
