"""The Jinja environment, the one render() helper, the htmx test and the template filters."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, StrictUndefined, Undefined

from .settings import ROOT, Settings


def make_templates(settings: Settings) -> Environment:
    """An explicit environment: autoescape for every template, strict undefined in tests."""
    env = Environment(
        loader=FileSystemLoader(ROOT / "templates"),
        autoescape=True,
        undefined=StrictUndefined if settings.strict_templates else Undefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=not settings.production,
    )
    env.filters.update(number=number, money=money, percent=percent, utc=utc, points=points)
    return env


def is_htmx(request: Request) -> bool:
    """True for an htmx swap; a history restore wants the full page (htmx #3037)."""
    headers = request.headers
    return headers.get("hx-request") == "true" and headers.get("hx-history-restore-request") != "true"


def see_other(request: Request, url: str) -> Response:
    """Post/Redirect/Get: 303 for plain forms, HX-Redirect for htmx."""
    if is_htmx(request):
        return Response(status_code=200, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


def render(
    request: Request,
    name: str,
    context: Mapping[str, Any] | None = None,
    *,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    """Render one template with the request-wide context; pages vary on HX-Request."""
    env: Environment = request.app.state.templates
    values = {"request": request, "csrf_token": request.state.csrf_token, "partial": is_htmx(request)}
    values.update(context or {})
    response = HTMLResponse(env.get_template(name).render(values), status_code=status_code)
    response.headers["Vary"] = "HX-Request"
    response.headers.update(headers or {})
    return response


def number(value: float | int | None, digits: int = 0) -> str:
    """1234567 → '1,234,567'; None → '—'."""
    return "—" if value is None else f"{value:,.{digits}f}"


def money(value: float | None) -> str:
    """A monthly cost in dollars: '$1,234.56' (whole dollars from $10,000)."""
    if value is None:
        return "—"
    return f"${value:,.0f}" if abs(value) >= 10_000 else f"${value:,.2f}"


def percent(value: float | None) -> str:
    """0.853 → '85 %'."""
    return "—" if value is None else f"{value * 100:.0f} %"


def points(value: float | None) -> str:
    """A score on 0–100 with one decimal."""
    return "—" if value is None else f"{value:.1f}"


def utc(value: datetime | str | None) -> str:
    """A timestamp shown as 'YYYY-MM-DD HH:MM UTC'."""
    if value is None:
        return "—"
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.strftime("%Y-%m-%d %H:%M UTC")
