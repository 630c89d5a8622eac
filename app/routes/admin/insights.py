"""Admin insight: the questionnaire funnel, recommendations and confidence by month, decisions and outcomes by
recommended approach (charts with their data tables), each table as CSV, and recorded outcomes as case lines."""

from __future__ import annotations

import csv
import io
import json

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from app.engine.knowledge import Knowledge
from app.routes.admin.common import now, page, safe_cell
from app.store import insights
from app.store.db import Database
from app.views import insights as view
from app.web.admin_guard import AdminDep
from app.web.deps import DbDep, KnowledgeDep, SettingsDep

router = APIRouter(include_in_schema=False)
TABLES = ("funnel", "approaches", "confidence", "decisions")


@router.get("/admin/insights", response_class=HTMLResponse)
def insight_page(request: Request, db: DbDep, admin: AdminDep, knowledge: KnowledgeDep) -> HTMLResponse:
    """The insight page: every figure from one pass of grouped counts."""
    return page(request, "admin/insights.html", admin, figures(db, knowledge))


@router.get("/admin/insights/{table}.csv")
def insight_csv(request: Request, table: str, db: DbDep, admin: AdminDep, knowledge: KnowledgeDep) -> Response:
    """One table of the insight page as CSV (cells guarded against formula injection)."""
    if table not in TABLES:
        raise HTTPException(status_code=404)
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL)
    writer.writerows([safe_cell(v) for v in row] for row in view.csv_rows(table, **figures(db, knowledge)))
    name = f"tunewise-{table}-{now(request):%Y%m%d}.csv"
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/admin/insights/outcomes.jsonl")
def outcomes_jsonl(request: Request, db: DbDep, admin: AdminDep, knowledge: KnowledgeDep,
                   settings: SettingsDep) -> Response:
    """Recorded outcomes that say what worked, one case-library line each (`tunewise eval FILE` reads them)."""
    origin = settings.origin or str(request.base_url).rstrip("/")
    with db.read() as session:
        rows = insights.recorded_outcomes(session)
    lines = [view.outcome_case(d.model_dump(), r.model_dump(), a.model_dump(), knowledge.rules.labels, origin)
             for d, r, a in rows]
    body = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines if line is not None)
    name = f"tunewise-outcomes-{now(request):%Y%m%d}.jsonl"
    return Response(body, media_type="application/x-ndjson; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def figures(db: Database, knowledge: Knowledge) -> dict[str, object]:
    """The page's three views."""
    steps = {s.slug: s.title for s in knowledge.bank.steps}
    with db.read() as session:
        funnel = insights.funnel(session, steps=list(steps))
        months = insights.by_month(session)
        decided = insights.decisions_by_approach(session)
    labels = dict(knowledge.rules.labels)
    return {"funnel": view.funnel_view(funnel, steps), "months": view.months_view(months, labels),
            "decisions": view.decisions_view(decided, labels)}
