"""An injection corpus stored through every free-text field and rendered escaped everywhere it appears."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape

from ..helpers import complete, start
from .test_results import finish

CORPUS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    '" hx-get="/admin" hx-trigger="load',
    "{{7*7}}",
    "{% raw %}{{ config }}{% endraw %}",
    "javascript:alert(1)",
    "[click](javascript:alert(1)) <b>bold</b> `code`",
    "=HYPERLINK(\"http://evil.example\")",
    "' OR 1=1 --",
]
RAW_MARKERS = ("<script>alert", "<img src=x", 'hx-get="/admin"', "<b>bold</b>")


def assert_escaped(text: str, where: str, payload: str | None = None) -> None:
    """No raw markup from the corpus, no injected attribute; where the text is shown, it is shown verbatim
    (escaped), so a template expression was not evaluated either."""
    for marker in RAW_MARKERS:
        assert marker not in text, f"{marker!r} unescaped in {where}"
    assert not re.search(r'<[^>]+\shx-trigger="load', text), f"attribute injected in {where}"
    if payload is not None:
        assert str(escape(payload)) in text, f"{payload!r} not shown verbatim in {where}"


@pytest.mark.parametrize("payload", CORPUS)
def test_team_and_title_render_escaped_everywhere(client: TestClient, payload: str) -> None:
    edit = start(client, team=payload, title=payload)
    complete(client, edit)
    view = finish(client, edit)
    pages = {
        "step": client.get(f"/a/{edit}/problem").text,
        "fragment": client.get(f"/a/{edit}/data", headers={"HX-Request": "true"}).text,
        "review": client.get(f"/a/{edit}/review").text,
        "manage": client.get(f"/a/{edit}/manage").text,
        "report": client.get(f"/r/{view}").text,
    }
    for where, text in pages.items():
        assert_escaped(text, where, None if where == "fragment" else payload)
    assert client.get(f"/r/{view}.json").json()["team"] == payload  # stored verbatim, escaped on output
    record = client.get(f"/r/{view}.md").text
    assert "<script>" not in record and "](javascript:" not in record


def test_the_report_wraps_user_text_in_hx_disable(client: TestClient) -> None:
    edit = start(client, team="Team <x>", title="Title")
    complete(client, edit)
    report = client.get(f"/r/{finish(client, edit)}").text
    assert "hx-disable" in report


def test_htmx_is_configured_safely(client: TestClient) -> None:
    page = client.get("/").text
    config = re.search(r"<meta name=\"htmx-config\" content='([^']+)'>", page).group(1)
    for setting in ('"allowEval":false', '"allowScriptTags":false', '"selfRequestsOnly":true',
                    '"historyCacheSize":0', '"includeIndicatorStyles":false'):
        assert setting in config
    assert "<script>" not in page and " style=" not in page and "hx-on" not in page


def test_anonymous_starts_are_rate_limited(settings) -> None:
    from app.main import create_app

    app = create_app(settings.model_copy(update={"rate_limit_per_minute": 2}))
    with TestClient(app) as client:
        token = client.get("/").text.split('name="csrf_token" value="')[1].split('"')[0]
        codes = [client.post("/assessments", data={"csrf_token": token, "team": "T", "title": "X"},
                             follow_redirects=False) for _ in range(3)]
    app.state.db.dispose()
    assert [c.status_code for c in codes] == [303, 303, 429]
    assert int(codes[2].headers["retry-after"]) >= 1
