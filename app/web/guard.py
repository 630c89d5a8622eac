"""CSRF (architecture.md §10, one recipe) and the security header set."""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl

from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.store.tokens import new_token

CSRF_COOKIE = "csrftoken"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
FORM_TYPE = "application/x-www-form-urlencoded"
MAX_FORM_FIELDS = 200

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
CAPABILITY_PREFIXES = ("/a/", "/r/")
NO_STORE_PREFIXES = ("/a/", "/r/", "/admin", "/api/")



def same_token(a: str, b: str) -> bool:
    """Constant-time comparison of two tokens."""
    return hmac.compare_digest(a.encode("utf-8", "surrogatepass"), b.encode("utf-8", "surrogatepass"))


def mask_path(path: str) -> str:
    """A path fit for logs: capability tokens are cut to their first four characters."""
    for prefix in CAPABILITY_PREFIXES:
        if path.startswith(prefix):
            rest = path[len(prefix):]
            token, _, tail = rest.partition("/")
            return f"{prefix}{token[:4]}…" + (f"/{tail}" if tail else "")
    return path


def security_headers(path: str, headers: MutableHeaders, *, https: bool) -> None:
    """Set the header set of reliability.md §1.6 on one response."""
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    capability = path.startswith(CAPABILITY_PREFIXES)
    # The read-only report sends no referrer at all. Edit pages hold forms: under "no-referrer" browsers
    # send `Origin: null` on their plain POSTs, so they use "same-origin", which still keeps the token
    # out of every cross-origin Referer.
    headers.setdefault("Referrer-Policy", "no-referrer" if path.startswith("/r/") else "same-origin")
    if capability:
        headers.setdefault("X-Robots-Tag", "noindex, nofollow")
    if path.startswith(NO_STORE_PREFIXES):
        headers["Cache-Control"] = "no-store"
    if https:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")


def _reject(status: int, text: str) -> Response:
    """A plain-text refusal (the HTML error pages are for routed requests)."""
    return PlainTextResponse(text, status_code=status)


class Guard:
    """Pure ASGI middleware: body limit, CSRF and API content rules, security headers, masked access log."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body: int,
        https: bool,
        public_origin: str,
        log: Callable[[str], None] | None = None,
    ) -> None:
        self.app, self.max_body, self.https, self.public_origin, self.log = app, max_body, https, public_origin, log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path, method = scope["path"], scope["method"]
        headers = Headers(scope=scope)
        cookie = _cookie(headers.get("cookie", ""), CSRF_COOKIE)
        fresh = "" if cookie and len(cookie) >= 32 else new_token()
        scope.setdefault("state", {})["csrf_token"] = fresh or cookie
        status_box = [0]

        async def send_wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_box[0] = message["status"]
                out = MutableHeaders(scope=message)
                security_headers(path, out, https=self.https)
                if fresh and not path.startswith("/api/"):
                    out.append("set-cookie", _csrf_cookie(fresh, self.https))
            await send(message)

        body, refusal = await self._read_body(headers, receive)
        if refusal is None and method in UNSAFE:
            refusal = self._check_unsafe(scope, headers, body, cookie)
        if refusal is not None:
            await refusal(scope, _replay(b"", receive), send_wrapped)
        else:
            await self.app(scope, _replay(body, receive), send_wrapped)
        if self.log:
            self.log(f'{_client(scope)} "{method} {mask_path(path)}" {status_box[0]}')

    async def _read_body(self, headers: Headers, receive: Receive) -> tuple[bytes, Response | None]:
        """Buffer the body up to the limit; refuse a larger one with 413 before reading it all."""
        declared = headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > self.max_body:
            return b"", _reject(413, "Request body too large.")
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                return b"", _reject(413, "Request body too large.")
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks), None

    def _check_unsafe(self, scope: Scope, headers: Headers, body: bytes, cookie: str) -> Response | None:
        """Fetch metadata, Origin, content type and the CSRF token of one unsafe request."""
        if headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
            return _reject(403, "Cross-site request refused.")
        origin = headers.get("origin")
        if origin and origin != self._origin(scope, headers):
            return _reject(403, "Foreign origin refused.")
        content_type = headers.get("content-type", "").split(";")[0].strip().lower()
        if scope["path"].startswith("/api/"):
            return None if content_type == "application/json" else _reject(415, "Send application/json.")
        if scope["method"] != "POST":  # no form routes take PUT/PATCH/DELETE: the header token, then the router's 405
            sent_header = headers.get(CSRF_HEADER, "")
            return (None if cookie and sent_header and same_token(cookie, sent_header)
                    else _reject(403, "Missing security token."))
        if content_type != FORM_TYPE:
            return _reject(415, f"Send {FORM_TYPE}.")
        try:
            fields = parse_qsl(body.decode("utf-8"), keep_blank_values=True, max_num_fields=MAX_FORM_FIELDS)
        except UnicodeDecodeError:
            return _reject(400, "The form is not valid UTF-8.")
        except ValueError:
            return _reject(400, "Too many form fields.")
        scope["state"]["form"] = fields
        sent = headers.get(CSRF_HEADER) or next((v for k, v in fields if k == CSRF_FIELD), "")
        if not cookie or not sent or not same_token(cookie, sent):
            return _reject(403, "The form has expired or its security token is missing. Reload the page and try again.")
        return None

    def _origin(self, scope: Scope, headers: Headers) -> str:
        """The origin this app is served from: configured, else the request's own."""
        if self.public_origin:
            return self.public_origin.rstrip("/")
        return f"{scope.get('scheme', 'http')}://{headers.get('host', '')}"


def _csrf_cookie(token: str, https: bool) -> str:
    """The Set-Cookie value of the CSRF cookie: HttpOnly, SameSite=Lax, Secure over HTTPS."""
    return f"{CSRF_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax" + ("; Secure" if https else "")


def _cookie(header: str, name: str) -> str:
    """One cookie's value from a Cookie header ('' when absent)."""
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return ""


def _client(scope: Scope) -> str:
    """The client address of a request, for logs and rate limits."""
    client = scope.get("client")
    return str(client[0]) if client else "-"


def _replay(body: bytes, upstream: Receive) -> Callable[[], Awaitable[Any]]:
    """A receive() that hands the buffered body to the app once, then waits on the real one."""
    sent = False

    async def receive() -> Any:
        nonlocal sent
        if sent:
            return await upstream()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive
