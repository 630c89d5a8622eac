"""Issue 12 item 11: the simple mode of the weights page (percent in, normalised weights stored, the rescale shown,
never silent), the preview in words, and the audit log as sentences."""

from __future__ import annotations

import re
from html import unescape

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from app.engine.rules import Knowledge, load_knowledge
from app.store.db import Database
from app.store.models import AuditEvent, Result
from app.store.settings import get_draft

from ...conftest import csrf_of
from ...stored import seed_results
from .conftest import form_post

AXES = load_knowledge().axis_keys
TYPED = {"fit": "20", "data": "20", "speed": "20", "cost": "20", "risk": "20", "change": "18"}  # total 118 %
COST_FIRST = {"fit": "5", "data": "5", "speed": "5", "cost": "70", "risk": "10", "change": "5"}  # total 100 %


def percent(values: dict[str, str], version: str = "0") -> dict[str, str]:
    return {"method": "percent", "draft_version": version, **{f"w_{k}": v for k, v in values.items()}}


def text_of(html: str) -> str:
    """The visible words: tags dropped, entities decoded, whitespace collapsed."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def test_percentages_are_normalised_stored_and_the_scaling_is_said(signed_in: TestClient, db: Database) -> None:
    response = form_post(signed_in, "/admin/weights", "/admin/weights", percent(TYPED))
    assert response.status_code == 303 and response.headers["location"] == "/admin/weights?done=saved&total=118"
    with db.read() as session:
        draft = get_draft(session)
    assert draft is not None and draft.method == "percent"
    assert draft.weights == pytest.approx({x: float(v) / 118 for x, v in TYPED.items()})
    page = text_of(signed_in.get(response.headers["location"]).text)
    assert "Your percentages added up to 118 %, so each was scaled to make 100 %" in page
    assert "Published: 30 %" in page  # the published share beside each field


def test_a_total_of_100_is_used_as_typed(signed_in: TestClient, db: Database) -> None:
    response = form_post(signed_in, "/admin/weights", "/admin/weights", percent(COST_FIRST))
    assert response.headers["location"] == "/admin/weights?done=saved"
    with db.read() as session:
        draft = get_draft(session)
    assert draft is not None and draft.weights == pytest.approx({x: float(v) / 100 for x, v in COST_FIRST.items()})
    page = text_of(signed_in.get("/admin/weights?done=saved").text)
    assert "The draft was saved. Preview its impact" in page and "so each was scaled" not in page
    assert "Total: 100 %. The shares are used as typed." in page


def test_the_preview_without_javascript_shows_the_rescale(signed_in: TestClient) -> None:
    response = form_post(signed_in, "/admin/weights", "/admin/weights/preview", percent(TYPED))
    page = text_of(response.text)
    assert response.status_code == 200 and "<html" in response.text
    assert "The total was 118 %, not 100 %, so each share was scaled in proportion" in page
    assert "Fit: you typed 20 % → used 16.9 %" in page and "What changes: you typed 18 % → used 15.3 %" in page
    assert "Total: 118 %. Each share is scaled to make 100 %" in page  # under the fields too
    assert 'id="q-w_fit-used" for="q-w_fit">used 16.9 %</output>' in response.text
    assert 'name="w_fit" value="20"' in response.text  # the fields keep what was typed


def test_the_htmx_preview_shows_the_rescale(signed_in: TestClient) -> None:
    response = form_post(signed_in, "/admin/weights", "/admin/weights/preview", percent(TYPED),
                         headers={"HX-Request": "true"})
    assert response.status_code == 200 and "<html" not in response.text
    assert "Risk: you typed 20 % → used 16.9 %" in text_of(response.text)


@pytest.mark.parametrize("typed, message", [
    ("101", "Fit must be between 0 and 100"), ("-1", "Fit must be between 0 and 100"),
    ("nan", "Fit must be between 0 and 100"), ("two", "Fit must be a number from 0 to 100, like 25"),
    ("", "Enter a percentage for Fit, from 0 to 100"),
])
def test_bad_percentages_are_422_naming_the_field_and_the_reason(signed_in: TestClient, db: Database, typed: str,
                                                                 message: str) -> None:
    response = form_post(signed_in, "/admin/weights", "/admin/weights", percent({**TYPED, "fit": typed}))
    assert response.status_code == 422 and "<title>Error: " in response.text
    assert f'<a href="#q-w_fit">{message}' in response.text and 'id="q-w_fit-error"' in response.text
    assert 'aria-invalid="true"' in response.text and 'id="q-w_data-error"' not in response.text
    with db.read() as session:
        assert get_draft(session) is None


def test_all_zero_percentages_are_refused(signed_in: TestClient) -> None:
    response = form_post(signed_in, "/admin/weights", "/admin/weights", percent({x: "0" for x in AXES}))
    assert response.status_code == 422 and "Give at least one axis more than 0 %" in response.text


def test_percent_signs_and_decimal_commas_are_accepted(signed_in: TestClient, db: Database) -> None:
    values = {**COST_FIRST, "fit": "5 %", "data": "5,0"}
    assert form_post(signed_in, "/admin/weights", "/admin/weights", percent(values)).status_code == 303
    with db.read() as session:
        draft = get_draft(session)
    assert draft is not None and draft.weights["fit"] == pytest.approx(0.05)


def test_the_preview_names_results_by_team_and_date_and_approaches_in_words(
    signed_in: TestClient, db: Database, knowledge: Knowledge
) -> None:
    seed_results(db, knowledge)
    response = form_post(signed_in, "/admin/weights", "/admin/weights/preview", percent(COST_FIRST),
                         headers={"HX-Request": "true"})
    rows = re.findall(r'<tr><th scope="row">(.*?)</th>\s*<td>(.*?)</td></tr>', response.text, re.S)
    assert rows
    with db.read() as session:
        made = {r.id: r for r in session.exec(select(Result))}
    names = knowledge.rules.labels
    for who, change in rows:
        assert re.search(r"^Team \S+ ?, \d{4}-\d{2}-\d{2} · ", text_of(who)), who  # team, the result's date, use case
        old, new = text_of(change).split(" → ")
        assert old in names.values() and new in names.values() and old != new, change
    assert not any(f"<td>{code} →" in response.text for code in names)  # no raw codes
    dates = {r.created_at.strftime("%Y-%m-%d") for r in made.values()}
    assert any(d in response.text for d in dates)


def test_the_audit_log_reads_as_sentences_with_the_raw_record_behind(signed_in: TestClient, db: Database) -> None:
    form_post(signed_in, "/admin/weights", "/admin/weights", percent(COST_FIRST))
    version = re.search(r'name="draft_version" value="(\d+)"', signed_in.get("/admin/weights").text)
    assert version
    form_post(signed_in, "/admin/weights", "/admin/weights/publish", {"draft_version": version.group(1)})
    html = signed_in.get("/admin/audit").text
    page = text_of(html)
    assert ("ada@example.org published weight set 1 (set in percent): Fit 5 %, Data 5 %, Iteration speed 5 %, "
            "Recurring cost 70 %, Risk 10 %, What changes 5 %.") in page
    assert "ada@example.org saved the weights draft (set in percent): Fit 5 %" in page
    assert "ada@example.org signed in." in page
    raw = html[html.index("published weight set 1"):]
    raw = raw[:raw.index("</details>")]
    assert "<summary>The recorded data" in raw and "weights.published</td>" in raw and '"cost": 0.7' in raw
    assert '<option value="weights.published">Weights published</option>' in html  # the filter in words
    with db.read() as session:
        assert session.exec(select(AuditEvent).where(AuditEvent.action == "weights.published")).one()


def test_a_direct_form_still_works_for_older_clients(signed_in: TestClient, db: Database) -> None:
    token = csrf_of(signed_in.get("/admin/weights").text)
    data = {"csrf_token": token, "method": "direct", "draft_version": "0", **{f"w_{x}": "0.5" for x in AXES}}
    assert signed_in.post("/admin/weights", data=data, follow_redirects=False).status_code == 303
    with db.read() as session:
        draft = get_draft(session)
    assert draft is not None and draft.weights == pytest.approx({x: 1 / len(AXES) for x in AXES})
