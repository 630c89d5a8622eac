"""Unknown is not a default (issue 11) in the wizard: nothing pre-selected or pre-filled, "Not sure" on every
question but the gap types, an empty step stored as unknown, "Not sure" on check-answers, numbers as people write
them and shown back formatted, and a 422 that keeps what was typed and loses nothing saved."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from app.engine.model import UNKNOWN, Kind

from ..helpers import STEP_ANSWERS, STEPS, start, submit
from .test_wizard import stored

CHECKED = re.compile(r"<input[^>]*\bchecked\b")


def number_value(page: str, qid: str) -> str:
    """The value attribute of a number field."""
    match = re.search(rf'<input[^>]*id="q-{qid}"[^>]*value="([^"]*)"', page, re.S)
    assert match, qid
    return match.group(1)


def test_a_fresh_step_has_nothing_selected_or_filled(client: TestClient) -> None:
    bank = client.app.state.bank
    edit = start(client)
    for step in STEPS:
        page = client.get(f"/a/{edit}/{step}").text
        assert not CHECKED.search(page), step
        for q in bank.step_questions(step):
            if q.kind is Kind.INT:
                assert number_value(page, q.id) == "", q.id
                assert "Leave it empty if you are not sure." in page
        submit(client, edit, step)


def test_every_question_but_the_gap_types_offers_not_sure(client: TestClient) -> None:
    bank = client.app.state.bank
    edit = start(client)
    for step in STEPS:
        page = client.get(f"/a/{edit}/{step}").text
        for q in bank.step_questions(step):
            radio = f'<input type="radio" id="q-{q.id}-unknown" name="{q.id}" value="unknown">'
            if q.kind is Kind.SINGLE:
                assert radio in page and f'<label for="q-{q.id}-unknown">Not sure</label>' in page
                # inside the question's own fieldset, after its options and an "or"
                fieldset = page.split(f'<fieldset id="q-{q.id}"')[1].split("</fieldset>")[0]
                assert "<legend" in fieldset and radio in fieldset
                assert '<div class="choice-divider">or</div>' in fieldset
            else:
                assert f"q-{q.id}-unknown" not in page
        submit(client, edit, step)


def test_an_empty_step_is_stored_as_unknown_and_counts_as_done(client: TestClient) -> None:
    bank = client.app.state.bank
    edit = start(client)
    submit(client, edit, "problem", {"gap_types": ["behavior"]})
    for step in STEPS[1:]:
        response = submit(client, edit, step, {})
        assert response.status_code == 303, response.text
    saved = stored(client, edit)
    assert saved == {"gap_types": ["behavior"], **{q: UNKNOWN for q in bank.questions if q != "gap_types"}}
    assert client.get(f"/a/{edit}", follow_redirects=False).headers["location"] == f"/a/{edit}/review"
    # coming back: "Not sure" is what is selected, and the number fields are empty
    page = client.get(f"/a/{edit}/data").text
    assert 'id="q-label_quality-unknown" name="label_quality" value="unknown" checked' in page
    assert number_value(page, "labeled_examples") == ""
    assert len(CHECKED.findall(page)) == sum(1 for q in bank.step_questions("data") if q.kind is Kind.SINGLE)


def test_check_answers_shows_not_sure_not_the_default(client: TestClient) -> None:
    bank = client.app.state.bank
    edit = start(client)
    submit(client, edit, "problem", {"gap_types": ["behavior"]})
    for step in STEPS[1:]:
        submit(client, edit, step, {})
    page = client.get(f"/a/{edit}/review").text
    rows = re.findall(r"<dt>(.*?)</dt>\s*<dd>(.*?)</dd>", page, re.S)
    assert len(rows) == len(bank.questions)
    assert [answer for _, answer in rows].count("Not sure") == len(bank.questions) - 1
    for q in bank.questions.values():  # no default reads as if it were an answer
        if q.kind is Kind.SINGLE:
            assert q.option_label(str(q.default)) not in [a for _, a in rows], q.id
    assert "0 examples" not in page and "10,000 calls/month" not in page
    assert f"{len(bank.questions) - 1} of your answers are “Not sure”" in page


def test_a_single_not_sure_answer_is_said_once(client: TestClient) -> None:
    bank = client.app.state.bank
    edit = start(client)
    for step in STEPS:
        answers = {**STEP_ANSWERS[step], "monthly_calls": ""} if step == "output" else dict(STEP_ANSWERS[step])
        for q in bank.step_questions(step):  # a question the helpers' answer set does not know yet: its first option
            if q.kind is Kind.SINGLE:
                answers.setdefault(q.id, q.options[0].value)
        submit(client, edit, step, answers)
    page = client.get(f"/a/{edit}/review").text
    assert "One of your answers is “Not sure”" in page and page.count("<dd>Not sure</dd>") == 1


def test_the_not_sure_radio_is_stored_as_unknown(client: TestClient) -> None:
    edit = start(client)
    submit(client, edit, "problem", {**STEP_ANSWERS["problem"], "failure_mode": "unknown"})
    assert stored(client, edit)["failure_mode"] == UNKNOWN
    page = client.get(f"/a/{edit}/problem").text
    assert 'value="unknown" checked' in page and 'value="breaks_repeatedly" checked' not in page


def test_numbers_as_people_write_them_are_stored_and_shown_back_formatted(client: TestClient) -> None:
    edit = start(client)
    for step in STEPS[:2]:
        submit(client, edit, step)
    typed = {"labeled_examples": "12 000"}
    assert submit(client, edit, "data", {**STEP_ANSWERS["data"], **typed}).status_code == 303
    output = {**STEP_ANSWERS["output"], "monthly_calls": "2.5M", "fixed_prompt_tokens": "1,500k"}
    assert submit(client, edit, "output", output).status_code == 303
    saved = stored(client, edit)
    assert (saved["labeled_examples"], saved["monthly_calls"], saved["fixed_prompt_tokens"]) == (
        12_000, 2_500_000, 1_500_000)
    assert number_value(client.get(f"/a/{edit}/data").text, "labeled_examples") == "12,000"
    page = client.get(f"/a/{edit}/output").text
    assert number_value(page, "monthly_calls") == "2,500,000"
    assert number_value(page, "fixed_prompt_tokens") == "1,500,000"
    submit(client, edit, "constraints")
    review = client.get(f"/a/{edit}/review").text
    assert "12,000 examples" in review and "2,500,000 calls/month" in review and "1,500,000 tokens" in review


def test_a_422_keeps_what_was_typed_and_what_was_saved(client: TestClient) -> None:
    edit = start(client)
    for step in STEPS[:3]:
        submit(client, edit, step)
    submit(client, edit, "output")
    before = stored(client, edit)
    typed = {"format_strictness": "strict_stable", "monthly_calls": "5x", "fixed_prompt_tokens": "12 000"}
    for htmx in (False, True):
        response = submit(client, edit, "output", typed, htmx=htmx)
        assert response.status_code == 422
        assert "Number of calls a month: &#34;5x&#34; ends in &#34;x&#34;" in response.text
        assert number_value(response.text, "monthly_calls") == "5x"
        assert number_value(response.text, "fixed_prompt_tokens") == "12 000"
        assert 'value="strict_stable" checked' in response.text
        assert 'aria-invalid="true"' in response.text and 'href="#q-monthly_calls"' in response.text
    assert stored(client, edit) == before
