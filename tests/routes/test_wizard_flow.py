"""The wizard's path: "Change" on check-answers comes back to it, and questions that do not apply are skipped, with
and without JavaScript (htmx), keeping what was answered before."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from ..helpers import STEP_ANSWERS, complete, start, submit
from .test_wizard import stored

NO_CONTENT = {**STEP_ANSWERS["data"], "labeled_examples": "0", "knowledge_volume": "none"}
CHANGE = re.compile(r'<a href="(/a/[^"]+)">Change<span class="visually-hidden"> ([^<]+)</span>')


def answer_until(client: TestClient, edit: str, last: str) -> None:
    """Answer the steps before `last` with the valid set."""
    for step in STEP_ANSWERS:
        if step == last:
            return
        assert submit(client, edit, step).status_code == 303


def test_change_on_check_answers_saves_and_returns_there(client: TestClient) -> None:
    edit = start(client)
    complete(client, edit)
    review = client.get(f"/a/{edit}/review").text
    links = dict((label, href) for href, label in CHANGE.findall(review))
    href = links["expected calls per month at steady state"]
    assert href == f"/a/{edit}/output?return=review#q-monthly_calls"
    page = client.get(href.split("#")[0]).text
    assert '<input type="hidden" name="return" value="review">' in page
    assert "Save and return to check answers" in page and f'href="/a/{edit}/review">Back to check answers' in page
    response = submit_from_review(client, edit, "output", {**STEP_ANSWERS["output"], "monthly_calls": "70000"})
    assert response.status_code == 303 and response.headers["location"] == f"/a/{edit}/review"
    assert "70,000 calls/month" in client.get(f"/a/{edit}/review").text
    htmx = submit_from_review(client, edit, "tried", STEP_ANSWERS["tried"], htmx=True)
    assert htmx.status_code == 200 and htmx.headers["HX-Redirect"] == f"/a/{edit}/review"


def submit_from_review(client: TestClient, edit: str, step: str, answers: dict, *, htmx: bool = False):
    """Submit a step opened from a Change link (the hidden return field)."""
    return submit(client, edit, step, {**answers, "return": "review"}, htmx=htmx)


def test_return_is_never_a_redirect_target(client: TestClient) -> None:
    edit = start(client)
    complete(client, edit)
    for value in ("https://evil.example/", "//evil.example", "/admin", "REVIEW"):
        page = client.get(f"/a/{edit}/output", params={"return": value}).text
        assert 'name="return"' not in page and "evil" not in page
        response = submit(client, edit, "output", {**STEP_ANSWERS["output"], "return": value})
        assert response.headers["location"] == f"/a/{edit}/constraints"


def test_example_quality_and_content_churn_are_skipped_without_javascript(client: TestClient) -> None:
    edit = start(client)
    answer_until(client, edit, "data")
    page = client.get(f"/a/{edit}/data").text
    assert re.search(r'<fieldset class="conditional" data-applies="[^"]+" hidden disabled>\s*'
                     r'<input type="hidden" name="asked" value="label_quality">', page)
    plain = {k: v for k, v in NO_CONTENT.items() if k not in ("label_quality", "knowledge_churn")}
    response = submit(client, edit, "data", plain)
    assert response.status_code == 303 and response.headers["location"] == f"/a/{edit}/output"
    saved = stored(client, edit)
    assert "label_quality" not in saved and "knowledge_churn" not in saved
    for step in ("output", "constraints"):
        submit(client, edit, step)
    review = client.get(f"/a/{edit}/review").text
    assert "How consistent and correct are those examples?" not in review
    assert "How often does that content change?" not in review
    assert client.get(f"/a/{edit}", follow_redirects=False).headers["location"] == f"/a/{edit}/review"


def test_an_answer_that_makes_a_hidden_question_apply_asks_it_next(client: TestClient) -> None:
    edit = start(client)
    answer_until(client, edit, "data")
    plain = {k: v for k, v in STEP_ANSWERS["data"].items() if k != "label_quality"}
    response = submit(client, edit, "data", plain)
    assert response.headers["location"] == f"/a/{edit}/data?more=1"
    page = client.get(response.headers["location"]).text
    assert "one more question on this page" in page
    assert re.search(r'<fieldset class="conditional" data-applies="[^"]+">\s*<input type="hidden" name="asked" '
                     r'value="label_quality">', page)
    assert "label_quality" not in stored(client, edit)
    assert submit(client, edit, "data").headers["location"] == f"/a/{edit}/output"
    assert stored(client, edit)["label_quality"] == "expert_reviewed"


def test_the_same_with_htmx(client: TestClient) -> None:
    edit = start(client)
    answer_until(client, edit, "data")
    plain = {k: v for k, v in STEP_ANSWERS["data"].items() if k != "label_quality"}
    again = submit(client, edit, "data", plain, htmx=True)
    assert again.status_code == 200 and again.headers["HX-Push-Url"] == f"/a/{edit}/data?more=1"
    assert "one more question on this page" in again.text and 'value="label_quality">' in again.text
    nothing = {k: v for k, v in NO_CONTENT.items() if k not in ("label_quality", "knowledge_churn")}
    onward = submit(client, edit, "data", nothing, htmx=True)
    assert onward.headers["HX-Push-Url"] == f"/a/{edit}/output" and "Output and scale" in onward.text


def test_stored_answers_of_a_skipped_question_are_kept(client: TestClient) -> None:
    edit = start(client)
    complete(client, edit)
    response = submit_from_review(client, edit, "data", NO_CONTENT)
    assert response.headers["location"] == f"/a/{edit}/review"
    saved = stored(client, edit)
    assert saved["labeled_examples"] == 0 and saved["label_quality"] == "expert_reviewed"
    assert saved["knowledge_churn"] == "monthly"  # sent, but ruled out: the stored answer stays
    assert "Expert-reviewed" not in client.get(f"/a/{edit}/review").text
    back = {k: v for k, v in STEP_ANSWERS["data"].items() if k not in ("label_quality", "knowledge_churn")}
    response = submit_from_review(client, edit, "data", back)
    assert response.headers["location"] == f"/a/{edit}/review"  # nothing to ask: the old answers apply again
    review = client.get(f"/a/{edit}/review").text
    assert "Expert-reviewed" in review and "Monthly" in review


def test_a_change_that_opens_a_question_asks_it_before_returning(client: TestClient) -> None:
    edit = start(client)
    answer_until(client, edit, "data")
    submit(client, edit, "data", {k: v for k, v in NO_CONTENT.items() if k != "label_quality"})
    for step in ("output", "constraints"):
        submit(client, edit, step)
    plain = {k: v for k, v in STEP_ANSWERS["data"].items() if k != "label_quality"}
    response = submit_from_review(client, edit, "data", plain)
    assert response.headers["location"] == f"/a/{edit}/data?return=review&more=1"
    page = client.get(response.headers["location"]).text
    assert 'name="return" value="review"' in page and "one more question" in page
    assert submit_from_review(client, edit, "data", STEP_ANSWERS["data"]).headers["location"] == f"/a/{edit}/review"


def test_a_question_settled_by_an_earlier_step_is_shown_plainly(client: TestClient) -> None:
    edit = start(client)
    submit(client, edit, "problem", {**STEP_ANSWERS["problem"], "gap_types": ["knowledge"]})
    submit(client, edit, "tried")
    page = client.get(f"/a/{edit}/data").text
    assert 'name="knowledge_churn"' in page and 'name="asked" value="knowledge_churn"' not in page
    assert page.count('class="conditional"') == 1 and 'name="asked" value="label_quality"' in page
