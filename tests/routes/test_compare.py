"""/r/{a}/compare/{b}: two results side by side, its JSON twin, the link form, and the report's 404 for any bad
link on either side."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape
from sqlmodel import select

from app.store import decisions
from app.store.models import Result, ShareLink, utcnow
from app.store.tokens import token_hash
from app.views.format import money

from ..scenarios import ALL


def created(client: TestClient, answers: dict[str, Any], team: str = "Compare") -> str:
    """A result made through the API; returns its view token."""
    response = client.post("/api/assessments", json={"team": team, "title": f"{team} case", "answers": answers})
    assert response.status_code == 201, response.text
    return str(response.json()["view_url"].rsplit("/", 1)[1])


def two_recommendations() -> tuple[dict[str, Any], dict[str, Any]]:
    """Two fixture scenarios whose expected recommendations differ."""
    first = ALL[0]
    second = next(c for c in ALL if c["expected"] != first["expected"] and first["expected"] not in c["acceptable"])
    return first, second


@pytest.fixture
def pair(client: TestClient) -> tuple[str, str]:
    first, second = two_recommendations()
    return created(client, first["answers"], "Before"), created(client, second["answers"], "After")


def test_the_page_shows_both_recommendations_and_the_answers_that_differ(client: TestClient, pair) -> None:
    a, b = pair
    page = client.get(f"/r/{a}/compare/{b}")
    data = client.get(f"/r/{a}/compare/{b}.json").json()
    assert page.status_code == 200
    assert page.headers["x-robots-tag"] == "noindex, nofollow" and page.headers["referrer-policy"] == "no-referrer"
    text = page.text
    assert f"The recommendation changed from <strong>{data['a']['primary_label']}</strong>" in text
    assert "What made the recommendation change" in text
    assert data["answers"], "two different scenarios differ in some answer"
    for row in data["answers"]:
        assert all(str(escape(row[k])) in text for k in ("label", "a_text", "b_text")), row
    assert "PROMPT" not in text and "FT_FULL" not in text  # approaches in words, never codes
    for side in ("a", "b"):  # each recommendation's cost at the volume of each side
        label, cost = data[side]["primary_label"], data["b"]["monthly_costs"][data[side]["primary"]]
        assert f"Monthly cost of {escape(label)} at that volume" in text and money(cost) in text


def test_the_json_twin_has_every_total_and_axis_score_with_its_delta(client: TestClient, pair) -> None:
    a, b = pair
    data = client.get(f"/r/{a}/compare/{b}.json").json()
    stored = [client.get(f"/api/results/{t}").json()["result"] for t in (a, b)]
    totals = [{x["id"]: x["total"] for x in r["approaches"]} for r in stored]
    assert [x["id"] for x in data["approaches"]][:2] == [stored[0]["primary"], stored[1]["primary"]]
    for row in data["approaches"]:
        assert row["total_a"] == totals[0][row["id"]] and row["total_b"] == totals[1][row["id"]]
        assert row["delta"] == pytest.approx(row["total_b"] - row["total_a"])
        assert {s["key"] for s in row["scores"]} == {x["key"] for x in stored[1]["axes"]}
        for s in row["scores"]:
            assert s["delta"] == pytest.approx(s["score_b"] - s["score_a"])
    assert a not in str(data) and b not in str(data)  # the JSON never repeats the links' tokens


def test_the_axis_moves_add_up_to_the_change_of_the_gap(client: TestClient, pair) -> None:
    a, b = pair
    data = client.get(f"/r/{a}/compare/{b}.json").json()
    old, new = data["a"]["primary"], data["b"]["primary"]
    rows = {x["id"]: x for x in data["approaches"]}
    gap_change = (rows[new]["total_b"] - rows[old]["total_b"]) - (rows[new]["total_a"] - rows[old]["total_a"])
    moved = sum(m["points"] for m in data["drivers"]["axes"])
    # Axes that moved by less than 0.05 points are left out of the list: at most that much per axis is missing.
    assert moved == pytest.approx(gap_change, abs=0.05 * len(data["axes"]))
    assert data["drivers"]["axes"] == sorted(data["drivers"]["axes"], key=lambda m: -abs(m["points"]))


def test_a_result_against_itself_says_nothing_changed(client: TestClient) -> None:
    a = created(client, ALL[0]["answers"])
    page = client.get(f"/r/{a}/compare/{a}")
    assert "Both recommend" in page.text and "The answers are the same." in page.text
    assert "What made the recommendation change" not in page.text and "Other differences" not in page.text


def test_bad_links_on_either_side_get_the_reports_404(client: TestClient, pair, db) -> None:
    a, b = pair
    not_found = client.get("/r/" + "x" * 43)
    bad = "x" * 43
    for path in (f"/r/{bad}/compare/{b}", f"/r/{a}/compare/{bad}", f"/r/{a}/compare/{bad}.json",
                 f"/r/{a}/compare/{b[:-1]}", f"/r/{bad}/compare"):
        response = client.get(path)
        assert response.status_code == 404 and response.text == not_found.text, path
    with db.write() as session:
        link = session.exec(select(ShareLink).where(ShareLink.token_hash == token_hash(b))).one()
        link.revoked_at = link.created_at
        session.add(link)
    for path in (f"/r/{a}/compare/{b}", f"/r/{b}/compare/{a}", f"/r/{a}/compare/{b}.json"):
        response = client.get(path)
        assert response.status_code == 404 and response.text == not_found.text, path


def test_the_link_form_redirects_to_the_comparison(client: TestClient, pair) -> None:
    a, b = pair
    form = client.get(f"/r/{a}/compare")
    assert form.status_code == 200 and 'name="other"' in form.text
    for pasted in (f"https://tunewise.example.org/r/{b}", f"/r/{b}.json", f" {b} "):
        response = client.get(f"/r/{a}/compare", params={"other": pasted}, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == f"/r/{a}/compare/{b}", pasted


@pytest.mark.parametrize("pasted,message", [
    ("not a link", "That is not a report link: paste the address of another Tunewise report."),
    ("https://example.org/r/" + "z" * 43, "That report link is unknown, revoked or expired."),
])
def test_a_bad_pasted_link_is_a_422_naming_the_field(client: TestClient, pair, pasted: str, message: str) -> None:
    a, _ = pair
    response = client.get(f"/r/{a}/compare", params={"other": pasted})
    assert response.status_code == 422
    assert message in response.text and "Link of the other report" in response.text
    assert response.text.count('aria-invalid="true"') == 1 and "<title>Error:" in response.text


def test_each_side_shows_the_teams_recorded_decision(client: TestClient, pair, db) -> None:
    a, b = pair
    with db.write() as session:
        result_id = session.exec(select(ShareLink.result_id).where(ShareLink.token_hash == token_hash(b))).one()
        assessment_id = session.get(Result, result_id).assessment_id
        decisions.record_status(session, assessment_id=assessment_id, result_id=result_id, version=0, contributor="",
                                status=decisions.Status("accepted", owner="Ana"), now=utcnow())
    data = client.get(f"/r/{a}/compare/{b}.json").json()
    assert data["a"]["decision"] is None and data["b"]["decision"]["status"] == "accepted"
    page = client.get(f"/r/{a}/compare/{b}").text
    assert "<td>Not recorded</td><td>Accepted</td>" in page
