"""The team's wizard: landing, one URL per step, check answers, finish, manage (rotate, delete)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from .. import repo, wizard_view as view
from ..db import Database
from ..deps import BankDep, DbDep, form_fields
from ..engine import flow
from ..engine.model import Bank
from ..models import Assessment
from ..security import new_token
from ..textinput import clean_text
from ..web import is_htmx, render

router = APIRouter(include_in_schema=False)
CONTROL_FIELDS = ("csrf_token", "version", "idem")
DONE_NOTICES = {"deleted": "The assessment was deleted, with its answers, results and links.",
                "rotated": "A new edit link was made. The old link no longer works: copy this one."}


def load(db: Database, token: str) -> tuple[Assessment, dict[str, Any]]:
    """The assessment behind an edit token and its stored answers, or 404."""
    with db.read() as session:
        assessment = repo.find_by_token(session, token=token)
        if assessment is None or assessment.id is None:
            raise HTTPException(status_code=404)
        return assessment, repo.answers_of(session, assessment_id=assessment.id)


def see_other(request: Request, url: str) -> Response:
    """Post/Redirect/Get: 303 for plain forms, HX-Redirect for htmx."""
    if is_htmx(request):
        return Response(status_code=200, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


@router.get("/", response_class=HTMLResponse)
def landing(request: Request, done: str = "") -> HTMLResponse:
    """What Tunewise does, and the form that starts an assessment."""
    return render(request, "landing.html", {"errors": {}, "values": {}, "labels": {}, "notice": DONE_NOTICES.get(done, "")})


@router.post("/assessments")
def start(request: Request, db: DbDep) -> Response:
    """Create a draft from team name and use-case title, then go to the first step."""
    fields = form_fields(request)
    values, errors = {}, {}
    for name, limit, label in (("team", 120, "team name"), ("title", 200, "use case")):
        values[name], problem = clean_text(fields.get(name, [""])[0], limit, label)
        if problem:
            errors[name] = problem
    if errors:
        labels = {"team": "Team name", "title": "Use case"}
        context = {"errors": errors, "values": values, "labels": labels, "notice": ""}
        return render(request, "landing.html", context, status_code=422)
    with db.write() as session:
        _, token = repo.create_assessment(session, team=values["team"], title=values["title"])
    return RedirectResponse(f"/a/{token}/{flow.slugs(request.app.state.bank)[0]}", status_code=303)


@router.get("/a/{token}")
def resume(token: str, db: DbDep, bank: BankDep) -> RedirectResponse:
    """The edit link itself: continue at the first unanswered step (or the review)."""
    _, stored = load(db, token)
    return RedirectResponse(f"/a/{token}/{flow.first_incomplete(bank, stored) or flow.REVIEW}", status_code=303)


@router.get("/a/{token}/review", response_class=HTMLResponse)
def review(request: Request, token: str, db: DbDep, bank: BankDep) -> Response:
    """Check your answers, with a Change link for each, and the button that finishes."""
    assessment, stored = load(db, token)
    if (blocker := flow.first_incomplete(bank, stored)) is not None:
        return RedirectResponse(f"/a/{token}/{blocker}", status_code=303)
    return render_review(request, bank, assessment, token, stored)


def render_review(
    request: Request, bank: Bank, assessment: Assessment, token: str, stored: dict[str, Any],
    *, notice: str = "", status_code: int = 200, template: str = "wizard/review.html",
) -> HTMLResponse:
    """The review page (also the base of the finished page)."""
    context = {
        "assessment": assessment, "sections": view.review_sections(bank, token, stored),
        "stepper": view.stepper(bank, token, flow.REVIEW, set(stored)), "oob": False,
        "finish_action": f"/a/{token}/finish", "finish_label": "Get the recommendation",
        "version": assessment.version, "notice": notice,
        "back_href": f"/a/{token}/{flow.slugs(bank)[-1]}",
    }
    return render(request, template, context, status_code=status_code)


@router.post("/a/{token}/finish")
def finish(request: Request, token: str, db: DbDep, bank: BankDep) -> Response:
    """Mark the assessment complete once every step is answered."""
    version = _version(form_fields(request))
    with db.write() as session:
        assessment = repo.find_by_token(session, token=token, lock=True)
        if assessment is None or assessment.id is None:
            raise HTTPException(status_code=404)
        stored = repo.answers_of(session, assessment_id=assessment.id)
        blocker = flow.first_incomplete(bank, stored)
        stale = version != assessment.version
        if blocker is None and not stale:
            repo.set_status(session, assessment=assessment, status="complete")
    if blocker is not None:
        return see_other(request, f"/a/{token}/{blocker}")
    if stale and assessment.status != "complete":
        notice = "These answers changed in another window since you opened this page. Check them and finish again."
        return render_review(request, bank, assessment, token, stored, notice=notice, status_code=409)
    return see_other(request, f"/a/{token}/done")


@router.get("/a/{token}/done", response_class=HTMLResponse)
def done(request: Request, token: str, db: DbDep, bank: BankDep) -> HTMLResponse:
    """The finished page: until the engine lands, the stored answers."""
    assessment, stored = load(db, token)
    if assessment.status != "complete":
        raise HTTPException(status_code=404)
    return render_review(request, bank, assessment, token, stored, template="wizard/done.html")


@router.get("/a/{token}/manage", response_class=HTMLResponse)
def manage(request: Request, token: str, db: DbDep, done: str = "") -> HTMLResponse:
    """Replace the edit link or delete the assessment."""
    assessment, _ = load(db, token)
    return render_manage(request, assessment, token, notice=DONE_NOTICES.get(done, ""))


def render_manage(
    request: Request, assessment: Assessment, token: str, *, notice: str = "", error: str = "", status_code: int = 200
) -> HTMLResponse:
    """The manage page."""
    context = {"assessment": assessment, "base": f"/a/{token}", "continue_href": f"/a/{token}",
               "notice": notice, "delete_error": error}
    return render(request, "wizard/manage.html", context, status_code=status_code)


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
    """Delete the assessment after an explicit confirmation."""
    if form_fields(request).get("confirm") != ["yes"]:
        assessment, _ = load(db, token)
        error = "Error: tick the box to confirm that you want to delete the assessment."
        return render_manage(request, assessment, token, error=error, status_code=422)
    with db.write() as session:
        assessment = repo.find_by_token(session, token=token, lock=True)
        if assessment is None:
            raise HTTPException(status_code=404)
        repo.delete_assessment(session, assessment=assessment)
    return RedirectResponse("/?done=deleted", status_code=303)


@router.get("/a/{token}/{slug}", response_class=HTMLResponse)
def show_step(request: Request, token: str, slug: str, db: DbDep, bank: BankDep) -> Response:
    """One step, rendered from stored state (a fragment for htmx, else the full page)."""
    _known_step(bank, slug)
    assessment, stored = load(db, token)
    if not flow.may_open(bank, slug, stored):
        return RedirectResponse(f"/a/{token}/{flow.first_incomplete(bank, stored)}", status_code=303)
    values = view.display_values(view.with_defaults(bank, stored))
    return render_step(request, bank, assessment, token, slug, values, stored)


@router.post("/a/{token}/{slug}")
def save_step(request: Request, token: str, slug: str, db: DbDep, bank: BankDep) -> Response:
    """Validate and store one step; then the next step (htmx) or a 303 to it."""
    _known_step(bank, slug)
    fields = form_fields(request)
    version, idem = _version(fields), fields.get("idem", [""])[0][:64]
    parsed = flow.parse_step(bank, slug, {k: v for k, v in fields.items() if k not in CONTROL_FIELDS})
    if parsed.errors:
        assessment, stored = load(db, token)
        return render_step(request, bank, assessment, token, slug, fields, stored, errors=parsed.errors)
    try:
        with db.write() as session:
            assessment = repo.find_by_token(session, token=token, lock=True)
            if assessment is None or assessment.id is None:
                raise HTTPException(status_code=404)
            stored = repo.answers_of(session, assessment_id=assessment.id)
            if not flow.may_open(bank, slug, stored):
                return see_other(request, f"/a/{token}/{flow.first_incomplete(bank, stored)}")
            repo.save_step(session, assessment=assessment, step=slug, answers=parsed.answers, version=version, idem=idem)
    except repo.Conflict:
        return conflict(request, bank, token, slug)
    return advance(request, db, bank, token, slug)


def advance(request: Request, db: Database, bank: Bank, token: str, slug: str) -> Response:
    """After a save: the next step as a fragment with HX-Push-Url, or a 303 to it."""
    target = flow.next_slug(bank, slug)
    url = f"/a/{token}/{target}"
    if not is_htmx(request) or target == flow.REVIEW:
        return see_other(request, url)
    assessment, stored = load(db, token)
    values = view.display_values(view.with_defaults(bank, stored))
    response = render_step(request, bank, assessment, token, target, values, stored, saved=True)
    response.headers["HX-Push-Url"] = url
    return response


def conflict(request: Request, bank: Bank, token: str, slug: str) -> HTMLResponse:
    """409: the step changed elsewhere; show what is stored now, nothing is overwritten."""
    assessment, stored = load(request.app.state.db, token)
    values = view.display_values(view.with_defaults(bank, stored))
    notice = "This assessment changed in another window since you opened this step. The saved answers are shown: check them and save again."
    return render_step(request, bank, assessment, token, slug, values, stored, notice=notice, status_code=409)


def render_step(
    request: Request, bank: Bank, assessment: Assessment, token: str, slug: str,
    values: dict[str, list[str]], stored: dict[str, Any], *, errors: dict[str, str] | None = None,
    notice: str = "", status_code: int = 0, saved: bool = False,
) -> HTMLResponse:
    """The step page or fragment with its stepper, progress, saved state and errors."""
    step = bank.step(slug)
    progress = flow.progress(bank, step)
    previous = flow.previous_slug(bank, slug)
    context = {
        "assessment": assessment, "step": step, "questions": bank.step_questions(slug), "current": values,
        "errors": errors or {}, "labels": view.labels(bank), "sources": bank.sources, "notice": notice,
        "progress": progress, "action": f"/a/{token}/{slug}", "version": assessment.version, "idem": new_token(),
        "back_href": f"/a/{token}/{previous}" if previous else "", "extra_template": "",
        "stepper": view.stepper(bank, token, slug, set(stored)), "oob": False,
        "saved_at": assessment.updated_at if assessment.version else None,
        "edit_url": f"{str(request.base_url).rstrip('/')}/a/{token}", "manage_href": f"/a/{token}/manage",
        "announce": ("There is a problem: " if errors else ("Saved. " if saved else "")) + progress,
    }
    template = "wizard/step_fragment.html" if is_htmx(request) else "wizard/step.html"
    return render(request, template, context, status_code=status_code or (422 if errors else 200))


def _known_step(bank: Bank, slug: str) -> None:
    """404 for a step that does not exist."""
    if slug not in flow.slugs(bank):
        raise HTTPException(status_code=404)


def _version(fields: dict[str, list[str]]) -> int:
    """The version a form was rendered with (-1 when missing or garbled: always a conflict)."""
    raw = fields.get("version", [""])[0]
    return int(raw) if raw.isdigit() and len(raw) < 12 else -1
