"""Every new result stores rank_inputs (what the admin weights preview reads) derived from its own payload."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import col, select

from app.engine.rules import load_knowledge
from app.engine.weights import compact, rank_inputs, ranked_from_inputs
from app.store.models import Result, WeightSet
from app.store.reevaluate import reevaluate

from ..scenarios import ALL
from .test_results import finished

AXES = load_knowledge().axis_keys  # the shipped axes, in axes.toml order


def stored_results(client: TestClient) -> list[Result]:
    with client.app.state.db.read() as session:
        return list(session.exec(select(Result).order_by(col(Result.id))).all())


def assert_slim_copy(result: Result) -> None:
    assert result.rank_inputs == rank_inputs(result.payload, AXES)
    assert all(isinstance(r[1], bool) for r in result.rank_inputs["approaches"])
    assert ranked_from_inputs(result.rank_inputs, result.recommendation, AXES) == compact(result.payload, AXES)


def test_finish_and_reevaluate_store_rank_inputs(client: TestClient) -> None:
    finished(client)
    [first] = stored_results(client)
    assert_slim_copy(first)
    weights = {**first.weights, "cost": first.weights["cost"] + 0.05, "fit": first.weights["fit"] - 0.05}
    with client.app.state.db.write() as session:  # new weights: re-evaluating the same inputs adds nothing
        session.add(WeightSet(version=1, method="direct", weights=weights, created_by="admin@example.org"))
    with client.app.state.db.write() as session:
        reevaluate(session, client.app.state.knowledge, first.assessment_id)
    assert len(stored_results(client)) == 2
    assert_slim_copy(stored_results(client)[1])


def test_the_api_stores_rank_inputs_also_for_forced_and_gated_results(client: TestClient) -> None:
    cases = [c for c in ALL if c["id"] in ("S03", "S04")]  # S03: four approaches blocked; S04: forced by G1
    for case in cases:
        response = client.post("/api/assessments",
                               json={"team": "T", "title": case["title"][:200], "answers": case["answers"]})
        assert response.status_code == 201, response.text
    results = stored_results(client)
    assert [r.payload["forced_by"] for r in results] == [None, "G1"]
    for result in results:
        assert_slim_copy(result)
