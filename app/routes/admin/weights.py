"""Axis weights: edit a shared draft (direct, ROC or AHP), preview its impact, publish a new version."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from app.engine import weights as w
from app.engine.axes import FIT
from app.engine.rules import Knowledge
from app.routes.admin.common import now, page
from app.store import admins as admin_repo
from app.store import settings as settings_store
from app.store.db import Database
from app.store.reevaluate import Impact, PreviewCache, preview_impact
from app.web import weights_form as wf
from app.web.admin_guard import AdminDep, CurrentAdmin
from app.web.deps import DbDep
from app.web.forms import as_int, first, form_fields
from app.web.render import is_htmx, see_other

router = APIRouter(include_in_schema=False)
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
    """The weights page: published set, draft forms (re-filled with a submission), preview, history."""
    knowledge, axes = _knowledge(request), _axes(request)
    with db.read() as session:
        published, version = settings_store.current_weights(session, knowledge)
        draft = settings_store.get_draft(session)
        history = settings_store.weight_sets(session)
    shown = knowledge.complete_weights(draft.weights) if draft else published  # a draft may predate an axis
    values = wf.prefill(shown, axes, draft.ahp_matrix if draft else None)
    values |= parsed.values if parsed else {}
    method = parsed.method if parsed else (draft.method if draft else "direct")
    context: dict[str, Any] = {
        "axes": knowledge.axes, "labels": _labels(request), "published": published, "version": version,
        "draft": draft, "draft_weights": shown, "draft_version": draft.version if draft else 0, "values": values,
        "method": method, "errors": parsed.errors if parsed else {}, "impact": impact, "history": history,
        "pairs": w.pairs(axes), "choices": w.SAATY_CHOICES, "notice": notice, "fit_limit": w.FIT_WARNING,
        "unpublished": draft is not None and shown != published,
        "warning": _warning(parsed.weights if parsed and parsed.weights else shown),
        "worst": parsed.worst if parsed and parsed.errors else None, "cr": parsed.cr if parsed else None,
        "field_labels": _field_labels(request), "axes_order": axes,
        "preview_weights": parsed.weights if parsed and impact else None,
    }
    return page(request, "admin/weights.html", admin, context, status_code=status_code)


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
    return (f"Fit weighs {weights[FIT]:.2f}, below {w.FIT_WARNING:.2f}. With equal weights the model fails "
            "6 of the 27 evaluation scenarios: keep fit the largest weight unless you have a strong reason.")


@router.get("/admin/weights", response_class=HTMLResponse)
def weights(request: Request, db: DbDep, admin: AdminDep, done: str = "") -> HTMLResponse:
    """The published weights and the shared draft, editable three ways."""
    return weights_page(request, db, admin, notice=DONE.get(done, ""))


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
    return see_other(request, "/admin/weights?done=saved")


@router.post("/admin/weights/preview")
def preview(request: Request, db: DbDep, admin: AdminDep) -> HTMLResponse:
    """How many stored results would change primary under the submitted weights (fragment for htmx)."""
    parsed = wf.parse(form_fields(request), _axes(request), _labels(request))
    impact = None
    if parsed.weights is not None and not parsed.errors:
        with db.read() as session:
            impact = preview_impact(session, request.app.state.knowledge, parsed.weights, preview_cache(request))
    status = 422 if parsed.errors else 200
    if is_htmx(request):
        context = {"impact": impact, "errors": parsed.errors, "labels": _labels(request), "axes_order": _axes(request),
                   "warning": _warning(parsed.weights) if parsed.weights else "", "preview_weights": parsed.weights}
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
