"""Property-based bad input on every form and the JSON API, through the real middleware: never a 5xx,
nothing changes after a 4xx, and accepted text round-trips exactly (after the documented NFC + strip)."""

from __future__ import annotations

import unicodedata
from urllib.parse import quote

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from app.store import assessments as repo
from app.store.models import Answer, Assessment

from ..conftest import csrf_of
from ..helpers import STEP_ANSWERS, form_state, start

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
text = st.text(st.characters(codec="utf-8"), max_size=300)
names = st.sampled_from(["gap_types", "failure_mode", "task_stability", "labeled_examples", "csrf_token", "version",
                         "idem", "team", "cost_cache_hit", "x"]) | st.text(max_size=20)
values = text | st.sampled_from(["NaN", "inf", "-1", "1e309", "10,000,000,000", "behavior", "0", ""])


EDITS: dict[int, str] = {}  # one assessment per test's client, reused across the generated examples


def snapshot(client: TestClient) -> tuple:
    """Everything a rejected request must leave as it was."""
    with client.app.state.db.read() as session:
        assessments = [(a.id, a.team, a.title, a.version, a.cost_assumptions) for a in session.exec(select(Assessment))]
        answers = sorted((a.assessment_id, a.question_id, str(a.value)) for a in session.exec(select(Answer)))
    return assessments, answers


def encode(pairs: list[tuple[str, str]]) -> bytes:
    """A url-encoded body, surrogates and all (as raw bytes a client could send)."""
    return "&".join(f"{quote(k, safe='', errors='surrogatepass')}={quote(v, safe='', errors='surrogatepass')}"
                    for k, v in pairs).encode()


@FUZZ
@given(pairs=st.lists(st.tuples(names, values), max_size=12), keep_csrf=st.booleans())
def test_step_form_fuzz(client: TestClient, pairs: list[tuple[str, str]], keep_csrf: bool) -> None:
    edit = EDITS.get(id(client)) or EDITS.setdefault(id(client), start(client))
    token, version = form_state(client, edit, "problem")
    before = snapshot(client)
    body = ([("csrf_token", token)] if keep_csrf else []) + [("version", version)] + pairs
    response = client.post(f"/a/{edit}/problem", content=encode(body), follow_redirects=False,
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code < 500
    if response.status_code >= 400:
        assert snapshot(client) == before
    else:
        with client.app.state.db.read() as session:
            assessment = repo.find_by_token(session, token=edit)
            stored = repo.answers_of(session, assessment_id=assessment.id)
        assert set(STEP_ANSWERS["problem"]) <= set(stored)


@FUZZ
@given(team=text, title=text)
def test_landing_form_round_trips_text(client: TestClient, team: str, title: str) -> None:
    token = csrf_of(client.get("/").text)
    before = snapshot(client)
    response = client.post("/assessments", content=encode([("csrf_token", token), ("team", team), ("title", title)]),
                           headers={"Content-Type": "application/x-www-form-urlencoded"}, follow_redirects=False)
    assert response.status_code in (303, 422)
    if response.status_code == 422:
        assert snapshot(client) == before
        return
    edit = response.headers["location"].split("/")[2]
    with client.app.state.db.read() as session:
        stored = repo.find_by_token(session, token=edit)
    assert stored.team == unicodedata.normalize("NFC", team).strip()
    assert stored.title == unicodedata.normalize("NFC", title).strip()
    assert client.get(f"/a/{edit}/problem").status_code == 200


@FUZZ
@given(body=st.dictionaries(st.sampled_from(["team", "title", "answers", "cost_assumptions", "extra"]),
                            st.none() | st.booleans() | st.integers() |
                            st.floats(allow_nan=False, allow_infinity=False) | text |
                            st.lists(text, max_size=3) | st.dictionaries(names, values | st.integers(), max_size=5)))
def test_api_fuzz(client: TestClient, body: dict) -> None:
    before = snapshot(client)
    response = client.post("/api/assessments", json=body)
    assert response.status_code in (201, 422), response.text[:300]
    if response.status_code == 422:
        assert snapshot(client) == before and response.json()["errors"]
