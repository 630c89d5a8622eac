"""Variants: a new draft with a report's (or an assessment's) answers, named after its origin, finished and compared
with the result it was made from; the origin stays as it was."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import select

from app.store.models import Answer, Assessment
from app.store.variants import variant_title

from ..conftest import csrf_of
from ..helpers import STEP_ANSWERS, submit
from .test_results import finish, finished


def from_report(client: TestClient, view: str) -> str:
    """Press "Make the variant" on the offer page of a report; returns the variant's edit token."""
    offer = client.get(f"/r/{view}/variant")
    assert offer.status_code == 200 and 'action="/r/' in offer.text
    # A page that posts a form: under "no-referrer" browsers would send `Origin: null` and the guard refuse it.
    assert offer.headers["referrer-policy"] == "same-origin" and offer.headers["x-robots-tag"] == "noindex, nofollow"
    response = client.post(f"/r/{view}/variant", data={"csrf_token": csrf_of(offer.text)}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].endswith("/review"), response.text
    return response.headers["location"].split("/")[2]


def answers_of(client: TestClient, title: str) -> tuple[Assessment, dict]:
    with client.app.state.db.read() as session:
        row = session.exec(select(Assessment).where(Assessment.title == title)).one()
        return row, {a.question_id: a.value for a in session.exec(select(Answer).where(Answer.assessment_id == row.id))}


def test_a_variant_of_a_report_copies_its_answers_and_names_its_origin(client: TestClient) -> None:
    _, view = finished(client)
    first, second = from_report(client, view), from_report(client, view)
    origin, origin_answers = answers_of(client, "Replies sound robotic")
    variant, variant_answers = answers_of(client, "Replies sound robotic — variant 1")
    assert variant.team == origin.team and variant.origin_id == origin.id and variant.status == "draft"
    assert variant.origin_result_id == origin.latest_result_id and variant_answers == origin_answers
    assert answers_of(client, "Replies sound robotic — variant 2")[0].origin_id == origin.id
    assert first != second and client.get(f"/a/{first}/review").status_code == 200


def test_a_finished_variant_compares_with_its_origin(client: TestClient) -> None:
    edit, view = finished(client)
    variant = from_report(client, view)
    changed = {**STEP_ANSWERS["data"], "labeled_examples": "5000"}
    assert submit(client, variant, "data", changed).status_code == 303
    variant_view = finish(client, variant)
    page = client.get(f"/r/{variant_view}/compare/origin")
    data = client.get(f"/r/{variant_view}/compare/origin.json").json()
    assert page.status_code == 200 and "A: the original" in page.text
    assert [r["question"] for r in data["answers"]] == ["labeled_examples"]
    assert (data["answers"][0]["a"], data["answers"][0]["b"]) == (500, 5000)
    assert data["a"]["title"] == "Replies sound robotic" and data["b"]["title"].endswith("— variant 1")
    assert answers_of(client, "Replies sound robotic")[1]["labeled_examples"] == 500  # the origin is untouched
    assert client.get(f"/r/{view}/compare/origin").status_code == 404  # the origin is no variant


def test_a_variant_from_the_manage_page(client: TestClient) -> None:
    edit, _ = finished(client)
    manage = client.get(f"/a/{edit}/manage")
    response = client.post(f"/a/{edit}/variant", data={"csrf_token": csrf_of(manage.text)}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].endswith("/review")
    assert answers_of(client, "Replies sound robotic — variant 1")[0].origin_id is not None


def test_bad_links_make_no_variant(client: TestClient) -> None:
    edit, view = finished(client)
    manage = client.get(f"/a/{edit}/manage")
    bad = "x" * 43
    assert client.get(f"/r/{bad}/variant").status_code == 404
    for path in (f"/r/{bad}/variant", f"/a/{bad}/variant", f"/a/{view}/variant"):
        assert client.post(path, data={"csrf_token": csrf_of(manage.text)}).status_code == 404, path
    assert client.post(f"/r/{view}/variant", data={"x": "1"}).status_code == 403  # no CSRF token
    with client.app.state.db.read() as session:
        assert len(session.exec(select(Assessment)).all()) == 1


def test_a_long_title_keeps_its_variant_number_within_the_limit() -> None:
    title = variant_title("t" * 200, 12)
    assert len(title) == 200 and title.endswith(" — variant 12")


def test_reports_offer_a_variant_and_a_variants_report_its_origin(client: TestClient) -> None:
    _, view = finished(client)
    page = client.get(f"/r/{view}").text
    assert f'href="/r/{view}/variant"' in page and f'href="/r/{view}/compare"' in page
    assert "/compare/origin" not in page
    variant = from_report(client, view)
    variant_view = finish(client, variant)
    assert (f'<a href="/r/{variant_view}/compare/origin">Compare with the original, “Replies sound robotic”</a>'
            in client.get(f"/r/{variant_view}").text)
