"""Error pages: the same 404 for every unknown thing, 503 for a busy or full database, never a trace."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.store.db import DatabaseUnavailable
from app.web.metrics import DATABASE_ERRORS
from app.web.render import render

log = logging.getLogger("tunewise.errors")
TITLES = {
    404: ("Page not found", "This link does not work. It may have been mistyped, replaced or revoked."),
    405: ("Method not allowed", "This address does not accept that kind of request."),
    415: ("Unsupported media type", "Send the request body as application/json."),
    429: ("Too many requests",
          "Too many requests came from your address in the last minute. Nothing was changed: wait, then try again."),
    503: ("Couldn't save, try again",
          "The service is busy or out of space, so nothing was changed. Wait a moment and try again."),
    500: ("Something went wrong", "The error was logged. Nothing you had saved before is lost."),
}


# What the edge refuses before a route runs, documented on every API operation (OpenAPI `responses`).
REFUSALS: dict[int | str, dict[str, str]] = {
    400: {"description": "Unknown Host header (when TUNEWISE_PUBLIC_ORIGIN is not set)"},
    429: {"description": "Too many requests from this address this minute: wait Retry-After seconds"},
}
BODY_REFUSALS: dict[int | str, dict[str, str]] = {
    403: {"description": "A cross-site request or a foreign Origin"},
    408: {"description": "The body did not arrive in time (TUNEWISE_BODY_TIMEOUT_SECONDS)"},
    413: {"description": "The body is larger than TUNEWISE_MAX_BODY_BYTES"},
    415: {"description": "The body is not application/json"},
}


def error_response(request: Request, status: int, headers: dict[str, str] | None = None) -> Response:
    """An error as JSON under /api/, else as the HTML error page."""
    title, message = TITLES.get(status, (f"Error {status}", "The request could not be completed."))
    if request.url.path.startswith("/api/"):
        return JSONResponse({"detail": title}, status_code=status, headers=headers)
    response = render(request, "errors/error.html", {"title": title, "message": message}, status_code=status)
    response.headers.update(headers or {})
    return response


async def http_error(request: Request, exc: Exception) -> Response:
    """HTTPException → our page (404 looks the same whatever the cause)."""
    assert isinstance(exc, HTTPException)
    return error_response(request, exc.status_code, dict(exc.headers or {}))


async def database_error(request: Request, exc: Exception) -> Response:
    """A locked or full database → 503 + Retry-After, never 500."""
    DATABASE_ERRORS.inc()
    log.warning("database unavailable on %s %s: %s", request.method, request.url.path[:3], str(exc).split("\n")[0])
    return error_response(request, 503, {"Retry-After": "2"})


def printable(text: str) -> str:
    """Text that encodes as UTF-8: a lone surrogate (valid in a JSON string, not in UTF-8) becomes its escape,
    so a field named by a client can always be named back."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def invalid(errors: list[dict[str, str]]) -> JSONResponse:
    """The API's 422: every invalid field at once, field names and messages printable."""
    safe = [{"field": printable(e["field"]), "message": printable(e["message"])} for e in errors]
    return JSONResponse({"detail": "Invalid request.", "errors": safe}, status_code=422)


async def validation_error(request: Request, exc: Exception) -> Response:
    """422 for the JSON API with one message per field; other routes treat bad paths as not found."""
    assert isinstance(exc, RequestValidationError)
    if not request.url.path.startswith("/api/"):
        return error_response(request, 404)
    return invalid([{"field": ".".join(str(p) for p in e["loc"][1:]) or "body", "message": e["msg"]}
                    for e in exc.errors()])


def install(app: FastAPI) -> None:
    """Register the handlers on the app."""
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(DatabaseUnavailable, database_error)
    app.add_exception_handler(RequestValidationError, validation_error)


class ServerErrors:
    """Innermost middleware: an unhandled exception becomes a plain 500 page inside the header middleware."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            log.exception("unhandled error")
            if started or scope["type"] != "http":
                raise
            request = Request(scope)
            if not hasattr(request.state, "csrf_token"):
                request.state.csrf_token = ""
            await error_response(request, 500)(scope, receive, send)
