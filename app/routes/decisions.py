"""The team records what it decided about a result and, later, how it went (edit-link holders only)."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from app.store import assessments, decisions, results
from app.store.db import Database
from app.store.models import Result, utcnow
from app.views.decision import OUTCOME_WORDS, STATUS_WORDS, decision_view
from app.web.contributor import remember, remembered_name
from app.web.decision_form import contributor_of, outcome_form, status_form
from app.web.deps import DbDep, SettingsDep, draft_or_404
from app.web.execution import blocking
from app.web.forms import Fields, form_fields, form_version
from app.web.render import render, see_other

router = APIRouter(include_in_schema=False)
SAVED = {"status": "The decision was saved.", "outcome": "The outcome was saved."}
FIELDS = ("status", "superseded_by", "owner", "decided_on", "rationale", "revisit_by", "approach", "outcome", "note",
          "contributor")
CONFLICT = ("Someone changed this decision while you were editing it ({who}, {when}). What they saved is shown "
            "above; your entries are kept in the form. Check them and save again.")


@router.get("/a/{token}/results/{result_id}/decision", response_class=HTMLResponse)
@blocking
def decision_page(request: Request, token: str, result_id: int, db: DbDep, saved: str = "") -> Response:
    """The decision on one result: its status form and its outcome form."""
    assessment, _ = draft_or_404(db, token)
    return page(request, db, assessment, token, result_id, notice=SAVED.get(saved, ""))


@router.post("/a/{token}/results/{result_id}/decision")
@blocking
def save_status(request: Request, token: str, result_id: int, db: DbDep, settings: SettingsDep) -> Response:
    """Record the status; 422 naming each bad field, 409 when someone changed it meanwhile."""
    return save(request, db, token, result_id, "status", https=settings.https)


@router.post("/a/{token}/results/{result_id}/outcome")
@blocking
def save_outcome(request: Request, token: str, result_id: int, db: DbDep, settings: SettingsDep) -> Response:
    """Record what the team did and how it went; 422 naming each bad field, 409 on a concurrent change."""
    return save(request, db, token, result_id, "outcome", https=settings.https)


def save(request: Request, db: Database, token: str, result_id: int, form: str, *, https: bool) -> Response:
    """Check one of the two forms and record it."""
    assessment, _ = draft_or_404(db, token)
    fields = form_fields(request)
    result, related = _result_or_404(db, assessment.id, result_id)
    parsed: decisions.Status | decisions.Outcome | None
    if form == "status":
        parsed, errors = status_form(fields, {r[0] for r in related if r[0] != result_id})
    else:
        parsed, errors = outcome_form(fields, [a["id"] for a in result.payload.get("approaches", [])])
    contributor, problem = contributor_of(fields)
    if problem:
        errors["contributor"] = problem
    if parsed is None or errors:
        return page(request, db, assessment, token, result_id, form=form, typed=fields, errors=errors,
                    status_code=422)
    try:
        with db.write() as session:
            common: dict[str, Any] = {"assessment_id": assessment.id, "result_id": result_id,
                                      "version": form_version(fields), "contributor": contributor, "now": utcnow()}
            if isinstance(parsed, decisions.Status):
                decisions.record_status(session, status=parsed, **common)
            else:
                decisions.record_outcome(session, outcome=parsed, **common)
    except assessments.Conflict:
        return page(request, db, assessment, token, result_id, form=form, typed=fields, conflict=True,
                    status_code=409)
    url = f"/a/{token}/results/{result_id}/decision?saved={form}#{form}"
    return remember(see_other(request, url), contributor, https=https)


def _result_or_404(db: Database, assessment_id: int, result_id: int) -> tuple[Result, list[Any]]:
    """The result (of this assessment) and the results it may be superseded by; 404 for another team's result."""
    with db.read() as session:
        result = results.result_of(session, result_id=result_id, assessment_id=assessment_id)
        if result is None:
            raise HTTPException(status_code=404)
        return result, decisions.related_results(session, assessment_id=assessment_id)


def page(request: Request, db: Database, assessment: assessments.Draft, token: str, result_id: int, *,
         notice: str = "", form: str = "", typed: Fields | None = None, errors: dict[str, str] | None = None,
         conflict: bool = False, status_code: int = 200) -> HTMLResponse:
    """The decision page; a form that failed keeps what was typed."""
    result, related = _result_or_404(db, assessment.id, result_id)
    with db.read() as session:
        row = decisions.decision_of(session, result_id=result_id)
    stored = row.model_dump() if row is not None else {}
    labels = {a["id"]: a.get("label", a["id"]) for a in result.payload.get("approaches", [])}
    current = decision_view(stored, labels, date.today())
    context = {
        "base": f"/a/{token}", "assessment": assessment, "result": result, "labels": labels, "decision": current,
        "version": stored.get("version", 0), "notice": notice, "errors": errors or {}, "form": form,
        "values": _values(stored, typed), "related": [r for r in related if r[0] != result_id],
        "statuses": STATUS_WORDS, "outcomes": OUTCOME_WORDS, "contributor": remembered_name(request),
        "conflict": CONFLICT.format(who=stored.get("updated_by") or "someone with the edit link",
                                    when=f"{stored['updated_at']:%Y-%m-%d %H:%M} UTC") if conflict and row else "",
    }
    return render(request, "decision/page.html", context, status_code=status_code)


def _values(stored: dict[str, Any], typed: Fields | None) -> dict[str, str]:
    """What the forms show: what was just typed, else what is stored."""
    shown = dict.fromkeys(FIELDS, "") | {name: "" if value is None else str(value) for name, value in stored.items()}
    shown["status"] = shown["status"] or "proposed"
    shown.update(approach=shown.get("outcome_approach", ""), note=shown.get("outcome_note", ""))
    if typed:
        shown.update({name: values[0] for name, values in typed.items() if values})
    return shown
