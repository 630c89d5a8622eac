"""The JSON API: 201 with the result and both links, 422 per field, no cookies, rate limits, OpenAPI."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from app.engine.model import UNKNOWN
from app.main import create_app
from app.store import assessments as repo
from app.store.models import Assessment

from ..scenarios import ALL

JSON = {"Content-Type": "application/json"}


@pytest.mark.parametrize("case", ALL, ids=[c["id"] for c in ALL])
def test_every_scenario_gets_an_acceptable_outcome(client: TestClient, case: dict) -> None:
    response = client.post("/api/assessments",
                           json={"team": "Fixture", "title": case["title"][:200], "answers": case["answers"]})
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["result"]["primary"] in case["acceptable"], case["id"]
    view = body["view_url"].rsplit("/", 1)[1]
    assert client.get(f"/api/results/{view}").json()["result"]["primary"] == body["result"]["primary"]
    assert client.get(body["edit_url"].replace("http://testserver", ""), follow_redirects=False).status_code == 303


@pytest.mark.parametrize("answers,field,message", [
    ({}, "answers.gap_types", "Select at least one option."),
    ({"gap_types": ["nonsense"]}, "answers.gap_types", "is not one of the options"),
    ({"gap_types": ["behavior"], "eval_set": "lots"}, "answers.eval_set", "is not one of the options"),
    ({"gap_types": ["behavior"], "monthly_calls": -1}, "answers.monthly_calls", "cannot be negative"),
    ({"gap_types": ["behavior"], "monthly_calls": "many"}, "answers.monthly_calls", "give a whole number"),
    ({"gap_types": ["behavior"], "monthly_calls": "5x"}, "answers.monthly_calls",
     'Number of calls a month: give a whole number (a JSON integer) or "unknown", not "5x".'),
    ({"gap_types": ["behavior"], "labeled_examples": 2 * 10**9}, "answers.labeled_examples",
     "Number of examples must be 1,000,000,000 or fewer; enter a number from 0 to 1,000,000,000."),
    ({"gap_types": "unknown"}, "answers.gap_types", 'cannot be "unknown"'),
    ({"gap_types": ["behavior"], "favourite": "x"}, "answers.favourite", "Unknown question id"),
])
def test_bad_answers_get_422_naming_the_field(client: TestClient, answers: dict, field: str, message: str) -> None:
    response = client.post("/api/assessments", json={"team": "T", "title": "X", "answers": answers})
    assert response.status_code == 422
    errors = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert message in errors[field]


def test_omitted_or_unknown_answers_are_stored_as_unknown(client: TestClient) -> None:
    bank = client.app.state.bank
    answers = {"gap_types": ["behavior"], "failure_mode": "unknown", "monthly_calls": "unknown",
               "labeled_examples": 2_000_000, "fixed_prompt_tokens": 1_500_000}
    response = client.post("/api/assessments", json={"team": "T", "title": "X", "answers": answers})
    assert response.status_code == 201, response.text
    result = response.json()["result"]
    assert result["answers"]["failure_mode"] == result["answers"]["eval_set"] == UNKNOWN
    with client.app.state.db.read() as session:
        saved = repo.answers_of(session, assessment_id=session.exec(select(Assessment)).one().id)
    assert set(saved) == set(bank.questions)  # every question stored: the edit link opens a complete draft
    assert saved["failure_mode"] == saved["monthly_calls"] == saved["eval_set"] == UNKNOWN
    assert (saved["labeled_examples"], saved["fixed_prompt_tokens"]) == (2_000_000, 1_500_000)
    assert sum(1 for v in saved.values() if v == UNKNOWN) == len(bank.questions) - 3
    edit = response.json()["edit_url"].replace("http://testserver", "")
    assert client.get(edit, follow_redirects=False).headers["location"].endswith("/review")
    assert "<dd>Not sure</dd>" in client.get(edit + "/review").text


def test_openapi_says_what_an_omitted_answer_means(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    text = schema["components"]["schemas"]["AssessmentIn"]["properties"]["answers"]["description"]
    assert "may be omitted or given as \"unknown\"" in text and "422" in text
    operation = schema["paths"]["/api/assessments"]["post"]
    assert "422" in operation["responses"] and '"unknown"' in operation["description"]


def test_missing_team_is_a_field_error(client: TestClient) -> None:
    response = client.post("/api/assessments", json={"title": "X", "answers": {"gap_types": ["behavior"]}})
    assert response.status_code == 422
    assert any(e["field"] == "team" for e in response.json()["errors"])


def test_the_api_wants_json_and_refuses_foreign_origins(client: TestClient) -> None:
    body = '{"team": "T", "title": "X", "answers": {"gap_types": ["behavior"]}}'
    assert client.post("/api/assessments", content=body, headers={"Content-Type": "text/plain"}).status_code == 415
    foreign = {**JSON, "Origin": "https://evil.example"}
    assert client.post("/api/assessments", content=body, headers=foreign).status_code == 403
    response = client.post("/api/assessments", content=body, headers=JSON)
    assert response.status_code == 201 and "set-cookie" not in response.headers


def test_the_api_is_rate_limited_per_client(settings) -> None:
    app = create_app(settings.model_copy(update={"rate_limit_per_minute": 3}))
    with TestClient(app) as client:
        codes = [client.post("/api/assessments", json={"team": "T", "title": "X", "answers": {}}).status_code
                 for _ in range(4)]
        assert codes[:3] == [422, 422, 422] and codes[3] == 429
        limited = client.post("/api/assessments", json={})
        assert int(limited.headers["retry-after"]) >= 1
    app.state.db.dispose()


def test_openapi_documents_the_api_only(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert set(schema["paths"]) == {"/api/assessments", "/api/results/{view_token}"}
    assert client.get("/docs").status_code == 200
