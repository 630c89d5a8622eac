"""Axis weights: edit a shared draft (percentages first; ranking or pairwise behind "More methods"), preview its
impact beside the fields, publish a new version."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from app.engine import weights as w
from app.engine.axes import FIT
from app.engine.rules import Knowledge
from app.routes.admin.common import now, page
from app.store import admins as admin_repo
from app.store import results as results_store
from app.store import settings as settings_store
from app.store.db import Database
from app.store.reevaluate import Impact, PreviewCache, preview_impact
from app.web import weights_form as wf
from app.web.admin_guard import AdminDep, CurrentAdmin
from app.web.deps import DbDep
from app.web.forms import as_int, first, form_fields
from app.web.render import is_htmx, see_other

router = APIRouter(include_in_schema=False)
SHOWN_CHANGES = 10  # changed results listed beside the fields, each with its date (one read of ~4 ms per result)
DONE = {"saved": "The draft was saved. Preview its impact, then publish it.",
        "published": "The draft was published: new results use these weights. Existing results are unchanged."}
NOTHING = "The draft equals the published weights: there is nothing to publish."
CONFLICT = ("Another admin changed the weights draft since you opened this page, so nothing was saved. "
            "Their version is shown below: check it and make your change again.")


def preview_cache(request: Request) -> PreviewCache:
    """The process-wide cache of slim result rows (results are immutable)."""
    cache: PreviewCache | None = getattr(request.app.state, "preview_cache", None)
    if cache is None:
        cache = request.app.state.preview_cache = PreviewCache()
    return cache


def weights_page(
    request: Request, db: Database, admin: CurrentAdmin, *, parsed: wf.Parsed | None = None,
    impact: Impact | None = None, notice: str = "", status_code: int = 200,
) -> HTMLResponse:
    """The weights page: the percentages (re-filled with a submission), more methods, the preview beside them,
    publish, history."""
    knowledge, axes, labels = _knowledge(request), _axes(request), _labels(request)
    with db.read() as session:
        published, version = settings_store.current_weights(session, knowledge)
        draft = settings_store.get_draft(session)
        history = settings_store.weight_sets(session)
        dates = _dates(session, impact)
    shown = knowledge.complete_weights(draft.weights) if draft else published  # a draft may predate an axis
    values = wf.prefill(shown, axes, draft.ahp_matrix if draft else None)
    values |= parsed.values if parsed else {}
    shown_rescale = wf.rescale_of_values(values, axes, labels)
    context: dict[str, Any] = {
        "axes": knowledge.axes, "labels": labels, "published": published, "version": version,
        "published_pct": {x: wf.share(published[x] * 100) for x in axes},
        "draft": draft, "draft_version": draft.version if draft else 0, "values": values,
        "method": parsed.method if parsed else (draft.method if draft else "percent"),
        "errors": parsed.errors if parsed else {}, "history": history, "pairs": w.pairs(axes),
        "choices": w.SAATY_CHOICES, "notice": notice, "unpublished": draft is not None and shown != published,
        "worst": parsed.worst if parsed and parsed.errors else None, "cr": parsed.cr if parsed else None,
        "field_labels": _field_labels(request), "method_names": wf.METHOD_NAMES, "roc_shares": wf.roc_shares(len(axes)),
        "used": shown_rescale.used if shown_rescale else {}, "total_line": wf.total_sentence(shown_rescale),
        "share": wf.share,
    }
    context |= _preview_context(request, parsed if parsed and impact else None, impact, dates)
    context["warning"] = _warning(parsed.weights if parsed and parsed.weights else shown)
    return page(request, "admin/weights.html", admin, context, status_code=status_code)


def _preview_context(request: Request, parsed: wf.Parsed | None, impact: Impact | None,
                     dates: dict[int, datetime]) -> dict[str, Any]:
    """What admin/_preview.html shows: the impact, the rescale of typed percentages, names in words."""
    labels, axes = _labels(request), _axes(request)
    weights = parsed.weights if parsed else None
    return {
        "impact": impact, "labels": labels, "axes_order": axes, "approach_names": _knowledge(request).rules.labels,
        "rescale": wf.rescale(parsed.typed, axes, labels) if parsed and parsed.typed else None,
        "preview_weights": weights, "warning": _warning(weights) if weights else "", "dates": dates,
        "shown_changes": impact.changes[:SHOWN_CHANGES] if impact else [],
    }


def _dates(session: Any, impact: Impact | None) -> dict[int, datetime]:
    """Result id → when it was made, for the changed results the preview lists."""
    dates = {}
    for change in impact.changes[:SHOWN_CHANGES] if impact else []:
        result = results_store.result_of(session, result_id=change.result_id, assessment_id=change.assessment_id)
        if result is not None:
            dates[change.result_id] = result.created_at
    return dates


def _knowledge(request: Request) -> Knowledge:
    """The app's loaded knowledge: the axes every form and preview here follow."""
    knowledge: Knowledge = request.app.state.knowledge
    return knowledge


def _axes(request: Request) -> tuple[str, ...]:
    """The axis keys, in axes.toml order."""
    return _knowledge(request).axis_keys


def _labels(request: Request) -> dict[str, str]:
    """Axis key → label."""
    return {a.key: a.label for a in _knowledge(request).axes}


def _field_labels(request: Request) -> dict[str, str]:
    """Form field → what the error summary calls it."""
    labels, axes = _labels(request), _axes(request)
    out = {f"w_{x}": f"Weight of {labels[x]}" for x in axes} | {f"rank_{x}": f"Rank of {labels[x]}" for x in axes}
    return out | {f"p_{a}_{b}": f"{labels[a]} compared with {labels[b]}" for a, b in w.pairs(axes)}


def _warning(weights: dict[str, float]) -> str:
    """The fit guard-rail of decision-model.md §6.1."""
    if not w.fit_too_low(weights):
        return ""
    return (f"Fit counts for {wf.share(weights[FIT] * 100)} %, below {wf.share(w.FIT_WARNING * 100)} %. With equal "
            "weights the model fails 6 of the 27 evaluation scenarios: keep fit the largest weight unless you have "
            "a strong reason.")


def _saved_notice(done: str, total: str) -> str:
    """The notice after a redirect; after a save of percentages that did not make 100 %, says how they were
    scaled (the total comes back in the address, so the sentence survives the redirect)."""
    notice = DONE.get(done, "")
    try:
        typed = float(total)
    except ValueError:
        return notice
    if done != "saved" or not math.isfinite(typed) or not 0 < typed <= 10_000:
        return notice
    return (f"The draft was saved. Your percentages added up to {wf.share(typed)} %, so each was scaled to make "
            "100 %: the fields show the shares saved. Preview their impact, then publish.")


@router.get("/admin/weights", response_class=HTMLResponse)
def weights(request: Request, db: DbDep, admin: AdminDep, done: str = "", total: str = "") -> HTMLResponse:
    """The published weights and the shared draft: percentages first, more methods on request."""
    return weights_page(request, db, admin, notice=_saved_notice(done, total[:20]))


@router.post("/admin/weights")
def save(request: Request, db: DbDep, admin: AdminDep) -> Response:
    """Validate a weights form and save it as the draft (409 when another admin saved first)."""
    fields = form_fields(request)
    parsed = wf.parse(fields, _axes(request), _labels(request))
    if parsed.errors or parsed.weights is None:
        return weights_page(request, db, admin, parsed=parsed, status_code=422)
    when = now(request)
    try:
        with db.write() as session:
            before, draft = settings_store.save_draft(
                session, expected=as_int(first(fields, "draft_version")), method=parsed.method,
                weights=parsed.weights, matrix=parsed.matrix, cr=parsed.cr, actor=admin.email, now=when)
            admin_repo.audit(session, actor=admin.email, action="weights.draft_saved", target="weights draft",
                             before=before, after=settings_store.draft_dict(draft), at=when)
    except settings_store.Conflict:
        return weights_page(request, db, admin, notice=CONFLICT, status_code=409)
    found = wf.rescale(parsed.typed, _axes(request), _labels(request)) if parsed.typed else None
    return see_other(request, f"/admin/weights?done=saved&total={found.total}" if found and found.scaled
                     else "/admin/weights?done=saved")


@router.post("/admin/weights/preview")
def preview(request: Request, db: DbDep, admin: AdminDep) -> HTMLResponse:
    """How many stored results would change primary under the submitted weights (fragment for htmx)."""
    parsed = wf.parse(form_fields(request), _axes(request), _labels(request))
    impact, dates = None, {}
    if parsed.weights is not None and not parsed.errors:
        with db.read() as session:
            impact = preview_impact(session, request.app.state.knowledge, parsed.weights, preview_cache(request))
            dates = _dates(session, impact) if is_htmx(request) else {}  # the full page reads them itself
    status = 422 if parsed.errors else 200
    if is_htmx(request):
        context = {"errors": parsed.errors} | _preview_context(request, parsed, impact, dates)
        return page(request, "admin/_preview.html", admin, context, status_code=status)
    return weights_page(request, db, admin, parsed=parsed, impact=impact, status_code=status)


@router.post("/admin/weights/publish")
def publish(request: Request, db: DbDep, admin: AdminDep) -> Response:
    """Publish the draft as a new immutable weight-set version for new results."""
    expected, when = as_int(first(form_fields(request), "draft_version")), now(request)
    try:
        with db.write() as session:
            previous, published = settings_store.publish_draft(session, expected=expected, actor=admin.email, now=when)
            before = {"version": None, "weights": request.app.state.knowledge.default_weights()}
            if previous is not None:
                before = {"version": previous.version, "weights": previous.weights}
            after = {"version": published.version, "method": published.method, "weights": published.weights,
                     "cr": published.cr}
            admin_repo.audit(session, actor=admin.email, action="weights.published",
                             target=f"weight set v{published.version}", before=before, after=after, at=when)
    except settings_store.Conflict:
        return weights_page(request, db, admin, notice=CONFLICT, status_code=409)
    except settings_store.NothingToPublish:
        return weights_page(request, db, admin, notice=NOTHING, status_code=422)
    return see_other(request, "/admin/weights?done=published")
