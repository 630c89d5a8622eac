"""Annotated dependency aliases, defined once and used by every route, and the lookups that answer 404.

The getters are `async def` on purpose: they only read app.state, and FastAPI runs every sync dependency in the
threadpool, so as plain `def` each one cost a thread hop per request (two on every step page, bench/README.md)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request

from app.engine.model import Bank
from app.engine.rules import Knowledge
from app.settings import Settings
from app.store import assessments, results
from app.store.db import Database
from app.store.settings import CurrentSettings
from app.web.report_pages import ReportPages


async def get_db(request: Request) -> Database:
    """The application's database."""
    db: Database = request.app.state.db
    return db


async def get_settings_dep(request: Request) -> Settings:
    """The application's settings."""
    settings: Settings = request.app.state.settings
    return settings


async def get_bank(request: Request) -> Bank:
    """The validated question bank."""
    bank: Bank = request.app.state.bank
    return bank


async def get_knowledge(request: Request) -> Knowledge:
    """Every knowledge file, validated at start-up."""
    knowledge: Knowledge = request.app.state.knowledge
    return knowledge


async def get_current_settings(request: Request) -> CurrentSettings:
    """The weights and price preset new results use (stamp-checked cache)."""
    current: CurrentSettings = request.app.state.current_settings
    return current


async def get_report_pages(request: Request) -> ReportPages:
    """The rendered report pages of this worker."""
    pages: ReportPages = request.app.state.report_pages
    return pages


DbDep = Annotated[Database, Depends(get_db)]
SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
BankDep = Annotated[Bank, Depends(get_bank)]
KnowledgeDep = Annotated[Knowledge, Depends(get_knowledge)]
CurrentSettingsDep = Annotated[CurrentSettings, Depends(get_current_settings)]
ReportPagesDep = Annotated[ReportPages, Depends(get_report_pages)]


async def json_body(request: Request) -> None:
    """415 unless the request says its body is JSON (a route dependency, so a method the route lacks stays 405)."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/json" and not kind.endswith("+json"):
        raise HTTPException(status_code=415)


def draft_or_404(db: Database, token: str) -> tuple[assessments.Draft, dict[str, Any]]:
    """The assessment behind an edit token and its stored answers (one prebuilt query), or 404."""
    found = assessments.load_state(db, token=token)
    if found is None:
        raise HTTPException(status_code=404)
    return found


def shared_or_404(db: Database, token: str) -> tuple[int, dict[str, Any]]:
    """The result id and snapshot behind a live view link; the same 404 for every bad token."""
    found = results.shared_snapshot(db, token=token)
    if found is None:
        raise HTTPException(status_code=404)
    return found
