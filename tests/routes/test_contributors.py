"""Who changed what: an optional name recorded with each save (asked once per browser), the answers each save
changed in words on the manage page, and the 409 naming who changed the step meanwhile."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import select

from app.main import create_app
from app.settings import Settings
from app.store.models import Submission

from ..helpers import STEP_ANSWERS, form_state, start, submit


def test_a_named_save_is_remembered_and_listed_with_its_changes(client: TestClient) -> None:
    edit = start(client)
    assert submit(client, edit, "problem", {**STEP_ANSWERS["problem"], "contributor": "Ana"}).status_code == 303
    assert client.cookies.get("tw_contributor") == "Ana"
    assert "Saving as Ana" in client.get(f"/a/{edit}/tried").text  # asked once: now folded away
    assert submit(client, edit, "tried").status_code == 303
    changed = {**STEP_ANSWERS["problem"], "failure_mode": "wrong_facts"}
    assert submit(client, edit, "problem", changed).status_code == 303
    with client.app.state.db.read() as session:
        rows = session.exec(select(Submission).order_by(Submission.id)).all()
    assert [r.contributor for r in rows] == ["Ana", "Ana", "Ana"]
    assert rows[2].changes == {"failure_mode": ["breaks_repeatedly", "wrong_facts"]}
    page = client.get(f"/a/{edit}/manage").text
    assert "<strong>Ana</strong> saved “The problem”" in page and "→" in page


def test_no_name_is_asked_once_and_saved_as_someone(client: TestClient) -> None:
    edit = start(client)
    assert submit(client, edit, "problem", {**STEP_ANSWERS["problem"], "contributor": ""}).status_code == 303
    assert "Saving without a name" in client.get(f"/a/{edit}/tried").text
    assert "Someone with the edit link" in client.get(f"/a/{edit}/manage").text


def test_a_bad_name_is_a_422_and_nothing_is_saved(client: TestClient) -> None:
    edit = start(client)
    response = submit(client, edit, "problem", {**STEP_ANSWERS["problem"], "contributor": "A" * 81})
    assert response.status_code == 422 and "80 characters or fewer" in response.text
    with client.app.state.db.read() as session:
        assert session.exec(select(Submission)).all() == []


def test_names_are_escaped_on_the_manage_page(client: TestClient) -> None:
    edit = start(client)
    submit(client, edit, "problem", {**STEP_ANSWERS["problem"], "contributor": "<b>Eve</b>"})
    page = client.get(f"/a/{edit}/manage").text
    assert "&lt;b&gt;Eve&lt;/b&gt;" in page and "<b>Eve</b>" not in page


def test_the_conflict_page_names_who_changed_the_step_meanwhile(settings: Settings, client: TestClient) -> None:
    edit = start(client)
    submit(client, edit, "problem")
    _, stale = form_state(client, edit, "problem")
    with TestClient(create_app(settings), base_url="http://testserver") as other:
        changed = {**STEP_ANSWERS["problem"], "failure_mode": "wrong_facts", "contributor": "Bo"}
        assert submit(other, edit, "problem", changed).status_code == 303
    response = submit(client, edit, "problem", version=stale)
    assert response.status_code == 409
    assert "Meanwhile Bo saved “The problem”: When it fails, what does it look like?" in response.text
