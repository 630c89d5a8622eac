"""The Markdown exports: their own Jinja environment (autoescape off, loads templates/exports/ only) and the
decision record of one snapshot. What the record says is app/views/exports.py; how it reads is the template."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from fastapi import Request
from jinja2 import Environment, FileSystemLoader, StrictUndefined, Undefined

from app.engine.model import Bank
from app.settings import ROOT, Settings
from app.views.exports import md_text, record_context, source_tags
from app.views.format import money, number, percent, points, utc

RECORD = "decision-record.md.j2"


def markdown_templates(settings: Settings) -> Environment:
    """The Markdown environment for these settings (built once: it depends only on two flags)."""
    return _environment(strict=settings.strict_templates, reload=not settings.production)


@cache
def _environment(*, strict: bool, reload: bool) -> Environment:
    """Autoescape OFF: HTML entities would corrupt Markdown. User text is escaped explicitly, with |md (md_text).
    The loader sees templates/exports/ alone, so no HTML template can be rendered here unescaped."""
    env = Environment(
        loader=FileSystemLoader(ROOT / "templates" / "exports"),
        autoescape=False,
        undefined=StrictUndefined if strict else Undefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=reload,
    )
    env.filters.update(md=md_text, tags=source_tags)
    env.filters.update(number=number, money=money, percent=percent, utc=utc, points=points)
    return env


def record_markdown(env: Environment, snapshot: Mapping[str, Any], bank: Bank) -> str:
    """A MADR-style decision record of one snapshot, rendered in the given Markdown environment."""
    return env.get_template(RECORD).render(record_context(snapshot, bank))


def decision_record(request: Request, snapshot: Mapping[str, Any], bank: Bank) -> str:
    """The decision record of one snapshot, in the application's Markdown environment."""
    return record_markdown(markdown_templates(request.app.state.settings), snapshot, bank)
