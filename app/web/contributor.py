"""The contributor's name: asked once, remembered per browser in a cookie, recorded with each save (issue 13)."""

from __future__ import annotations

from urllib.parse import quote, unquote

from starlette.requests import Request
from starlette.responses import Response

COOKIE = "tw_contributor"
NO_NAME = "-"  # asked, and the person chose to give no name: do not ask again
YEAR = 365 * 24 * 3600


def remembered(request: Request) -> tuple[bool, str]:
    """Whether this browser was asked already, and the name it gave ('' when none)."""
    raw = request.cookies.get(COOKIE)
    if raw is None:
        return False, ""
    name = unquote(raw)[:80]
    return True, "" if name == NO_NAME else name


def remembered_name(request: Request) -> str:
    """The name this browser gave last time ('' when none)."""
    return remembered(request)[1]


def remember(response: Response, name: str, *, https: bool) -> Response:
    """Keep the answer for the next save; only the server reads the cookie."""
    response.set_cookie(COOKIE, quote(name or NO_NAME), max_age=YEAR, path="/a/", httponly=True, samesite="lax",
                        secure=https)
    return response
