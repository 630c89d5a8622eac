"""The Jinja environment, the one render() helper and the htmx test; the filters come from app/views/format.py."""

from __future__ import annotations

import sys
from collections.abc import Hashable, Mapping
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template, Undefined
from markupsafe import Markup

from app.engine.model import Question, Source
from app.settings import ROOT, Settings
from app.views.format import money, number, percent, points, utc
from app.web.cache import LRU


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


class QuestionFragments:
    """The question_field macro, memoised: a question's markup depends only on the question, its current values
    and its error (the bank and its sources are fixed for the app's life), and the same few combinations recur
    across teams. A step page's questions were ~40 % of its render time (bench/README.md); a hit costs a dict lookup.
    The templates call it as `question_html(q, current, errors)`. Bounded by bytes: values a client makes up (each
    a new key) evict each other instead of growing the worker."""

    def __init__(self, env: Environment, sources: Mapping[str, Source], max_bytes: int = 4 << 20) -> None:
        self._env, self._sources, self._cache = env, sources, LRU[Markup](max_bytes, _weigh)
        self._template: Template | None = None

    def __call__(self, question: Question, current: Mapping[str, list[str]], errors: Mapping[str, str]) -> Markup:
        key = (question.id, tuple(current.get(question.id, ())), errors.get(question.id))
        html = self._cache.get(key) if self._fresh() else None
        if html is None:
            own = {question.id: list(key[1])} if key[1] else {}
            macros: Any = self._macros().module  # a template module: its macros are attributes mypy cannot see
            html = macros.question_field(question, own, {question.id: key[2]} if key[2] else {}, self._sources)
            self._cache.put(key, html)
        return html

    def _fresh(self) -> bool:
        """False (and the cache emptied) after a template edit, when the environment auto-reloads (development)."""
        if self._template is None or not self._env.auto_reload or self._template.is_up_to_date:
            return True
        self._template = None
        self._cache.clear()
        return False

    def _macros(self) -> Template:
        if self._template is None:
            self._template = self._env.get_template("_macros.html")
        return self._template


def _weigh(key: Hashable, html: Markup) -> int:
    """Bytes of one memoised fragment and of the submitted values in its key."""
    values: tuple[str, ...] = key[1]  # type: ignore[index]
    error: str | None = key[2]  # type: ignore[index]
    return sys.getsizeof(html) + sum(sys.getsizeof(v) for v in values) + sys.getsizeof(error or "")


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
