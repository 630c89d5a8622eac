"""The team's decision on a result and its outcome: recorded, shown, checked (422 per field), guarded against a
concurrent change (409, nothing lost), audited, and only for edit-link holders."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape
from sqlmodel import select

from app.store import decisions
from app.store.models import AuditEvent, Result

from ..conftest import csrf_of
from ..scenarios import ALL


def made(client: TestClient, case: dict[str, Any] | None = None) -> tuple[str, int]:
    """A result made through the API: (edit token, result id)."""
    case = case or ALL[0]
    response = client.post("/api/assessments", json={"team": "Support", "title": "Bot", "answers": case["answers"]})
    assert response.status_code == 201, response.text
    edit = response.json()["edit_url"].rsplit("/", 1)[1]
    with client.app.state.db.read() as session:
        result_id = session.exec(select(Result.id).order_by(Result.id.desc())).first()
    return edit, int(result_id)


def post(client: TestClient, edit: str, result_id: int, form: str, **fields: str) -> Any:
    """Submit one of the two forms as the page renders it (CSRF token and version), with these fields."""
    page = client.get(f"/a/{edit}/results/{result_id}/decision")
    version = re.search(r'name="version" value="(\d+)"', page.text).group(1)
    data = {"csrf_token": csrf_of(page.text), "version": version, **fields}
    path = "decision" if form == "status" else "outcome"
    return client.post(f"/a/{edit}/results/{result_id}/{path}", data=data, follow_redirects=False)


def stored(client: TestClient, result_id: int) -> Any:
    with client.app.state.db.read() as session:
        return decisions.decision_of(session, result_id=result_id)


def test_a_recorded_decision_is_shown_and_audited(client: TestClient) -> None:
    edit, result_id = made(client)
    response = post(client, edit, result_id, "status", status="accepted", owner="Ana (platform lead)",
                    decided_on="2026-12-05", rationale="Cheapest option\nthat meets the bar.",
                    revisit_by="2027-03-01", contributor="Ana")
    assert response.status_code == 303 and response.headers["location"].endswith("?saved=status#status")
    assert "tw_contributor=Ana" in response.headers["set-cookie"]
    page = client.get(response.headers["location"]).text
    assert "The decision was saved." in page and "Accepted" in page and "Ana (platform lead)" in page
    assert "Cheapest option\nthat meets the bar." in page and "2027-03-01" in page
    row = stored(client, result_id)
    assert (row.status, row.version, row.updated_by) == ("accepted", 1, "Ana")
    with client.app.state.db.read() as session:
        event = session.exec(select(AuditEvent).where(AuditEvent.action == "decision.status")).one()
    assert event.actor == "team: Ana" and event.before is None and event.after["status"] == "accepted"


def test_the_outcome_is_recorded_in_words(client: TestClient) -> None:
    edit, result_id = made(client)
    assert post(client, edit, result_id, "outcome", approach="RAG", outcome="partly",
                note="Retrieval fixed the facts.").status_code == 303
    page = client.get(f"/a/{edit}/results/{result_id}/decision").text
    assert "It partly worked" in page and "Retrieval fixed the facts." in page
    row = stored(client, result_id)
    assert (row.outcome_approach, row.outcome, row.version) == ("RAG", "partly", 1)
    assert row.outcome_at is not None and row.status == "proposed"


@pytest.mark.parametrize("fields,field,message", [
    ({}, "status", "Choose a status"),
    ({"status": "maybe"}, "status", "Choose a status"),
    ({"status": "accepted", "owner": "x" * 121}, "owner", "must be 120 characters or fewer (it has 121)"),
    ({"status": "accepted", "owner": "Ana\x07"}, "owner", "contains control characters"),
    ({"status": "accepted", "decided_on": "5 Dec"}, "decided_on", "Enter the decision date as a date"),
    ({"status": "accepted", "decided_on": "2026-12-05", "revisit_by": "2026-12-01"}, "revisit_by",
     "on or after the decision date"),
    ({"status": "accepted", "rationale": "y" * 1001}, "rationale", "1,000 characters or fewer (it has 1,001)"),
    ({"status": "superseded"}, "superseded_by", "Choose the result that supersedes this one."),
    ({"status": "accepted", "contributor": "z" * 81}, "contributor", "80 characters or fewer"),
])
def test_bad_status_fields_get_a_422_naming_them_and_nothing_is_saved(client: TestClient, fields: dict, field: str,
                                                                     message: str) -> None:
    edit, result_id = made(client)
    response = post(client, edit, result_id, "status", **fields)
    assert response.status_code == 422 and message in response.text
    suffix = "-status" if field == "contributor" else ""
    assert f'href="#q-{field}{suffix}"' in response.text and "<title>Error:" in response.text
    assert stored(client, result_id) is None
    for name, value in fields.items():  # what was typed is kept
        assert name in ("status", "superseded_by") or str(escape(value)) in response.text, name


@pytest.mark.parametrize("fields,field", [
    ({"outcome": "worked"}, "approach"), ({"approach": "RAG"}, "outcome"),
    ({"approach": "NOPE", "outcome": "worked"}, "approach"),
    ({"approach": "RAG", "outcome": "worked", "note": "n" * 2001}, "note"),
])
def test_bad_outcome_fields_get_a_422(client: TestClient, fields: dict, field: str) -> None:
    edit, result_id = made(client)
    response = post(client, edit, result_id, "outcome", **fields)
    assert response.status_code == 422 and f'href="#q-{field}"' in response.text
    assert stored(client, result_id) is None


def test_a_concurrent_change_is_a_409_that_keeps_what_was_typed(client: TestClient) -> None:
    edit, result_id = made(client)
    page = client.get(f"/a/{edit}/results/{result_id}/decision")
    stale = {"csrf_token": csrf_of(page.text), "version": "0", "status": "rejected", "rationale": "Too costly."}
    assert post(client, edit, result_id, "status", status="accepted", contributor="Bo").status_code == 303
    response = client.post(f"/a/{edit}/results/{result_id}/decision", data=stale, follow_redirects=False)
    assert response.status_code == 409
    assert "Someone changed this decision while you were editing it (Bo," in response.text
    assert "Too costly." in response.text and 'value="rejected" checked' in response.text
    assert stored(client, result_id).status == "accepted"


def test_superseded_by_must_be_one_of_the_teams_results(client: TestClient) -> None:
    edit, first = made(client)
    _, other_team = made(client)
    response = post(client, edit, first, "status", status="superseded", superseded_by=str(other_team))
    assert response.status_code == 422 and stored(client, first) is None


def test_only_the_edit_link_reaches_a_decision(client: TestClient) -> None:
    edit, result_id = made(client)
    _, other = made(client)
    body = {"team": "T", "title": "T", "answers": ALL[0]["answers"]}
    view = client.post("/api/assessments", json=body).json()["view_url"].rsplit("/", 1)[1]
    for path in (f"/a/{edit}/results/{other}/decision", f"/a/{view}/results/{result_id}/decision",
                 f"/a/{'x' * 43}/results/{result_id}/decision"):
        assert client.get(path).status_code == 404, path
    page = client.get(f"/a/{edit}/results/{result_id}/decision")
    no_csrf = client.post(f"/a/{edit}/results/{result_id}/decision", data={"status": "accepted", "version": "0"})
    assert page.status_code == 200 and no_csrf.status_code == 403 and stored(client, result_id) is None


def test_the_report_and_the_record_show_the_decision_at_once(client: TestClient) -> None:
    body = {"team": "Support", "title": "Bot", "answers": ALL[0]["answers"]}
    created = client.post("/api/assessments", json=body).json()
    edit, view = (created[k].rsplit("/", 1)[1] for k in ("edit_url", "view_url"))
    with client.app.state.db.read() as session:
        result_id = int(session.exec(select(Result.id).order_by(Result.id.desc())).first())
    assert "Status: no decision recorded yet" in client.get(f"/r/{view}").text  # now cached
    assert "* Status: proposed" in client.get(f"/r/{view}.md").text
    post(client, edit, result_id, "status", status="accepted", owner="Ana *lead*", revisit_by="2020-01-01")
    page = client.get(f"/r/{view}").text
    assert "Status: <strong>accepted</strong>, owner Ana *lead*." in page
    assert "The revisit date (2020-01-01) has passed" in page
    record = client.get(f"/r/{view}.md").text
    assert "* Status: accepted" in record and "(owner: Ana \\*lead\\*)" in record
    post(client, edit, result_id, "outcome", approach="RAG", outcome="worked", note="Shipped.")
    page = client.get(f"/r/{view}").text
    assert "Outcome: it worked (did Prompting + retrieval (RAG))." in page and "has passed" not in page
    assert "* Outcome: it worked" in client.get(f"/r/{view}.md").text
