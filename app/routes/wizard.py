"""The team's wizard: landing, start, one URL per step (show and save)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.engine import flow
from app.engine.model import Bank
from app.store import assessments, history
from app.store.db import Database
from app.store.models import utcnow
from app.store.settings import CurrentSettings
from app.store.tokens import new_token
from app.views import cost_form
from app.views import wizard as view
from app.views.history import changed_answers, meanwhile_sentences, save_entries
from app.web.contributor import remember, remembered, remembered_name
from app.web.decision_form import contributor_of
from app.web.deps import BankDep, CurrentSettingsDep, DbDep, KnowledgeDep, SettingsDep, draft_or_404
from app.web.execution import blocking
from app.web.forms import Fields, clean_text, first, form_fields, form_version
from app.web.render import is_htmx, render, see_other

router = APIRouter(include_in_schema=False)
CONTROL_FIELDS = ("csrf_token", "version", "idem", flow.RETURN, "asked", "contributor")
MORE = "Your answers make one more question on this page apply: it is shown below."
COST_STEP = "constraints"  # the last step carries the advanced cost assumptions panel
DELETED = "The assessment was deleted, with its answers, results and links."
CONFLICT = ("This assessment changed in another window since you opened this step. The saved answers are shown: "
            "check them and save again.")
Draft = tuple[assessments.Draft, dict[str, Any]]


@router.get("/", response_class=HTMLResponse)
async def landing(request: Request, done: str = "") -> HTMLResponse:
    """What Tunewise does, and the form that starts an assessment (async: a render and no I/O)."""
    notice = DELETED if done == "deleted" else ""
    return render(request, "landing.html", {"errors": {}, "values": {}, "labels": {}, "notice": notice})


@router.post("/assessments")
@blocking
def start(request: Request, db: DbDep, knowledge: KnowledgeDep) -> Response:
    """Create a draft from team name and use-case title, then go to the first step."""
    fields = form_fields(request)
    values, errors = {}, {}
    for name, limit, label in (("team", 120, "team name"), ("title", 200, "use case")):
        values[name], problem = clean_text(first(fields, name, 10_000), limit, label)
        if problem:
            errors[name] = problem
    if errors:
        labels = {"team": "Team name", "title": "Use case"}
        context = {"errors": errors, "values": values, "labels": labels, "notice": ""}
        return render(request, "landing.html", context, status_code=422)
    with db.write() as session:
        _, token = assessments.create_assessment(session, team=values["team"], title=values["title"],
                                                 bank_version=knowledge.bank.version,
                                                 rules_version=knowledge.rules.version)
    return RedirectResponse(f"/a/{token}/{flow.slugs(knowledge.bank)[0]}", status_code=303)


@router.get("/a/{token}")
@blocking
def resume(request: Request, token: str, db: DbDep, bank: BankDep) -> RedirectResponse:
    """The edit link itself: continue at the first unanswered step (or the review)."""
    _, stored = draft_or_404(db, token)
    return RedirectResponse(f"/a/{token}/{flow.first_incomplete(bank, stored) or flow.REVIEW}", status_code=303)


@router.get("/a/{token}/{slug}", response_class=HTMLResponse)
@blocking
def show_step(request: Request, token: str, slug: str, db: DbDep, bank: BankDep,
              current: CurrentSettingsDep, more: str = "") -> Response:
    """One step, rendered from stored state (a fragment for htmx, else the full page)."""
    _known_step(bank, slug)
    assessment, stored = draft_or_404(db, token)
    if not flow.may_open(bank, slug, stored):
        return RedirectResponse(f"/a/{token}/{flow.first_incomplete(bank, stored)}", status_code=303)
    values = view.display_values(stored)
    return render_step(request, bank, current, (assessment, stored), token, slug, values,
                       notice=MORE if more == "1" else "", returning=is_return(request.query_params.get(flow.RETURN)))


def is_return(value: str | None) -> bool:
    """A change made from the check-answers page: only the literal "review" counts (never a URL to follow)."""
    return value == flow.REVIEW


@router.post("/a/{token}/{slug}")
@blocking
def save_step(request: Request, token: str, slug: str, db: DbDep, bank: BankDep,
              current: CurrentSettingsDep, settings: SettingsDep) -> Response:
    """Validate and store one step; then the next step (htmx) or a 303 to it."""
    _known_step(bank, slug)
    fields = form_fields(request)
    answers = {k: v for k, v in fields.items() if k not in CONTROL_FIELDS and not k.startswith(cost_form.PREFIX)}
    back = is_return(first(fields, flow.RETURN, 16))
    costs, cost_errors = cost_form.parse(fields) if slug == COST_STEP else (None, {})
    # Read before the write lock (one prebuilt query): save_step's version predicate catches any write in between.
    draft = draft_or_404(db, token)
    assessment, stored = draft
    shown = {*fields.get("asked", ()), *answers}
    parsed = flow.keep_applicable(bank, slug, flow.parse_step(bank, slug, answers), stored, shown)
    typed_name, name_error = contributor_of(fields)
    if parsed.errors or cost_errors or name_error:
        errors = {**parsed.errors, **cost_errors, **({"contributor": name_error} if name_error else {})}
        return render_step(request, bank, current, draft, token, slug, fields, errors=errors, raw_costs=fields,
                           answers={**stored, **parsed.answers}, returning=back)
    if not flow.may_open(bank, slug, stored):
        return see_other(request, f"/a/{token}/{flow.first_incomplete(bank, stored)}")
    extra: dict[str, Any] = {"cost_assumptions": costs} if slug == COST_STEP else {}
    now, name = utcnow(), typed_name if "contributor" in fields else remembered_name(request)
    try:
        with db.write() as session:
            saved = assessments.save_step(session, assessment=assessment, step=slug, answers=parsed.answers,
                                          version=form_version(fields), idem=first(fields, "idem", 64), extra=extra,
                                          now=now, contributor=name, changes=changed_answers(stored, parsed.answers),
                                          step_bit=1 << flow.slugs(bank).index(slug))
    except assessments.Conflict:
        return conflict(request, db, bank, current, token, slug, back, since=form_version(fields))
    # What was just written is known: the next step renders from it without reading it back (a replayed idem wrote
    # nothing, so that one reads the stored state).
    kept = costs if slug == COST_STEP else assessment.cost_assumptions
    known = None if saved is None else (
        replace(assessment, version=saved, updated_at=now, cost_assumptions=kept), {**stored, **parsed.answers})
    response = advance(request, db, bank, current, token, slug, known or draft_or_404(db, token), back,
                       contributor=(True, name))
    return remember(response, name, https=settings.https) if "contributor" in fields else response


def advance(
    request: Request, db: Database, bank: Bank, current: CurrentSettings, token: str, slug: str, draft: Draft,
    back: bool, *, contributor: tuple[bool, str] | None = None,
) -> Response:
    """After a save: this step again when an answer made one more of its questions apply; else the next step (or,
    for a change from check-answers, check-answers once nothing is left to answer). A fragment with HX-Push-Url
    for htmx, else a 303."""
    blocker = flow.first_incomplete(bank, draft[1])
    more = blocker == slug
    target = slug if more else (blocker or flow.REVIEW) if back else flow.next_slug(bank, slug)
    query = "&".join(([f"{flow.RETURN}={flow.REVIEW}"] if back and target != flow.REVIEW else [])
                     + (["more=1"] if more else []))
    url = f"/a/{token}/{target}" + (f"?{query}" if query else "")
    if not is_htmx(request) or target == flow.REVIEW:
        return see_other(request, url)
    values = view.display_values(draft[1])
    response = render_step(request, bank, current, draft, token, target, values, saved=True,
                           notice=MORE if more else "", returning=back, contributor=contributor)
    response.headers["HX-Push-Url"] = url
    return response


def conflict(request: Request, db: Database, bank: Bank, current: CurrentSettings, token: str,
             slug: str, back: bool, *, since: int) -> HTMLResponse:
    """409: the step changed elsewhere; show what is stored now and who changed what meanwhile; nothing is
    overwritten."""
    draft = draft_or_404(db, token)
    with db.read() as session:
        meanwhile = save_entries(bank, history.saves(session, assessment_id=draft[0].id, since_version=since))
    values = view.display_values(draft[1])
    return render_step(request, bank, current, draft, token, slug, values, status_code=409, returning=back,
                       notice=" ".join([CONFLICT, *meanwhile_sentences(meanwhile)]))


def render_step(
    request: Request, bank: Bank, current: CurrentSettings, draft: Draft, token: str, slug: str, values: Fields,
    *, errors: dict[str, str] | None = None, notice: str = "", status_code: int = 0, saved: bool = False,
    raw_costs: Fields | None = None, answers: dict[str, Any] | None = None, returning: bool = False,
    contributor: tuple[bool, str] | None = None,
) -> HTMLResponse:
    """The step page or fragment with its stepper, progress, saved state and errors; `contributor` (asked, name)
    when a save just answered it (the browser's cookie is set by that response)."""
    assessment, stored = draft
    context = view.step_context(bank, assessment, stored, token, slug, values, errors=errors or {}, notice=notice,
                                saved=saved, idem=new_token(), answers=answers, returning=returning,
                                edit_url=f"{str(request.base_url).rstrip('/')}/a/{token}")
    context["contributor_asked"], context["contributor"] = contributor or remembered(request)
    if slug == COST_STEP:
        context.update(cost_context(bank, current, assessment, raw_costs, errors or {}))
    template = "wizard/step_fragment.html" if is_htmx(request) else "wizard/step.html"
    return render(request, template, context, status_code=status_code or (422 if errors else 200))


def cost_context(
    bank: Bank, current: CurrentSettings, assessment: assessments.Draft, raw: Fields | None, errors: dict[str, str],
) -> dict[str, Any]:
    """The advanced cost assumptions panel, with the active price preset's values as defaults."""
    preset = current.get().preset
    return {
        "extra_template": "wizard/_cost_assumptions.html", "preset_name": preset.name,
        "labels": {**view.labels(bank), **cost_form.labels()},
        "cost_fields": cost_form.fields(preset, assessment.cost_assumptions, raw),
        "cost_open": bool(assessment.cost_assumptions) or any(k.startswith(cost_form.PREFIX) for k in errors),
    }


def _known_step(bank: Bank, slug: str) -> None:
    """404 for a step that does not exist."""
    if slug not in flow.slugs(bank):
        raise HTTPException(status_code=404)
