"""Helpers shared by the admin routes: page rendering with the admin navigation, redirects, form fields."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from app.web.admin_guard import CurrentAdmin, clock_of
from app.web.render import render

NAV = (
    ("/admin", "Overview"), ("/admin/weights", "Weights"), ("/admin/prices", "Price presets"),
    ("/admin/assessments", "Assessments"), ("/admin/audit", "Audit log"), ("/admin/admins", "Admins"),
    ("/admin/password", "Password"),
)


def page(
    request: Request, name: str, admin: CurrentAdmin | None, context: Mapping[str, Any] | None = None,
    *, status_code: int = 200, headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    """Render an admin template with the navigation and the signed-in admin."""
    values: dict[str, Any] = {"admin": admin, "nav": NAV, "path": request.url.path, "errors": {}, "notice": ""}
    values.update(context or {})
    return render(request, name, values, status_code=status_code, headers=headers)


def now(request: Request) -> datetime:
    """The current time from the app's (injectable) clock."""
    return clock_of(request)()


def first(fields: Mapping[str, list[str]], name: str, limit: int = 2000) -> str:
    """The first value of a form field, cut to a sane length ('' when absent)."""
    return fields.get(name, [""])[0][:limit]


def as_int(raw: str, default: int = -1) -> int:
    """A non-negative integer from a form or query value, else default."""
    raw = raw.strip()
    return int(raw) if raw.isdigit() and len(raw) < 12 else default


def parse_day(raw: str) -> datetime | None:
    """'YYYY-MM-DD' as midnight UTC (None when empty or not a date)."""
    try:
        return datetime.strptime(raw.strip(), "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        return None


def day_after(day: datetime | None) -> datetime | None:
    """The exclusive upper bound for an inclusive 'until' day."""
    return day + timedelta(days=1) if day else None


def client_address(request: Request) -> str:
    """The client address used for throttling."""
    return request.client.host if request.client else "-"
