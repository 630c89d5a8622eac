"""The team's side after the questions: finish (snapshot + view link), manage links, rotate, delete."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.engine import flow
from app.routes.wizard import EXPIRY_CHOICES, form_version, load, render_review
from app.store import assessments as repo
from app.store import results
from app.store.models import Assessment, utcnow
from app.store.reevaluate import NothingToReevaluate, compare_with_previous, reevaluate
from app.web.deps import BankDep, DbDep, form_fields, inline_on_sqlite
from app.web.render import render, see_other

router = APIRouter(include_in_schema=False)
NOTICES = {
    "rotated": "A new edit link was made. The old link no longer works: copy this one.",
    "revoked": "The view link was revoked. Anyone who opens it now sees “Page not found”.",
    "finished": "This assessment was already finished; its results are listed below.",
}


def expiry_days(request: Request, fields: dict[str, list[str]]) -> int | None:
    """The chosen lifetime of a new view link in days (None = never expires)."""
    allowed = {str(days) for days, _ in EXPIRY_CHOICES}
    raw = fields.get("expires", [str(request.app.state.settings.share_link_days)])[0]
    days = int(raw) if raw in allowed else request.app.state.settings.share_link_days
    return days or None


@router.post("/a/{token}/finish")
@inline_on_sqlite
def finish(request: Request, token: str, db: DbDep, bank: BankDep) -> Response:
    """Score the answers, store an immutable snapshot with a view link, and open the report."""
    fields = form_fields(request)
    version, days = form_version(fields), expiry_days(request, fields)
    assessment, stored = load(db, token)
    if (blocker := flow.first_incomplete(bank, stored)) is not None:
        return see_other(request, f"/a/{token}/{blocker}")
    if version != assessment.version:
        return stale_finish(request, bank, assessment, token, stored)
    # Score outside the write lock: it needs no lock and takes milliseconds.
    scored = results.snapshot_fields(request.app.state.current_settings.get(), request.app.state.knowledge,
                                     answers=stored, assumptions=assessment.cost_assumptions)
    try:
        with db.write() as session:
            repo.mark_complete(session, assessment_id=assessment.id, expected=version, now=utcnow())
            _, view = results.store_result(session, assessment_id=assessment.id, fields=scored, days=days)
    except repo.Conflict:  # changed or deleted since it was read: show what is stored now (404 when gone)
        assessment, stored = load(db, token)
        return stale_finish(request, bank, assessment, token, stored)
    return see_other(request, f"/r/{view}")


def stale_finish(request: Request, bank: BankDep, assessment: repo.Draft, token: str, stored: dict) -> Response:
    """A finish from an outdated page: a double click lands on the results, a real change on a 409."""
    if assessment.status == "complete":
        return see_other(request, f"/a/{token}/manage?done=finished")
    notice = "These answers changed in another window since you opened this page. Check them and finish again."
    return render_review(request, bank, assessment, token, stored, notice=notice, status_code=409)


@router.get("/a/{token}/manage", response_class=HTMLResponse)
def manage(request: Request, token: str, db: DbDep, done: str = "", diff: str = "") -> HTMLResponse:
    """Results and their view links, what a re-evaluation changed, a new edit link, or delete."""
    assessment, _ = load(db, token)
    compare = int(diff) if diff.isdigit() and len(diff) < 12 else 0
    return render_manage(request, db, assessment, token, notice=NOTICES.get(done, ""), compare=compare)


def render_manage(
    request: Request, db: DbDep, assessment: Assessment, token: str, *, notice: str = "", error: str = "",
    status_code: int = 200, compare: int = 0,
) -> HTMLResponse:
    """The manage page."""
    assert assessment.id is not None
    with db.read() as session:
        history = results.results_with_links(session, assessment_id=assessment.id)
    context = {
        "assessment": assessment, "base": f"/a/{token}", "continue_href": f"/a/{token}", "notice": notice,
        "delete_error": error, "history": history, "expiry_choices": EXPIRY_CHOICES,
        "default_expiry": request.app.state.settings.share_link_days,
        "compared": compare_with_previous(history, compare) if compare else None,
    }
    return render(request, "wizard/manage.html", context, status_code=status_code)


@router.post("/a/{token}/reevaluate")
def reevaluate_team(request: Request, token: str, db: DbDep) -> Response:
    """Score the newest result's answers again with the current settings; show what changed."""
    assessment, _ = load(db, token)
    assert assessment.id is not None
    try:
        with db.write() as session:
            _, new = reevaluate(session, request.app.state.knowledge, assessment.id)
    except NothingToReevaluate:
        return see_other(request, f"/a/{token}/manage")
    return see_other(request, f"/a/{token}/manage?diff={new.id}#changes")


@router.post("/a/{token}/links")
def new_link(request: Request, token: str, db: DbDep) -> Response:
    """A new view link to one of this assessment's results; opens the report it leads to."""
    fields = form_fields(request)
    raw_id = fields.get("result", [""])[0]
    assessment, _ = load(db, token)
    assert assessment.id is not None
    with db.write() as session:
        result = results.result_of(session, result_id=int(raw_id), assessment_id=assessment.id) if raw_id.isdigit() else None
        if result is None or result.id is None:
            raise HTTPException(status_code=404)
        view = results.add_share_link(session, result_id=result.id, days=expiry_days(request, fields))
    return see_other(request, f"/r/{view}")


@router.post("/a/{token}/links/{link_id}/revoke")
def revoke(request: Request, token: str, link_id: int, db: DbDep) -> Response:
    """Revoke one view link: it stops working at once and leaves the report cache."""
    assessment, _ = load(db, token)
    assert assessment.id is not None
    with db.write() as session:
        result_id = results.revoke_link(session, link_id=link_id, assessment_id=assessment.id)
    if result_id is None:
        raise HTTPException(status_code=404)
    request.app.state.report_cache.drop(lambda key: key[0] == result_id)
    return see_other(request, f"/a/{token}/manage?done=revoked")


@router.post("/a/{token}/rotate")
def rotate(token: str, db: DbDep) -> RedirectResponse:
    """Replace the edit token; the old link stops working at once."""
    with db.write() as session:
        assessment = repo.find_by_token(session, token=token, lock=True)
        if assessment is None:
            raise HTTPException(status_code=404)
        new = repo.rotate_edit_token(session, assessment=assessment)
    return RedirectResponse(f"/a/{new}/manage?done=rotated", status_code=303)


@router.post("/a/{token}/delete")
def delete(request: Request, token: str, db: DbDep) -> Response:
    """Delete the assessment (answers, results, links) after an explicit confirmation."""
    if form_fields(request).get("confirm") != ["yes"]:
        assessment, _ = load(db, token)
        error = "Error: tick the box to confirm that you want to delete the assessment."
        return render_manage(request, db, assessment, token, error=error, status_code=422)
    with db.write() as session:
        assessment = repo.find_by_token(session, token=token, lock=True)
        if assessment is None:
            raise HTTPException(status_code=404)
        repo.delete_assessment(session, assessment=assessment)
    request.app.state.report_cache.drop(lambda key: True)
    return RedirectResponse("/?done=deleted", status_code=303)
