"""Issue 15, items 5 and 10: the API's contract. A lone surrogate in an answers key is a 422 naming it (it was a
500); 400, 413, 415 and 429 are documented; a method a route lacks is 405 (PUT gave 415); cost assumptions take
numbers only, as answers do; the schema says that answers need gap_types."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

JSON = {"Content-Type": "application/json"}


def post_raw(client: TestClient, body: str, **headers: str):
    return client.post("/api/assessments", content=body.encode(), headers={**JSON, **headers})


def test_a_lone_surrogate_key_is_a_422_naming_it(client: TestClient) -> None:
    body = '{"team": "T", "title": "X", "answers": {"gap_types": ["behavior"], "\\ud800": 1}}'
    response = post_raw(client, body)
    assert response.status_code == 422
    fields = [e["field"] for e in response.json()["errors"]]
    assert "answers.\\ud800" in fields  # the escape as text: printable, and names the key
    extra = '{"team": "T", "title": "X", "answers": {"gap_types": ["behavior"]}, "cost_assumptions": {"\\udfff": 1}}'
    response = post_raw(client, extra)
    assert response.status_code == 422 and response.json()["errors"][0]["field"].startswith("cost_assumptions")


def test_methods_a_route_lacks_are_405_whatever_the_content_type(client: TestClient) -> None:
    for method, path in (("PUT", "/api/results/x"), ("DELETE", "/api/assessments"), ("POST", "/api/results/x"),
                         ("PATCH", "/api/results/" + "x" * 43)):
        for headers in ({}, {"Content-Type": "text/plain"}, JSON):
            response = client.request(method, path, content=b"{}", headers=headers)
            assert response.status_code == 405, (method, path, headers)
    assert post_raw(client, "{}", **{"Content-Type": "text/plain"}).status_code == 415
    assert post_raw(client, "{}", **{"Content-Type": "application/json; charset=utf-8"}).status_code == 422


def test_cost_assumptions_take_numbers_only(client: TestClient) -> None:
    answers = {"gap_types": ["behavior"]}
    for value in (True, False, "100", "0.5", None):
        response = client.post("/api/assessments", json={"team": "T", "title": "X", "answers": answers,
                                                          "cost_assumptions": {"user_tokens": value}})
        expected = 201 if value is None else 422
        assert response.status_code == expected, (value, response.text[:200])
    ok = client.post("/api/assessments", json={"team": "T", "title": "X", "answers": answers,
                                               "cost_assumptions": {"user_tokens": 100, "cache_hit": 0.5}})
    assert ok.status_code == 201


def test_openapi_documents_every_refusal_and_what_answers_needs(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    create = schema["paths"]["/api/assessments"]["post"]["responses"]
    for status in ("400", "403", "408", "413", "415", "422", "429"):
        assert status in create, status
    read = schema["paths"]["/api/results/{view_token}"]["get"]["responses"]
    assert {"400", "404", "429"} <= set(read)
    answers = schema["components"]["schemas"]["AssessmentIn"]["properties"]["answers"]
    assert answers["required"] == ["gap_types"] and answers["minProperties"] == 1
    assert json.dumps(schema).count("\\ud800") == 0
