"""The edge of every request: Host, body limit and timeout, CSRF (architecture.md §10, one recipe), HEAD, the
security header set, the request id, and the finished exchange handed to the access log and the metrics."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import anyio
from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.store.tokens import new_token
from app.web import csrf
from app.web.logs import REQUEST_ID, Exchange, request_id

UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
FORM_TYPE = "application/x-www-form-urlencoded"
MAX_FORM_FIELDS = 200
LIVENESS, ALIVE = "/healthz", b'{"status":"ok"}'  # answered by the Guard itself (Guard._alive)
HOST_FREE = (LIVENESS, "/readyz", "/metrics")  # answer no URL: health checks and scrapers may use any address

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
CAPABILITY_PREFIXES = ("/a/", "/r/")
NO_STORE_PREFIXES = ("/a/", "/r/", "/admin", "/api/")
FORM_PAGES = ("/variant",)  # pages under /r/ that post a form, so they need "same-origin" (see security_headers)


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
    read_only = path.startswith("/r/") and not path.endswith(FORM_PAGES)
    headers.setdefault("Referrer-Policy", "no-referrer" if read_only else "same-origin")
    if capability:
        headers.setdefault("X-Robots-Tag", "noindex, nofollow")
    if path.startswith(NO_STORE_PREFIXES):
        headers["Cache-Control"] = "no-store"
    if https:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")


def _reject(status: int, text: str, *, close: bool = False) -> Response:
    """A plain-text refusal (the HTML error pages are for routed requests)."""
    return PlainTextResponse(text, status_code=status, headers={"Connection": "close"} if close else None)


def host_name(value: str) -> str:
    """The host of a Host header without its port, lower case (an IPv6 address without its brackets)."""
    if value.startswith("["):
        return value[1:].partition("]")[0].lower()
    return value.partition(":")[0].lower()


class Guard:
    """Pure ASGI middleware, outermost: everything a request must pass before the app sees it."""

    def __init__(
        self, app: ASGIApp, *, max_body: int, https: bool, public_origin: str, hosts: tuple[str, ...] = (),
        body_timeout: float = 10.0, observers: tuple[Callable[[Exchange], None], ...] = (),
    ) -> None:
        self.app, self.max_body, self.https, self.observers = app, max_body, https, observers
        self.origin, self.hosts, self.body_timeout = public_origin.rstrip("/"), frozenset(hosts), body_timeout
        parts = urlsplit(self.origin)
        self._origin_scope = (parts.scheme, (parts.netloc or "").encode("latin-1"))
        alive = MutableHeaders(raw=[(b"content-type", b"application/json"), (b"content-length", b"%d" % len(ALIVE))])
        security_headers(LIVENESS, alive, https=https)
        self._alive_headers = tuple(alive.raw)  # the same for every probe: built once

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path, method, started = scope["path"], scope["method"], time.perf_counter()
        if path == LIVENESS and method in ("GET", "HEAD"):
            # Liveness is answered here, before every other layer: it needs nothing of the app, and an
            # orchestrator probes it often (0.16 of the bare hello through the whole stack, see bench/README.md).
            await self._alive(scope, send, started)
            return
        headers = Headers(scope=scope)
        rid = request_id(headers.get("x-request-id"))
        REQUEST_ID.set(rid)  # this request's task (and threads it starts) log with it
        cookie = _cookie(headers.get("cookie", ""), csrf.cookie_name(self.https))
        cookie = cookie if csrf.valid(cookie) else ""
        fresh = "" if cookie else new_token()
        state = scope.setdefault("state", {})
        state["csrf_token"] = fresh or cookie
        head, status_box = method == "HEAD", [0]

        async def send_wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_box[0] = message["status"]
                out = MutableHeaders(scope=message)
                out.append("x-request-id", rid)
                security_headers(path, out, https=self.https)
                issued = state.get("csrf_rotate") or fresh
                if issued and not path.startswith("/api/"):
                    out.append("set-cookie", csrf.set_cookie(issued, self.https))
            elif head and message["type"] == "http.response.body":
                message = {**message, "body": b""}  # HEAD: the GET's headers (length included), no body
            await send(message)

        scope, refusal = self._host(scope, headers, path)
        body = b""
        if refusal is None:
            body, refusal = await self._read_body(headers, receive)
        if refusal is None and method in UNSAFE:
            refusal = self._check_unsafe(scope, headers, body, cookie)
        if head:
            scope = {**scope, "method": "GET"}  # a copy: the server still knows it answers a HEAD
        if refusal is not None:
            await refusal(scope, _replay(b"", receive), send_wrapped)
        else:
            await self.app(scope, _replay(body, receive), send_wrapped)
        self._observe(scope, method, path, getattr(scope.get("route"), "path", None) or "unmatched", status_box[0],
                      started, rid)

    def _observe(self, scope: Scope, method: str, path: str, route: str, status: int, started: float,
                 rid: str) -> None:
        """Hand the finished request to the access log and the metrics."""
        if self.observers:
            done = Exchange(_client(scope), method, mask_path(path), route, status, time.perf_counter() - started,
                            rid)
            for observe in self.observers:
                observe(done)

    async def _alive(self, scope: Scope, send: Send, started: float) -> None:
        """200 {"status":"ok"} with the header set and a request id: the process serves requests."""
        sent = next((v for k, v in scope["headers"] if k == b"x-request-id"), None)
        rid = request_id(sent.decode("latin-1") if sent is not None else None)
        await send({"type": "http.response.start", "status": 200,
                    "headers": [*self._alive_headers, (b"x-request-id", rid.encode())]})
        await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else ALIVE})
        self._observe(scope, scope["method"], LIVENESS, LIVENESS, 200, started, rid)

    def _host(self, scope: Scope, headers: Headers, path: str) -> tuple[Scope, Response | None]:
        """With a public origin, the request is made to carry it (every absolute URL the app builds then uses
        it, whatever Host a client sent); without one, a Host outside the allowed names is refused."""
        if self.origin:
            scheme, netloc = self._origin_scope
            raw = [(k, v) for k, v in scope["headers"] if k != b"host"] + [(b"host", netloc)]
            return {**scope, "scheme": scheme, "headers": raw}, None
        if path in HOST_FREE or host_name(headers.get("host", "")) in self.hosts:
            return scope, None
        return scope, _reject(400, "Unknown host: set TUNEWISE_PUBLIC_ORIGIN or TUNEWISE_ALLOWED_HOSTS.")

    async def _read_body(self, headers: Headers, receive: Receive) -> tuple[bytes, Response | None]:
        """Buffer the body up to the limit; refuse a larger one with 413 before reading it all, and one that
        has not arrived within body_timeout with 408 (the connection then closes)."""
        declared = headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > self.max_body:
            return b"", _reject(413, "Request body too large.")
        if declared in (None, "0") and "transfer-encoding" not in headers:
            return b"", None  # no body (most GETs): nothing to wait for
        chunks, size = [], 0
        with anyio.move_on_after(self.body_timeout) as timer:
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
        if timer.cancelled_caught:
            return b"", _reject(408, "The request body did not arrive in time.", close=True)
        return b"".join(chunks), None

    def _check_unsafe(self, scope: Scope, headers: Headers, body: bytes, cookie: str) -> Response | None:
        """Fetch metadata, Origin, content type and the CSRF token of one unsafe request. The API takes no
        cookies, so its requests need no token; its content type is the route's to check (415 only where a
        body is read: a method the route lacks stays 405)."""
        if headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
            return _reject(403, "Cross-site request refused.")
        origin = headers.get("origin")
        if origin and origin != self._origin(scope, headers):
            return _reject(403, "Foreign origin refused.")
        if scope["path"].startswith("/api/"):
            return None
        content_type = headers.get("content-type", "").split(";")[0].strip().lower()
        if scope["method"] != "POST":  # no form routes take PUT/PATCH/DELETE: the header token, then the router's 405
            sent_header = headers.get(csrf.HEADER, "")
            return (None if cookie and sent_header and csrf.same_token(cookie, sent_header)
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
        sent = headers.get(csrf.HEADER) or next((v for k, v in fields if k == csrf.FIELD), "")
        if not cookie or not sent or not csrf.same_token(cookie, sent):
            return _reject(403, "The form has expired or its security token is missing. Reload the page and try again.")
        return None

    def _origin(self, scope: Scope, headers: Headers) -> str:
        """The origin this app is served from: configured, else the request's own (its Host was checked)."""
        return self.origin or f"{scope.get('scheme', 'http')}://{headers.get('host', '')}"


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
