"""A seventh axis (tests/seventh_axis.py: one [[axes]] table, one base score per approach) reaches the report page,
the JSON and Markdown exports, the admin weights form and the impact preview, while results and weight sets made
with the six shipped axes keep loading and rendering. Each test runs the app of before the axis was added and the
app of after it on one database, as a deployment would."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from app.engine.rules import Knowledge, load_knowledge
from app.engine.scoring import score
from app.main import create_app
from app.settings import Settings
from app.store.models import Result, WeightDraft, WeightSet
from app.store.settings import current_weights

from ..seventh_axis import HELP, KEY, LABEL, WEIGHT, knowledge_with_seventh_axis
from ..views.test_exports import result_schema, validate
from .admin.conftest import EMAIL, form_post, login, make_admin
from .test_results import finish, finished

SIX_AXIS_SET = {"fit": 0.4, "data": 0.1, "speed": 0.1, "cost": 0.2, "risk": 0.1, "change": 0.1}


@pytest.fixture
def seven_dir(tmp_path: Path) -> Path:
    return knowledge_with_seventh_axis(tmp_path)


@pytest.fixture
def seven_settings(settings: Settings, seven_dir: Path) -> Settings:
    """The same database, with the knowledge directory that has the seventh axis."""
    return settings.model_copy(update={"knowledge_dir": seven_dir})


@contextmanager
def running(settings: Settings) -> Iterator[TestClient]:
    """A client on a fresh app built from these settings."""
    app = create_app(settings)
    with TestClient(app, base_url="http://testserver") as client:
        yield client
    app.state.db.dispose()


def knowledge_of(client: TestClient) -> Knowledge:
    knowledge: Knowledge = client.app.state.knowledge  # type: ignore[attr-defined]
    return knowledge


def exports(client: TestClient, view: str) -> tuple[str, dict, str]:
    """The report page, the JSON export (checked against the schema) and the Markdown record of one link."""
    page, doc, record = client.get(f"/r/{view}"), client.get(f"/r/{view}.json"), client.get(f"/r/{view}.md")
    assert page.status_code == doc.status_code == record.status_code == 200
    schema = result_schema()
    assert validate(doc.json(), schema, schema) == []
    return page.text, doc.json(), record.text


def test_seventh_axis_flows_everywhere_in_the_report_and_exports(seven_settings: Settings) -> None:
    with running(seven_settings) as client:
        assert knowledge_of(client).axis_keys[-1] == KEY
        _, view = finished(client)
        page, doc, record = exports(client, view)
    assert "Seven-axis comparison" in page and "Data of the seven-axis chart" in page and "on seven axes" in page
    assert f'<th scope="col">{LABEL}<span class="weight">weight 0.10</span></th>' in page  # comparison table
    assert page.count(f">{LABEL}<") >= 2 and HELP in page  # radar axis label and data table; the cells' text
    assert [a["key"] for a in doc["result"]["axes"]][-1] == KEY and doc["weights"][KEY] == pytest.approx(WEIGHT)
    assert all(KEY in a["scores"] for a in doc["result"]["approaches"])
    assert f"* {LABEL} (weight 0.10): " in record and f"{LABEL.lower()} scores " in record


def test_seventh_axis_leaves_six_axis_results_and_weight_sets_working(
    settings: Settings, seven_settings: Settings
) -> None:
    with running(settings) as before:
        edit, old_view = finished(before)
        with before.app.state.db.write() as session:  # type: ignore[attr-defined]
            session.add(WeightSet(version=1, method="direct", weights=SIX_AXIS_SET, created_by=EMAIL))
    with running(seven_settings) as client:
        page, doc, record = exports(client, old_view)
        assert "Six-axis comparison" in page and "on six axes" in page and LABEL not in page
        assert [a["key"] for a in doc["result"]["axes"]] == list(load_knowledge().axis_keys) and LABEL not in record
        new_view = finish(client, edit)  # the same answers again, now on seven axes and the six-axis set
        page, doc, _ = exports(client, new_view)
        with client.app.state.db.read() as session:  # type: ignore[attr-defined]
            weights, version = current_weights(session, knowledge_of(client))
    assert "Seven-axis comparison" in page and version == 1 and doc["weights_version"] == 1
    assert doc["weights"] == weights and weights[KEY] == WEIGHT  # the new axis at its default weight
    assert weights["fit"] / weights["cost"] == pytest.approx(SIX_AXIS_SET["fit"] / SIX_AXIS_SET["cost"])


def direct(values: dict[str, float], version: str = "0") -> dict[str, str]:
    return {"method": "direct", "draft_version": version, **{f"w_{k}": str(v) for k, v in values.items()}}


def test_seventh_axis_in_the_admin_weights_form_and_preview(settings: Settings, seven_settings: Settings) -> None:
    with running(settings) as before:
        finished(before)  # a result scored on six axes: it has no score to re-rank on the seventh
        with before.app.state.db.write() as session:  # type: ignore[attr-defined]
            session.add(WeightSet(version=1, method="direct", weights=SIX_AXIS_SET, created_by=EMAIL))
            session.add(WeightDraft(id=1, version=1, method="direct", weights=SIX_AXIS_SET, updated_by=EMAIL))
    with running(seven_settings) as client:
        db, knowledge = client.app.state.db, knowledge_of(client)  # type: ignore[attr-defined]
        finished(client)
        make_admin(db)
        assert login(client).status_code == 303
        page = client.get("/admin/weights").text
        for field in (f"w_{KEY}", f"rank_{KEY}", f"p_fit_{KEY}", f"p_change_{KEY}"):
            assert f'name="{field}"' in page, field
        assert '<option value="7"' in page and HELP in page  # seven ranks; the axis help beside its weight
        assert "Not in this version: the axis was added later" in page  # the six-axis set in the history
        assert "The draft differs from the published weights" not in page  # both completed the same way
        assert "has unpublished changes" not in client.get("/admin").text
        privacy_only = {x: float(x == KEY) for x in knowledge.axis_keys}
        fragment = form_post(client, "/admin/weights", "/admin/weights/preview", direct(privacy_only, "1"),
                             headers={"HX-Request": "true"})
        with db.read() as session:
            stored = session.exec(select(Result).order_by(Result.id)).all()
        changed = score(knowledge, stored[1].answers, privacy_only).core.primary != stored[1].recommendation
        assert fragment.status_code == 200 and f"{int(changed)} of 2</strong>" in fragment.text
        assert "1 of them cannot be re-ranked" in fragment.text and f"{LABEL} 1.000" in fragment.text
        saved = form_post(client, "/admin/weights", "/admin/weights", direct(privacy_only, "1"))
        published = form_post(client, "/admin/weights", "/admin/weights/publish", {"draft_version": "2"})
        assert saved.status_code == published.status_code == 303
        with db.read() as session:
            assert current_weights(session, knowledge) == (privacy_only, 2)
