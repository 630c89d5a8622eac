"""The wizard over HTTP: pages and fragments, saving, navigation, resume, validation, links."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from app.store import assessments as repo
from app.store.models import Assessment, Submission

from ..conftest import csrf_of
from ..helpers import STEP_ANSWERS, STEPS, complete, form_state, start, submit


def stored(client: TestClient, edit: str) -> dict:
    """What the database holds for this edit token."""
    with client.app.state.db.read() as session:
        assessment = repo.find_by_token(session, token=edit)
        assert assessment is not None
        return repo.answers_of(session, assessment_id=assessment.id)


def test_landing_explains_and_starts(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert "Decide how to adapt a language model" in page.text
    edit = start(client)
    assert len(edit) >= 43


def test_landing_refuses_missing_team_with_422(client: TestClient) -> None:
    token = csrf_of(client.get("/").text)
    page = client.post("/assessments", data={"csrf_token": token, "team": " ", "title": "x"})
    assert page.status_code == 422
    assert "<title>Error:" in page.text and "Enter a team name." in page.text


@pytest.mark.parametrize("number,step", list(zip(range(1, 6), STEPS)))
def test_each_step_renders_as_page_and_fragment(client: TestClient, number: int, step: str) -> None:
    edit = start(client)
    for earlier in STEPS[: number - 1]:
        submit(client, edit, earlier)
    page = client.get(f"/a/{edit}/{step}")
    assert page.status_code == 200 and page.text.startswith("<!doctype html>")
    assert f"<title>Step {number} of 5 — " in page.text
    assert 'id="stepper"' in page.text and 'aria-current="step"' in page.text
    assert 'id="sr-status"' in page.text and 'aria-live="polite"' in page.text
    assert page.headers["cache-control"] == "no-store" and "HX-Request" in page.headers["vary"]
    fragment = client.get(f"/a/{edit}/{step}", headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "<!doctype" not in fragment.text
    assert fragment.text.startswith("<title>") and '<main id="step"' in fragment.text
    assert 'hx-swap-oob="true"' in fragment.text and "autofocus" in fragment.text


def test_history_restore_gets_the_full_page(client: TestClient) -> None:
    edit = start(client)
    page = client.get(f"/a/{edit}/problem", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert page.text.startswith("<!doctype html>")


def test_plain_submit_saves_and_redirects_303(client: TestClient) -> None:
    edit = start(client)
    response = submit(client, edit, "problem")
    assert response.status_code == 303 and response.headers["location"] == f"/a/{edit}/tried"
    assert stored(client, edit) == {"gap_types": ["behavior"], "failure_mode": "breaks_repeatedly",
                                    "task_stability": "stable_repetitive", "deliverable": "feature"}


def test_htmx_submit_returns_next_fragment_and_pushes_url(client: TestClient) -> None:
    edit = start(client)
    response = submit(client, edit, "problem", htmx=True)
    assert response.status_code == 200
    assert response.headers["hx-push-url"] == f"/a/{edit}/tried"
    assert "Step 2 of 5 — What you have tried" in response.text and "Saved." in response.text


def test_last_step_leads_to_review(client: TestClient) -> None:
    edit = start(client)
    for step in STEPS[:-1]:
        submit(client, edit, step)
    assert submit(client, edit, "constraints").headers["location"] == f"/a/{edit}/review"
    assert submit(client, edit, "constraints", htmx=True).headers["hx-redirect"] == f"/a/{edit}/review"


def test_back_shows_saved_answers(client: TestClient) -> None:
    edit = start(client)
    submit(client, edit, "problem")
    page = client.get(f"/a/{edit}/tried")
    assert f'href="/a/{edit}/problem"' in page.text  # the Back link
    back = client.get(f"/a/{edit}/problem")
    assert 'value="breaks_repeatedly" checked' in back.text and 'value="behavior" checked' in back.text


def test_resume_from_the_edit_link_in_a_new_client(client: TestClient) -> None:
    edit = start(client)
    submit(client, edit, "problem")
    submit(client, edit, "tried")
    with TestClient(client.app) as other_device:
        resumed = other_device.get(f"/a/{edit}", follow_redirects=False)
        assert resumed.headers["location"] == f"/a/{edit}/data"
        page = other_device.get(f"/a/{edit}/tried")
        assert 'value="systematic" checked' in page.text
        assert submit(other_device, edit, "data").status_code == 303
    assert stored(client, edit)["labeled_examples"] == 500


BAD_INPUT = [
    ("unknown option", "problem", {"failure_mode": "sometimes"}, "failure_mode", "is not one of the options"),
    ("number out of range", "data", {"labeled_examples": "2B"}, "labeled_examples",
     "Number of examples must be 1,000,000,000 or fewer (&#34;2B&#34; is 2,000,000,000)"),
    ("negative number", "data", {"labeled_examples": "-4"}, "labeled_examples",
     "Number of examples cannot be negative"),
    ("not a number", "data", {"labeled_examples": "lots"}, "labeled_examples", "is not a number; enter digits"),
    ("malformed suffix", "output", {"monthly_calls": "5x"}, "monthly_calls",
     "Number of calls a month: &#34;5x&#34; ends in &#34;x&#34;"),
    ("two decimal points", "output", {"fixed_prompt_tokens": "1.2.3k"}, "fixed_prompt_tokens",
     "has more than one decimal point"),
    ("missing multi", "problem", {"gap_types": []}, "gap_types", "Select at least one option."),
    ("gap types not sure", "problem", {"gap_types": ["unknown"]}, "gap_types", "cannot be answered &#34;Not sure&#34;"),
    ("unknown question", "data", {"favourite_colour": "blue"}, "favourite_colour", "Unknown question id"),
]


@pytest.mark.parametrize("case,step,change,field,message", BAD_INPUT, ids=[c[0] for c in BAD_INPUT])
@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_bad_input_is_422_and_keeps_saved_answers(
    client: TestClient, case: str, step: str, change: dict, field: str, message: str, htmx: bool
) -> None:
    edit = start(client)
    for earlier in STEPS[: STEPS.index(step) + 1]:
        submit(client, edit, earlier)
    before = stored(client, edit)
    response = submit(client, edit, step, {**STEP_ANSWERS[step], **change}, htmx=htmx)
    assert response.status_code == 422
    assert "<title>Error:" in response.text and 'class="error-summary" role="alert"' in response.text
    assert message in response.text and f'href="#q-{field}"' in response.text
    assert stored(client, edit) == before


def test_the_summary_takes_focus_and_fields_are_marked(client: TestClient) -> None:
    edit = start(client)
    response = submit(client, edit, "problem", {"gap_types": [], "failure_mode": "x"}, htmx=True)
    assert response.text.count("autofocus") == 1 and 'tabindex="-1" autofocus' in response.text
    assert 'id="q-failure_mode-error"' in response.text


def test_unknown_step_and_tampered_token_are_404(client: TestClient) -> None:
    edit = start(client)
    assert client.get(f"/a/{edit}/budget").status_code == 404
    flipped = ("A" if edit[0] != "A" else "B") + edit[1:]
    for token in (flipped, edit[:-1], edit + "x", "x" * 10_000):
        assert client.get(f"/a/{token}/problem").status_code == 404
    token, version = form_state(client, edit, "problem")
    response = client.post(f"/a/{flipped}/problem",
                           data={"csrf_token": token, "version": version, **STEP_ANSWERS["problem"]})
    assert response.status_code == 404
    assert stored(client, edit) == {}


@pytest.mark.parametrize("csrf", ["", "wrong-token-wrong-token-wrong-token-123"], ids=["missing", "wrong"])
def test_missing_or_wrong_csrf_is_403_and_nothing_changes(client: TestClient, csrf: str) -> None:
    edit = start(client)
    submit(client, edit, "problem")
    before = stored(client, edit)
    response = submit(client, edit, "problem", {**STEP_ANSWERS["problem"], "failure_mode": "wrong_facts"}, csrf=csrf)
    assert response.status_code == 403
    assert stored(client, edit) == before


def test_foreign_origin_and_cross_site_are_403(client: TestClient) -> None:
    edit = start(client)
    token, version = form_state(client, edit, "problem")
    data = {"csrf_token": token, "version": version, **STEP_ANSWERS["problem"]}
    assert client.post(f"/a/{edit}/problem", data=data, headers={"Origin": "https://evil.example"}).status_code == 403
    assert client.post(f"/a/{edit}/problem", data=data, headers={"Sec-Fetch-Site": "cross-site"}).status_code == 403
    assert stored(client, edit) == {}


def test_csrf_header_works_for_htmx(client: TestClient) -> None:
    edit = start(client)
    token, version = form_state(client, edit, "problem")
    response = client.post(
        f"/a/{edit}/problem", data={"version": version, **STEP_ANSWERS["problem"]},
        headers={"HX-Request": "true", "X-CSRF-Token": token, "Origin": "http://testserver"},
    )
    assert response.status_code == 200 and response.headers["hx-push-url"].endswith("/tried")


def test_later_steps_wait_for_earlier_ones(client: TestClient) -> None:
    edit = start(client)
    response = client.get(f"/a/{edit}/data", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == f"/a/{edit}/problem"
    assert client.get(f"/a/{edit}/review", follow_redirects=False).headers["location"] == f"/a/{edit}/problem"


def test_double_submit_stores_one_answer_set(client: TestClient) -> None:
    edit = start(client)
    token, version = form_state(client, edit, "problem")
    data = {"csrf_token": token, "version": version, "idem": "same-form", **STEP_ANSWERS["problem"]}
    first = client.post(f"/a/{edit}/problem", data=data, follow_redirects=False)
    second = client.post(f"/a/{edit}/problem", data=data, follow_redirects=False)
    assert first.status_code == second.status_code == 303
    with client.app.state.db.read() as session:
        assert len(session.exec(select(Submission)).all()) == 1
        assert session.exec(select(Assessment)).one().version == 1


def test_a_stale_tab_gets_a_conflict_not_a_lost_update(client: TestClient) -> None:
    edit = start(client)
    token, stale = form_state(client, edit, "problem")
    submit(client, edit, "problem", {**STEP_ANSWERS["problem"], "failure_mode": "wrong_facts"})
    response = client.post(f"/a/{edit}/problem",
                           data={"csrf_token": token, "version": stale, **STEP_ANSWERS["problem"]})
    assert response.status_code == 409 and "changed in another window" in response.text
    assert stored(client, edit)["failure_mode"] == "wrong_facts"


def test_review_lists_every_answer_with_a_change_link(client: TestClient) -> None:
    edit = start(client)
    complete(client, edit)
    page = client.get(f"/a/{edit}/review")
    assert page.status_code == 200 and "Check your answers" in page.text
    assert page.text.count(">Change<") == len(client.app.state.bank.questions)
    assert f'href="/a/{edit}/data?return=review#q-labeled_examples"' in page.text and "500 examples" in page.text


def test_finish_marks_the_assessment_complete(client: TestClient) -> None:
    edit = start(client)
    complete(client, edit)
    page = client.get(f"/a/{edit}/review")
    version = page.text.split('name="version" value="')[1].split('"')[0]
    response = client.post(f"/a/{edit}/finish", data={"csrf_token": csrf_of(page.text), "version": version},
                           follow_redirects=False)
    assert response.status_code == 303
    with client.app.state.db.read() as session:
        assert session.exec(select(Assessment)).one().status == "complete"


def test_rotating_the_edit_link_kills_the_old_one(client: TestClient) -> None:
    edit = start(client)
    submit(client, edit, "problem")
    page = client.get(f"/a/{edit}/manage")
    response = client.post(f"/a/{edit}/rotate", data={"csrf_token": csrf_of(page.text)}, follow_redirects=False)
    new = response.headers["location"].split("/")[2]
    assert new != edit
    assert client.get(f"/a/{edit}/problem").status_code == 404
    assert 'value="behavior" checked' in client.get(f"/a/{new}/problem").text


def test_delete_needs_confirmation_then_removes_everything(client: TestClient) -> None:
    edit = start(client)
    submit(client, edit, "problem")
    token = csrf_of(client.get(f"/a/{edit}/manage").text)
    refused = client.post(f"/a/{edit}/delete", data={"csrf_token": token})
    assert refused.status_code == 422 and stored(client, edit)
    done = client.post(f"/a/{edit}/delete", data={"csrf_token": token, "confirm": "yes"}, follow_redirects=False)
    assert done.status_code == 303
    assert client.get(f"/a/{edit}/problem").status_code == 404
    with client.app.state.db.read() as session:
        assert repo.count_assessments(session) == 0
        assert session.exec(select(Submission)).all() == []


def test_posting_a_later_step_first_goes_to_the_first_incomplete_one(client: TestClient) -> None:
    edit = start(client)
    token, version = form_state(client, edit, "problem")
    response = client.post(f"/a/{edit}/data", data={"csrf_token": token, "version": version, **STEP_ANSWERS["data"]},
                           follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == f"/a/{edit}/problem"
    assert stored(client, edit) == {}


def test_an_overlong_team_name_is_422_and_nothing_is_stored(client: TestClient) -> None:
    token = csrf_of(client.get("/").text)
    response = client.post("/assessments", data={"csrf_token": token, "team": "x" * 121, "title": "ok"})
    assert response.status_code == 422 and "120 characters or fewer" in response.text
    with client.app.state.db.read() as session:
        assert repo.count_assessments(session) == 0
