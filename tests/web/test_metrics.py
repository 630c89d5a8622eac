"""Issue 14, item 2: /metrics in the Prometheus text format, off unless TUNEWISE_METRICS=1, optionally behind a bearer
token; requests by method, route template and status (never a token or a team name), totals from the database."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from app.engine.rules import Knowledge
from app.main import create_app
from app.settings import Settings

from ..conftest import csrf_of
from ..helpers import start
from ..stored import seed_results


def sample(text: str, name: str, **labels: str) -> float:
    """The value of one sample of the exposition (0 when absent)."""
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()):
                return float(s.value)
    return 0.0


@pytest.fixture
def metered(settings: Settings) -> Iterator[TestClient]:
    """A client of an app with metrics on and a token."""
    app = create_app(settings.model_copy(update={"metrics": True, "metrics_token": "s3cret-scrape-token"}))
    with TestClient(app) as client:
        yield client
    app.state.db.dispose()


def scrape(client: TestClient) -> str:
    """GET /metrics with the token; checks the content type of the text format."""
    response = client.get("/metrics", headers={"Authorization": "Bearer s3cret-scrape-token"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain; version=")
    return response.text


def test_off_by_default(client: TestClient) -> None:
    assert client.get("/metrics").status_code == 404


def test_the_token_is_required_when_set(metered: TestClient) -> None:
    for header in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "s3cret-scrape-token"}):
        refused = metered.get("/metrics", headers=header)
        assert refused.status_code == 401 and refused.headers["www-authenticate"].startswith("Bearer")
    assert "tunewise_http_requests_total" in scrape(metered)


def test_requests_are_counted_by_route_template_never_by_token_or_team(metered: TestClient) -> None:
    edit = start(metered, team="Secret Team Falcon", title="Our confidential project")
    for _ in range(3):
        assert metered.get(f"/a/{edit}/problem").status_code == 200
    assert metered.get("/no/such/page/" + "x" * 30).status_code == 404
    text = scrape(metered)
    assert sample(text, "tunewise_http_requests_total", method="GET", route="/a/{token}/{slug}", status="200") == 3
    assert sample(text, "tunewise_http_requests_total", method="POST", route="/assessments", status="303") == 1
    assert sample(text, "tunewise_http_requests_total", route="unmatched", status="404") == 1
    assert sample(text, "tunewise_http_request_duration_seconds_count", route="/a/{token}/{slug}", status="200") == 3
    assert edit[:8] not in text and "Falcon" not in text and "confidential" not in text and "xxxxx" not in text
    routes = set(re.findall(r'route="([^"]*)"', text))
    assert routes and all(r.startswith("/") or r == "unmatched" for r in routes)


def test_totals_come_from_the_database(metered: TestClient, knowledge: Knowledge) -> None:
    seed_results(metered.app.state.db, knowledge, count=5)  # type: ignore[attr-defined]
    start(metered)  # a draft: started, not finished
    text = scrape(metered)
    assert sample(text, "tunewise_assessments_started") == 6
    assert sample(text, "tunewise_assessments_finished") == 5
    by_approach = {a: sample(text, "tunewise_results", approach=a)
                   for a in ("PROMPT", "RAG", "LORA", "FT_FULL", "HYBRID", "INTEGRATION")}
    assert sum(by_approach.values()) == 5 and "Team" not in text
    deliveries = {s.labels["outcome"]: s.value for f in text_string_to_metric_families(text) for s in f.samples
                  if s.name == "tunewise_webhook_deliveries"}
    assert deliveries == {"pending": 0, "delivered": 0, "failed": 0}  # no endpoint registered yet


def test_a_full_database_counts_a_database_error(settings: Settings) -> None:
    app = create_app(settings.model_copy(update={"metrics": True, "sqlite_max_page_count": 1}))
    if not app.state.db.is_sqlite:
        pytest.skip("the page limit is a SQLite fault injection")
    with TestClient(app) as client:
        before = sample(client.get("/metrics").text, "tunewise_database_errors_total")
        token, statuses = csrf_of(client.get("/").text), []
        while 503 not in statuses and len(statuses) < 60:  # the "disk" fills within a few writes
            statuses.append(client.post("/assessments", follow_redirects=False, data={
                "csrf_token": token, "team": "T" * 100, "title": "Y" * 190 + str(len(statuses))}).status_code)
        after = sample(client.get("/metrics").text, "tunewise_database_errors_total")
    app.state.db.dispose()
    assert 503 in statuses and after - before == statuses.count(503)
