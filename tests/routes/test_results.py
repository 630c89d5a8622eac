"""Finishing stores an immutable snapshot behind a view link; links expire, revoke, and never leak."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select, update

from app.store import results
from app.store.models import Assessment, Result, ShareLink, utcnow

from ..conftest import csrf_of
from ..helpers import STEP_ANSWERS, complete, start, submit

VERSION_RE = re.compile(r'name="version" value="(\d+)"')


def finish(client: TestClient, edit: str, expires: str = "30") -> str:
    """Press "Get the recommendation"; returns the view token of the report it opens."""
    page = client.get(f"/a/{edit}/review")
    data = {"csrf_token": csrf_of(page.text), "version": VERSION_RE.search(page.text).group(1), "expires": expires}
    response = client.post(f"/a/{edit}/finish", data=data, follow_redirects=False)
    assert response.status_code == 303, response.text
    assert response.headers["location"].startswith("/r/")
    return response.headers["location"][3:]


def finished(client: TestClient) -> tuple[str, str]:
    """A completed assessment and its first view token."""
    edit = start(client)
    complete(client, edit)
    return edit, finish(client, edit)


def test_finish_stores_a_snapshot_and_opens_the_report(client: TestClient) -> None:
    edit, view = finished(client)
    assert len(view) == 43 and view != edit
    with client.app.state.db.read() as session:
        result = session.exec(select(Result)).one()
        link = session.exec(select(ShareLink)).one()
    assert result.recommendation in ("LORA", "HYBRID")  # S01's acceptable outcomes
    assert result.payload["primary"] == result.recommendation
    assert result.rules_version and result.engine_version and result.weights and result.prices["name"]
    assert result.answers["labeled_examples"] == 500
    assert link.token_hash != view and len(link.token_hash) == 64
    assert link.expires_at is not None and timedelta(days=29) < link.expires_at - utcnow() <= timedelta(days=30)
    report = client.get(f"/r/{view}")
    assert report.status_code == 200
    assert report.headers["referrer-policy"] == "no-referrer" and report.headers["cache-control"] == "no-store"
    assert "noindex" in report.headers["x-robots-tag"]
    assert "<form" not in report.text and "hx-post" not in report.text


def test_report_exports_json_and_markdown(client: TestClient) -> None:
    _, view = finished(client)
    snapshot = client.get(f"/r/{view}.json")
    assert snapshot.status_code == 200 and snapshot.headers["content-type"].startswith("application/json")
    body = snapshot.json()
    assert body["result"]["primary"] in ("LORA", "HYBRID") and body["team"] == "Support"
    record = client.get(f"/r/{view}.md")
    assert record.status_code == 200 and record.headers["content-type"].startswith("text/markdown")
    assert "Decision Outcome" in record.text


def test_changing_answers_and_finishing_again_makes_a_new_result(client: TestClient) -> None:
    edit, first = finished(client)
    submit(client, edit, "tried", {**STEP_ANSWERS["tried"], "eval_set": "none"})
    second = finish(client, edit)
    assert second != first
    old, new = client.get(f"/r/{first}"), client.get(f"/r/{second}")
    assert "newer result" in old.text.lower() and "newer result" not in new.text.lower()
    assert client.get(f"/r/{first}.json").json()["answers"]["eval_set"] == "100plus"
    assert client.get(f"/r/{second}.json").json()["answers"]["eval_set"] == "none"


def test_a_double_clicked_finish_stores_one_result(client: TestClient) -> None:
    edit = start(client)
    complete(client, edit)
    page = client.get(f"/a/{edit}/review")
    data = {"csrf_token": csrf_of(page.text), "version": VERSION_RE.search(page.text).group(1), "expires": "30"}
    first = client.post(f"/a/{edit}/finish", data=data, follow_redirects=False)
    second = client.post(f"/a/{edit}/finish", data=data, follow_redirects=False)
    assert first.headers["location"].startswith("/r/")
    assert second.headers["location"] == f"/a/{edit}/manage?done=finished"
    with client.app.state.db.read() as session:
        assert len(session.exec(select(Result)).all()) == 1


def test_a_finish_from_a_review_older_than_a_change_gets_a_conflict(client: TestClient) -> None:
    edit = start(client)
    complete(client, edit)
    page = client.get(f"/a/{edit}/review")
    data = {"csrf_token": csrf_of(page.text), "version": VERSION_RE.search(page.text).group(1), "expires": "30"}
    assert submit(client, edit, "tried", {**STEP_ANSWERS["tried"], "eval_set": "none"}).status_code == 303
    stale = client.post(f"/a/{edit}/finish", data=data, follow_redirects=False)
    assert stale.status_code == 409 and "changed in another window" in stale.text
    with client.app.state.db.read() as session:
        assert session.exec(select(Result)).all() == []


def test_a_change_landing_while_the_finish_scores_gets_a_conflict(client: TestClient,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    edit = start(client)
    complete(client, edit)
    page = client.get(f"/a/{edit}/review")
    data = {"csrf_token": csrf_of(page.text), "version": VERSION_RE.search(page.text).group(1), "expires": "30"}
    scoring = results.snapshot_fields

    def score_while_a_teammate_saves(*args: Any, **kwargs: Any) -> Any:
        with client.app.state.db.write() as session:  # the teammate's submit commits between read and write lock
            session.execute(update(Assessment).values(version=Assessment.version + 1))
        return scoring(*args, **kwargs)

    monkeypatch.setattr(results, "snapshot_fields", score_while_a_teammate_saves)
    raced = client.post(f"/a/{edit}/finish", data=data, follow_redirects=False)
    assert raced.status_code == 409 and "changed in another window" in raced.text
    with client.app.state.db.read() as session:
        assert session.exec(select(Result)).all() == [] and session.exec(select(Assessment)).one().status == "draft"


def test_revoked_expired_and_tampered_links_get_the_same_404(client: TestClient) -> None:
    edit, view = finished(client)
    assert client.get(f"/r/{view}").status_code == 200  # warm the cache: revoking must drop it
    not_found = client.get("/r/" + "x" * 43)
    flipped = ("A" if view[0] != "A" else "B") + view[1:]
    for token in (flipped, view[:-1], view + "A", "y" * 10_000):
        response = client.get(f"/r/{token}")
        assert response.status_code == 404 and response.text == not_found.text
    manage = client.get(f"/a/{edit}/manage")
    link_id = re.search(r'/links/(\d+)/revoke', manage.text).group(1)
    client.post(f"/a/{edit}/links/{link_id}/revoke", data={"csrf_token": csrf_of(manage.text)})
    for suffix in ("", ".json", ".md"):
        assert client.get(f"/r/{view}{suffix}").status_code == 404
    assert client.get(f"/r/{view}").text == not_found.text


def test_an_expired_link_is_not_found(client: TestClient) -> None:
    _, view = finished(client)
    with client.app.state.db.read() as session:
        assert results.find_shared(session, token=view) is not None
        assert results.find_shared(session, token=view, now=utcnow() + timedelta(days=31)) is None


def test_a_link_without_expiry_and_a_second_link(client: TestClient) -> None:
    edit = start(client)
    complete(client, edit)
    view = finish(client, edit, expires="0")
    manage = client.get(f"/a/{edit}/manage")
    result_id = re.search(r'name="result" value="(\d+)"', manage.text).group(1)
    response = client.post(f"/a/{edit}/links",
                           data={"csrf_token": csrf_of(manage.text), "result": result_id, "expires": "7"},
                           follow_redirects=False)
    other = response.headers["location"][3:]
    assert other != view and client.get(f"/r/{other}").status_code == 200
    with client.app.state.db.read() as session:
        expiries = sorted(str(link.expires_at) for link in session.exec(select(ShareLink)).all())
    assert expiries[0] != "None" and expiries[1] == "None"


def test_another_assessments_result_cannot_get_a_link(client: TestClient) -> None:
    edit_a, _ = finished(client)
    edit_b = start(client, team="Other")
    page = client.get(f"/a/{edit_b}/manage")
    with client.app.state.db.read() as session:
        result_id = session.exec(select(Result)).one().id
    response = client.post(f"/a/{edit_b}/links", data={"csrf_token": csrf_of(page.text), "result": str(result_id)})
    assert response.status_code == 404


def test_the_cost_assumptions_panel_overrides_the_preset(client: TestClient) -> None:
    edit = start(client)
    for step in ("problem", "tried", "data", "output"):
        submit(client, edit, step)
    page = client.get(f"/a/{edit}/constraints")
    assert "Advanced cost assumptions" in page.text and "<details" in page.text
    bad = submit(client, edit, "constraints", {**STEP_ANSWERS["constraints"], "cost_output_tokens": "many"})
    assert bad.status_code == 422 and "Enter a number of tokens" in bad.text
    ok = submit(client, edit, "constraints",
                {**STEP_ANSWERS["constraints"], "cost_output_tokens": "20", "cost_cache_hit": "90"})
    assert ok.status_code == 303
    view = finish(client, edit)
    snapshot = client.get(f"/r/{view}.json").json()
    assert snapshot["prices"]["assumptions"] == {"output_tokens": 20.0, "cache_hit": 0.9}
    assert snapshot["result"]["cost"]["assumptions"]["output_tokens"] == 20


def test_report_html_is_cached_per_result_without_visitor_data(client: TestClient) -> None:
    _, view = finished(client)
    first = client.get(f"/r/{view}")
    with TestClient(client.app) as other:
        second = other.get(f"/r/{view}")
    assert first.text == second.text
    assert 'name="csrf-token" content=""' in first.text
    assert len(client.app.state.report_pages) == 1


def test_the_team_can_reevaluate_with_the_current_settings(client: TestClient) -> None:
    from app.store.models import WeightSet

    edit, view = finished(client)
    before = client.get(f"/r/{view}.json").json()
    with client.app.state.db.write() as session:  # an admin publishes weights that favour prompting
        session.add(WeightSet(version=1, method="direct", created_by="admin@example.org",
                              weights={"fit": 0.05, "data": 0.05, "speed": 0.6, "cost": 0.1, "risk": 0.1,
                                       "change": 0.1}))
    manage = client.get(f"/a/{edit}/manage")
    response = client.post(f"/a/{edit}/reevaluate", data={"csrf_token": csrf_of(manage.text)}, follow_redirects=False)
    assert response.status_code == 303 and "?diff=" in response.headers["location"]
    page = client.get(response.headers["location"])
    name = client.app.state.knowledge.rules.labels["PROMPT"]
    assert "What the re-evaluation changed" in page.text and f"<strong>{name}</strong>" in page.text
    with client.app.state.db.read() as session:
        rows = session.exec(select(Result).order_by(Result.id)).all()
    assert [r.weights_version for r in rows] == [None, 1] and rows[1].recommendation == "PROMPT"
    assert client.get(f"/r/{view}.json").json()["result"] == before["result"]  # the old snapshot stays


def test_a_cached_report_is_rendered_once(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from app.routes import report

    renders: list[int] = []
    original = report.report_context
    monkeypatch.setattr(report, "report_context", lambda *args: renders.append(1) or original(*args))
    _, view = finished(client)
    for _ in range(3):
        assert client.get(f"/r/{view}").status_code == 200
    assert len(renders) == 1
