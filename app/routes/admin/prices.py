"""Price presets: list, edit (a new dated version, append-only) and choose the active one."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date
from functools import lru_cache
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from app.engine.bank import read_toml
from app.engine.cost import Preset
from app.engine.rules import Knowledge
from app.routes.admin.common import now, page
from app.store import admins as admin_repo
from app.store import settings as settings_store
from app.store.db import Database
from app.web.admin_guard import AdminDep, CurrentAdmin
from app.web.deps import DbDep, KnowledgeDep
from app.web.forms import as_int, clean_text, first, form_fields
from app.web.render import see_other

router = APIRouter(include_in_schema=False)
MONEY, TOKENS, SHARE = (0.0, 1_000.0), (0.0, 1_000_000.0), (0.0, 1.0)
BOUNDS: dict[str, tuple[float, float]] = {
    **{k: MONEY for k in ("p_in", "p_cache", "p_out", "pft_in", "pft_cache", "pft_out", "p_train", "p_emb",
                          "gpu_rate", "train_gpu_rate")},
    **{k: TOKENS for k in ("user_tokens", "output_tokens", "retrieved_tokens", "cache_min_tokens", "ft_prompt_cap",
                           "tokens_per_example", "tool_tokens", "integration_prompt_cap")},
    "cache_hit": SHARE, "epochs": (0, 100), "retrains": (0, 365), "retrains_frequent": (0, 365),
    "amortisation_months": (1, 120), "max_train_examples": (1, 1e9), "ft_hosting": (0, 1e6),
    "replica_capacity": (1, 1e12), "hours_per_month": (0, 744), "train_gpu_hours_per_1k": (0, 1e4),
    "train_gpu_hours_min": (0, 1e5), "full_train_factor_in_house": (1, 100), "full_train_factor_hosted": (1, 100),
    "corpus_tokens_fits": (0, 1e12), "corpus_tokens_large": (0, 1e12), "vector_store_large": (0, 1e6),
    "reembed_rarely": (0, 100), "reembed_monthly": (0, 100), "reembed_weekly": (0, 100), "reembed_realtime": (0, 100),
    "infra": (0, 1e7), "materiality": (1, 1e7),
}
TEXT_LABELS = {"name": "Preset name", "provider": "Provider", "as_of": "Prices as of", "note": "Note"}
CONFLICT = ("Another admin changed this preset since you opened the page, so nothing was saved. "
            "The newest version is shown.")
DONE = {"saved": "A new version of the preset was saved.", "activated": "New results now use the chosen preset."}


@lru_cache(maxsize=1)
def meanings() -> dict[str, str]:
    """Parameter → its meaning, from prices.toml."""
    return {k: str(v.get("meaning", k)) for k, v in read_toml("prices.toml").get("parameters", {}).items()}


def parse_number(raw: str, low: float, high: float) -> tuple[float | None, str]:
    """A finite number within [low, high], or the problem."""
    try:
        value = float(raw.strip().replace(",", ""))
    except ValueError:
        return None, "Enter a number"
    if not math.isfinite(value) or not low <= value <= high:
        return None, f"Enter a number from {low:g} to {high:g}"
    return value, ""


def parse_preset(fields: Mapping[str, list[str]], base: Preset,
                 providers: Mapping[str, Any]) -> tuple[dict[str, float], dict[str, str], dict[str, str]]:
    """Every parameter plus name, provider, as-of date and note: (values, text fields, errors by field)."""
    values, errors, text = {}, {}, {}
    for key in base.values:
        number, problem = parse_number(first(fields, f"v_{key}", 40), *BOUNDS.get(key, (0, 1e12)))
        if problem:
            errors[f"v_{key}"] = problem
        elif number is not None:
            values[key] = number
    for name, limit, label in (("name", 120, "preset name"), ("note", 1000, "note")):
        text[name], problem = clean_text(first(fields, name, limit + 10), limit, label)
        if problem and (name == "name" or text[name]):
            errors[name] = problem
    text["provider"], text["as_of"] = first(fields, "provider", 64), first(fields, "as_of", 10).strip()
    if text["provider"] not in providers:
        errors["provider"] = "Choose a provider from the list"
    try:
        date.fromisoformat(text["as_of"])
    except ValueError:
        errors["as_of"] = "Enter the date the prices were read, as YYYY-MM-DD"
    return values, text, errors


def _known(db: Database, knowledge: Knowledge, key: str) -> None:
    """404 for a preset that exists neither in prices.toml nor in the database."""
    with db.read() as session:
        if not settings_store.preset_exists(session, knowledge, key):
            raise HTTPException(status_code=404)


@router.get("/admin/prices", response_class=HTMLResponse)
def prices(request: Request, db: DbDep, admin: AdminDep, knowledge: KnowledgeDep, done: str = "") -> HTMLResponse:
    """Every preset with its newest version; which one new results use."""
    return prices_page(request, db, admin, knowledge, notice=DONE.get(done, ""))


def prices_page(request: Request, db: Database, admin: CurrentAdmin, knowledge: Knowledge, *, notice: str = "",
                errors: dict[str, str] | None = None, status_code: int = 200) -> HTMLResponse:
    """The presets list."""
    with db.read() as session:
        active = settings_store.active_preset_key(session, knowledge)
        rows = [(key, *settings_store.resolve_preset(session, knowledge, key))
                for key in settings_store.preset_keys(session, knowledge)]
        pointer = settings_store.active_pointer_version(session)
    context = {"rows": rows, "active": active, "pointer_version": pointer, "notice": notice, "errors": errors or {},
               "providers": knowledge.providers}
    return page(request, "admin/prices.html", admin, context, status_code=status_code)


@router.post("/admin/prices/activate")
def activate(request: Request, db: DbDep, admin: AdminDep, knowledge: KnowledgeDep) -> Response:
    """Choose the preset new results use (409 when another admin changed it first)."""
    fields, when = form_fields(request), now(request)
    key = first(fields, "key", 64)
    try:
        with db.write() as session:
            if not settings_store.preset_exists(session, knowledge, key):
                raise LookupError(key)
            previous = settings_store.set_active_preset(
                session, key=key, expected=as_int(first(fields, "pointer_version")), actor=admin.email, now=when)
            admin_repo.audit(session, actor=admin.email, action="prices.activated", target=key, at=when,
                             before={"active": previous or knowledge.default_preset}, after={"active": key})
    except LookupError:
        return prices_page(request, db, admin, knowledge, errors={"key": "Choose a preset from the list"},
                           status_code=422)
    except settings_store.Conflict:
        return prices_page(request, db, admin, knowledge,
                           notice="Another admin changed the active preset first: check the list.", status_code=409)
    return see_other(request, "/admin/prices?done=activated")


def edit_page(request: Request, db: Database, admin: CurrentAdmin, knowledge: Knowledge, key: str, *,
              values: Mapping[str, str] | None = None, errors: dict[str, str] | None = None, notice: str = "",
              status_code: int = 200) -> HTMLResponse:
    """The edit form of one preset, prefilled with its newest version (or the submission)."""
    with db.read() as session:
        preset, version = settings_store.resolve_preset(session, knowledge, key)
        history = settings_store.preset_versions(session, key)
    shown = {f"v_{k}": f"{v:g}" for k, v in preset.values.items()}
    shown |= {"name": preset.name, "provider": preset.provider, "as_of": date.today().isoformat(), "note": preset.note}
    context = {"key": key, "preset": preset, "version": version, "values": {**shown, **(values or {})},
               "errors": errors or {}, "notice": notice, "history": history, "meanings": meanings(),
               "bounds": BOUNDS, "providers": knowledge.providers,
               "field_labels": {**TEXT_LABELS, **{f"v_{k}": k for k in preset.values}}}
    return page(request, "admin/price_edit.html", admin, context, status_code=status_code)


@router.get("/admin/prices/{key}", response_class=HTMLResponse)
def edit(request: Request, key: str, db: DbDep, admin: AdminDep, knowledge: KnowledgeDep) -> HTMLResponse:
    """Edit one preset: saving adds a new dated version; older versions stay."""
    _known(db, knowledge, key)
    return edit_page(request, db, admin, knowledge, key)


@router.post("/admin/prices/{key}")
def save(request: Request, key: str, db: DbDep, admin: AdminDep, knowledge: KnowledgeDep) -> Response:
    """Validate every field and append a new version (422 with per-field errors; 409 when stale)."""
    _known(db, knowledge, key)
    fields, when = form_fields(request), now(request)
    submitted = {k: first(fields, k, 1000) for k in fields if k != "csrf_token"}
    with db.read() as session:
        base, _ = settings_store.resolve_preset(session, knowledge, key)
    values, text, errors = parse_preset(fields, base, knowledge.providers)
    if errors:
        return edit_page(request, db, admin, knowledge, key, values=submitted, errors=errors, status_code=422)
    try:
        with db.write() as session:
            row = settings_store.add_preset_version(session, base=base, expected=as_int(first(fields, "version")),
                                                    values=values, fields=text, actor=admin.email, now=when)
            admin_repo.audit(session, actor=admin.email, action="prices.version_added", target=f"{key} v{row.version}",
                             before=settings_store.preset_snapshot(base, version=row.version - 1 or None),
                             after=settings_store.preset_snapshot(settings_store.preset_of_row(row),
                                                                  version=row.version), at=when)
    except settings_store.Conflict:
        return edit_page(request, db, admin, knowledge, key, notice=CONFLICT, status_code=409)
    return see_other(request, "/admin/prices?done=saved")
