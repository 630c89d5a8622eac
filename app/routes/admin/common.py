"""Helpers shared by the admin routes: page rendering with the admin navigation, the clock and the client address."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from app.web.admin_guard import CurrentAdmin, clock_of
from app.web.render import render

NAV = (
    ("/admin", "Overview"), ("/admin/weights", "Weights"), ("/admin/prices", "Price presets"),
    ("/admin/assessments", "Assessments"), ("/admin/insights", "Insights"), ("/admin/webhooks", "Webhooks"),
    ("/admin/audit", "Audit log"),
    ("/admin/admins", "Admins"), ("/admin/password", "Password"),
)

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
# A separator some spreadsheet may split on, any spaces or quotes, then a formula trigger.
AFTER_SEPARATOR = re.compile(r"([,;\t|\r\n][ \"']*)(?=[=+\-@])")


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


def client_address(request: Request) -> str:
    """The client address used for throttling."""
    return request.client.host if request.client else "-"


def safe_cell(value: Any) -> str:
    """A CSV cell that no spreadsheet will run as a formula (OWASP CSV injection), whatever separator it splits on:
    a value starting with a formula trigger (even after spaces) gets a leading apostrophe, and so does each part
    of it that follows a separator (`x;=1+1` → `x;'=1+1`: a ';'-splitting import sees a text cell `'=1+1`)."""
    text = AFTER_SEPARATOR.sub(r"\1'", "" if value is None else str(value))
    return f"'{text}" if text.lstrip(" \"'").startswith(FORMULA_START) else text
