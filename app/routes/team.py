"""The team's side after the questions: check answers, finish (snapshot + view link), manage links, rotate, delete."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.engine import flow
from app.engine.model import Bank
from app.engine.rules import Knowledge
from app.settings import Settings
from app.store import assessments, decisions, history, results
from app.store.db import Database
from app.store.models import utcnow
from app.store.reevaluate import NothingChanged, NothingToReevaluate, reevaluate
from app.views import wizard as view
from app.views.changes import diff_in_words
from app.views.decision import decision_view
from app.views.history import link_rows, save_entries, your_report
from app.web.deps import (
    BankDep,
    CurrentSettingsDep,
    DbDep,
    KnowledgeDep,
    ReportPagesDep,
    SettingsDep,
    draft_or_404,
)
from app.web.execution import blocking
from app.web.forms import Fields, as_int, first, form_fields, form_version
from app.web.render import render, see_other

router = APIRouter(include_in_schema=False)
NOTICES = {
    "rotated": "A new edit link was made. The old link no longer works: copy this one.",
    "revoked": "The view link was revoked. Anyone who opens it now sees “Page not found”.",
    "finished": "This assessment was already finished; its results are listed below.",
    "unchanged": ("Nothing changed: the answers, weights and prices are the same as in the newest result, so no "
                  "new result was made."),
}
STALE = "These answers changed in another window since you opened this page. Check them and finish again."


def too_many(error: results.TooMany) -> str:
    """What to do when an assessment holds as many results or live links as it may."""
    if error.what == "links":
        return (f"This assessment has {error.limit} working read-only links, the most it may have. Revoke one you "
                "no longer need on the manage page, then try again.")
    return (f"This assessment holds {error.limit} results, the most it may keep. Start a new assessment to record "
            "more.")


def expiry_days(settings: Settings, fields: Fields) -> int | None:
    """The chosen lifetime of a new view link in days (None = never expires)."""
    allowed = {str(days) for days, _ in view.EXPIRY_CHOICES}
    raw = first(fields, "expires") or str(settings.share_link_days)
    days = int(raw) if raw in allowed else settings.share_link_days
    return days or None


@router.get("/a/{token}/review", response_class=HTMLResponse)
@blocking
def review(request: Request, token: str, db: DbDep, bank: BankDep, settings: SettingsDep) -> Response:
    """Check your answers, with a Change link for each, and the button that finishes."""
    assessment, stored = draft_or_404(db, token)
    if (blocker := flow.first_incomplete(bank, stored)) is not None:
        return RedirectResponse(f"/a/{token}/{blocker}", status_code=303)
    return render_review(request, db, bank, settings, assessment, token, stored)


def render_review(
    request: Request, db: Database, bank: Bank, settings: Settings, assessment: assessments.Draft, token: str,
    stored: dict[str, Any], *, notice: str = "", status_code: int = 200,
) -> HTMLResponse:
    """The check-answers page, with the team's newest report when there is one."""
    now = utcnow()
    with db.read() as session:
        newest, _ = history.team_history(session, assessment_id=assessment.id, now=now, limit=1, edit_token=token)
    entries = team_entries(request, settings, newest, token, now)
    context = {**view.review_context(bank, assessment, token, stored), "notice": notice,
               "default_expiry": settings.share_link_days,
               "newest": entries[0][0] if entries else None, "your_report": your_report(entries)}
    return render(request, "wizard/review.html", context, status_code=status_code)


def team_entries(request: Request, settings: Settings, found: list[tuple[Any, list[history.TeamLink]]], token: str,
                 now: datetime) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """Results in words, each with its working links and their addresses (where the edit token recomputes them)."""
    names, base = get_names(request), f"/a/{token}"
    origin = settings.origin or str(request.base_url).rstrip("/")
    return [(view.result_entry(result, names, base), link_rows(links, origin=origin, base=base, now=now))
            for result, links in found]


def knowledge_of(request: Request) -> Knowledge:
    """The app's knowledge, for helpers called from several handlers."""
    knowledge: Knowledge = request.app.state.knowledge
    return knowledge


def get_names(request: Request) -> dict[str, str]:
    """Approach id → its name in words, from the knowledge ("PROMPT" → "Prompt engineering")."""
    return dict(knowledge_of(request).rules.labels)


@router.post("/a/{token}/finish")
@blocking
def finish(request: Request, token: str, db: DbDep, bank: BankDep, settings: SettingsDep,
           knowledge: KnowledgeDep, current: CurrentSettingsDep) -> Response:
    """Score the answers, store an immutable snapshot with a view link, and open the report."""
    fields = form_fields(request)
    version, days = form_version(fields), expiry_days(settings, fields)
    assessment, stored = draft_or_404(db, token)
    if (blocker := flow.first_incomplete(bank, stored)) is not None:
        return see_other(request, f"/a/{token}/{blocker}")
    if version != assessment.version:
        return stale_finish(request, db, bank, settings, (assessment, stored), token)
    # Score outside the write lock: it needs no lock and takes milliseconds.
    scored = results.snapshot_fields(current.get(), knowledge, answers=stored, assumptions=assessment.cost_assumptions)
    try:
        with db.write() as session:
            assessments.mark_complete(session, assessment_id=assessment.id, expected=version, now=utcnow())
            view_token = results.record_finish(session, assessment_id=assessment.id, fields=scored, days=days,
                                               max_results=settings.max_results, max_live=settings.max_live_links,
                                               edit_token=token)
    except assessments.Conflict:  # changed or deleted since it was read: show what is stored now (404 when gone)
        return stale_finish(request, db, bank, settings, draft_or_404(db, token), token)
    except results.TooMany as error:
        return render_review(request, db, bank, settings, assessment, token, stored, notice=too_many(error),
                             status_code=409)
    return see_other(request, f"/r/{view_token}")


def stale_finish(request: Request, db: Database, bank: Bank, settings: Settings,
                 draft: tuple[assessments.Draft, dict[str, Any]], token: str) -> Response:
    """A finish from an outdated page: a double click lands on the results, a real change on a 409."""
    assessment, stored = draft
    if assessment.status == "complete":
        return see_other(request, f"/a/{token}/manage?done=finished")
    return render_review(request, db, bank, settings, assessment, token, stored, notice=STALE, status_code=409)


@router.get("/a/{token}/manage", response_class=HTMLResponse)
def manage(request: Request, token: str, db: DbDep, settings: SettingsDep, done: str = "",
           diff: str = "") -> HTMLResponse:
    """Results and their view links, what a re-evaluation changed, a new edit link, or delete."""
    assessment, _ = draft_or_404(db, token)
    return render_manage(request, db, settings, assessment, token, notice=NOTICES.get(done, ""),
                         compare=as_int(diff, 0))


def render_manage(
    request: Request, db: Database, settings: Settings, assessment: assessments.Draft, token: str, *,
    notice: str = "", error: str = "", status_code: int = 200, compare: int = 0,
) -> HTMLResponse:
    """The manage page."""
    now = utcnow()
    with db.read() as session:
        found, dead = history.team_history(session, assessment_id=assessment.id, now=now,
                                           limit=max(settings.max_results, 1), edit_token=token)
        compared = history.compared(session, assessment_id=assessment.id, result_id=compare) if compare else None
        recorded = decisions.decisions_of(session, assessment_id=assessment.id)
        saved = history.saves(session, assessment_id=assessment.id)
    names, today = get_names(request), date.today()
    entries = [({**entry, "decision": decision_view(
        recorded[entry["id"]].model_dump() if entry["id"] in recorded else None, names, today)}, links)
        for entry, links in team_entries(request, settings, found, token, now)]
    context = {
        "assessment": assessment, "base": f"/a/{token}", "continue_href": f"/a/{token}", "notice": notice,
        "delete_error": error, "dead_links": dead, "expiry_choices": view.EXPIRY_CHOICES,
        "history": entries, "your_report": your_report(entries),
        "default_expiry": settings.share_link_days, "compared": diff_in_words(compared, names),
        "saves": save_entries(knowledge_of(request).bank, saved),
    }
    return render(request, "wizard/manage.html", context, status_code=status_code)


@router.post("/a/{token}/reevaluate")
def reevaluate_team(request: Request, token: str, db: DbDep, knowledge: KnowledgeDep,
                    settings: SettingsDep) -> Response:
    """Score the newest result's answers again with the current settings; show what changed (or that nothing
    did: then no result is added)."""
    assessment, _ = draft_or_404(db, token)
    try:
        with db.write() as session:
            _, new = reevaluate(session, knowledge, assessment.id, max_results=settings.max_results)
    except NothingToReevaluate:
        return see_other(request, f"/a/{token}/manage")
    except NothingChanged:
        return see_other(request, f"/a/{token}/manage?done=unchanged")
    except results.TooMany as error:
        return render_manage(request, db, settings, assessment, token, notice=too_many(error), status_code=409)
    return see_other(request, f"/a/{token}/manage?diff={new.id}#changes")


@router.post("/a/{token}/links")
def new_link(request: Request, token: str, db: DbDep, settings: SettingsDep) -> Response:
    """A new view link to one of this assessment's results (at most max_live_links working ones); opens the
    report it leads to."""
    fields = form_fields(request)
    result_id = as_int(first(fields, "result"))
    assessment, _ = draft_or_404(db, token)
    try:
        with db.write() as session:
            result = results.result_of(session, result_id=result_id, assessment_id=assessment.id)
            if result is None or result.id is None or not results.lock_assessment(session, assessment_id=assessment.id):
                raise HTTPException(status_code=404)
            results.room_for_link(session, assessment_id=assessment.id, max_live=settings.max_live_links)
            view_token = results.add_share_link(session, result_id=result.id, days=expiry_days(settings, fields),
                                                edit_token=token)
    except results.TooMany as error:
        return render_manage(request, db, settings, assessment, token, notice=too_many(error), status_code=409)
    return see_other(request, f"/r/{view_token}")


@router.post("/a/{token}/links/{link_id}/revoke")
def revoke(request: Request, token: str, link_id: int, db: DbDep, pages: ReportPagesDep) -> Response:
    """Revoke one view link: it stops working at once and its report leaves the page cache."""
    assessment, _ = draft_or_404(db, token)
    with db.write() as session:
        result_id = results.revoke_link(session, link_id=link_id, assessment_id=assessment.id)
    if result_id is None:
        raise HTTPException(status_code=404)
    pages.forget_result(result_id)
    return see_other(request, f"/a/{token}/manage?done=revoked")


@router.post("/a/{token}/rotate")
def rotate(token: str, db: DbDep) -> RedirectResponse:
    """Replace the edit token; the old link stops working at once."""
    with db.write() as session:
        assessment = assessments.find_by_token(session, token=token, lock=True)
        if assessment is None:
            raise HTTPException(status_code=404)
        new = assessments.rotate_edit_token(session, assessment=assessment)
    return RedirectResponse(f"/a/{new}/manage?done=rotated", status_code=303)


@router.post("/a/{token}/delete")
def delete(request: Request, token: str, db: DbDep, settings: SettingsDep, pages: ReportPagesDep) -> Response:
    """Delete the assessment (answers, results, links) after an explicit confirmation."""
    if form_fields(request).get("confirm") != ["yes"]:
        assessment, _ = draft_or_404(db, token)
        error = "Error: tick the box to confirm that you want to delete the assessment."
        return render_manage(request, db, settings, assessment, token, error=error, status_code=422)
    with db.write() as session:
        row = assessments.find_by_token(session, token=token, lock=True)
        if row is None:
            raise HTTPException(status_code=404)
        assessments.delete_assessment(session, assessment=row)
    pages.clear()
    return RedirectResponse("/?done=deleted", status_code=303)
