"""The team's wizard: landing, one URL per step, check answers, finish, manage (rotate, delete)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.engine import flow
from app.engine.model import Bank
from app.store import assessments as repo
from app.store.db import Database
from app.store.models import utcnow
from app.views import cost_form as cost_view
from app.views import wizard as view
from app.web.deps import BankDep, DbDep, form_fields, inline_on_sqlite
from app.web.forms import clean_text
from app.web.guard import new_token
from app.web.render import is_htmx, render, see_other

router = APIRouter(include_in_schema=False)
CONTROL_FIELDS = ("csrf_token", "version", "idem")
COST_STEP = "constraints"  # the last step carries the advanced cost assumptions panel
EXPIRY_CHOICES = ((7, "in 7 days"), (30, "in 30 days"), (90, "in 90 days"), (180, "in 180 days"), (0, "never"))
DELETED = "The assessment was deleted, with its answers, results and links."


def load(db: Database, token: str) -> tuple[repo.Draft, dict[str, Any]]:
    """The assessment behind an edit token and its stored answers (one prebuilt query), or 404."""
    found = repo.load_state(db, token=token)
    if found is None:
        raise HTTPException(status_code=404)
    return found


@router.get("/", response_class=HTMLResponse)
async def landing(request: Request, done: str = "") -> HTMLResponse:
    """What Tunewise does, and the form that starts an assessment (async: a render and no I/O)."""
    notice = DELETED if done == "deleted" else ""
    return render(request, "landing.html", {"errors": {}, "values": {}, "labels": {}, "notice": notice})


@router.post("/assessments")
@inline_on_sqlite
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
async def review(request: Request, token: str, db: DbDep, bank: BankDep) -> Response:
    """Check your answers, with a Change link for each, and the button that finishes (async, as show_step)."""
    assessment, stored = load(db, token)
    if (blocker := flow.first_incomplete(bank, stored)) is not None:
        return RedirectResponse(f"/a/{token}/{blocker}", status_code=303)
    return render_review(request, bank, assessment, token, stored)


def render_review(
    request: Request, bank: Bank, assessment: repo.Draft, token: str, stored: dict[str, Any],
    *, notice: str = "", status_code: int = 200, template: str = "wizard/review.html",
) -> HTMLResponse:
    """The review page (also the base of the finished page)."""
    context = {
        "assessment": assessment, "sections": view.review_sections(bank, token, stored),
        "stepper": view.stepper(bank, token, flow.REVIEW, set(stored)), "oob": False,
        "finish_action": f"/a/{token}/finish", "finish_label": "Get the recommendation",
        "version": assessment.version, "notice": notice, "expiry_choices": EXPIRY_CHOICES,
        "default_expiry": request.app.state.settings.share_link_days,
        "back_href": f"/a/{token}/{flow.slugs(bank)[-1]}",
    }
    return render(request, template, context, status_code=status_code)


@router.get("/a/{token}/{slug}", response_class=HTMLResponse)
async def show_step(request: Request, token: str, slug: str) -> Response:
    """One step, rendered from stored state (a fragment for htmx, else the full page).

    async: one indexed read (~0.15 ms, never blocked by writers under WAL) and a ~0.3 ms render cost less than the
    threadpool hop a sync route pays (bench/README.md); with one worker the CPU work is serial either way. The
    busiest route reads db and bank from app.state: FastAPI's dependency solving was ~8 % of its time."""
    db, bank = request.app.state.db, request.app.state.bank
    _known_step(bank, slug)
    assessment, stored = load(db, token)
    if not flow.may_open(bank, slug, stored):
        return RedirectResponse(f"/a/{token}/{flow.first_incomplete(bank, stored)}", status_code=303)
    values = view.display_values(view.with_defaults(bank, stored))
    return render_step(request, bank, assessment, token, slug, values, stored)


@router.post("/a/{token}/{slug}")
@inline_on_sqlite
def save_step(request: Request, token: str, slug: str, db: DbDep, bank: BankDep) -> Response:
    """Validate and store one step; then the next step (htmx) or a 303 to it."""
    _known_step(bank, slug)
    fields = form_fields(request)
    version, idem = form_version(fields), fields.get("idem", [""])[0][:64]
    answers = {k: v for k, v in fields.items() if k not in CONTROL_FIELDS and not k.startswith(cost_view.PREFIX)}
    parsed = flow.parse_step(bank, slug, answers)
    costs, cost_errors = cost_view.parse(fields) if slug == COST_STEP else (None, {})
    if parsed.errors or cost_errors:
        assessment, stored = load(db, token)
        errors = {**parsed.errors, **cost_errors}
        return render_step(request, bank, assessment, token, slug, fields, stored, errors=errors, raw_costs=fields)
    # Read before the write lock (one prebuilt query): save_step's version predicate catches any write in between.
    assessment, stored = load(db, token)
    if not flow.may_open(bank, slug, stored):
        return see_other(request, f"/a/{token}/{flow.first_incomplete(bank, stored)}")
    extra = {"cost_assumptions": costs} if slug == COST_STEP else {}
    now = utcnow()
    try:
        with db.write() as session:
            saved = repo.save_step(session, assessment=assessment, step=slug, answers=parsed.answers,
                                   version=version, idem=idem, extra=extra, now=now)
    except repo.Conflict:
        return conflict(request, bank, token, slug)
    # What was just written is known: the next step renders from it without reading it back (a replayed idem wrote
    # nothing, so that one reads the stored state).
    known = None if saved is None else (replace(assessment, version=saved, updated_at=now, **extra), {**stored, **parsed.answers})
    response = advance(request, db, bank, token, slug, known)
    response.headers["X-Version"] = str(saved if saved is not None else load(db, token)[0].version)  # load tests order by it
    return response


def advance(
    request: Request, db: Database, bank: Bank, token: str, slug: str, known: tuple[repo.Draft, dict[str, Any]] | None,
) -> Response:
    """After a save: the next step as a fragment with HX-Push-Url, or a 303 to it."""
    target = flow.next_slug(bank, slug)
    url = f"/a/{token}/{target}"
    if not is_htmx(request) or target == flow.REVIEW:
        return see_other(request, url)
    assessment, stored = known or load(db, token)
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
    request: Request, bank: Bank, assessment: repo.Draft, token: str, slug: str,
    values: dict[str, list[str]], stored: dict[str, Any], *, errors: dict[str, str] | None = None,
    notice: str = "", status_code: int = 0, saved: bool = False, raw_costs: dict[str, list[str]] | None = None,
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
    if slug == COST_STEP:
        context.update(cost_context(request, assessment, raw_costs, errors or {}))
    template = "wizard/step_fragment.html" if is_htmx(request) else "wizard/step.html"
    return render(request, template, context, status_code=status_code or (422 if errors else 200))


def cost_context(
    request: Request, assessment: repo.Draft, raw: dict[str, list[str]] | None, errors: dict[str, str]
) -> dict[str, Any]:
    """The advanced cost assumptions panel, with the active price preset's values as defaults."""
    preset = request.app.state.current_settings.get().preset
    return {
        "extra_template": "wizard/_cost_assumptions.html", "preset_name": preset.name,
        "labels": {**view.labels(request.app.state.bank), **cost_view.labels()},
        "cost_fields": cost_view.fields(preset, assessment.cost_assumptions, raw),
        "cost_open": bool(assessment.cost_assumptions) or any(k.startswith(cost_view.PREFIX) for k in errors),
    }


def _known_step(bank: Bank, slug: str) -> None:
    """404 for a step that does not exist."""
    if slug not in flow.slugs(bank):
        raise HTTPException(status_code=404)


def form_version(fields: dict[str, list[str]]) -> int:
    """The version a form was rendered with (-1 when missing or garbled: always a conflict)."""
    raw = fields.get("version", [""])[0]
    return int(raw) if raw.isdigit() and len(raw) < 12 else -1
