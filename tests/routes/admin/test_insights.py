"""/admin/insights: the funnel per bank and rules version, recommendations and confidence by month, decisions and
outcomes by recommended approach, each table as CSV, and recorded outcomes as case-library lines."""

from __future__ import annotations

import csv
import io
import json

from fastapi.testclient import TestClient

from app.engine.casefile import parse_cases
from app.engine.knowledge import Knowledge

from ...helpers import STEPS, start, submit
from ...routes.test_decisions import made, post
from ...scenarios import ALL


def test_only_admins_see_insights(client: TestClient) -> None:
    for path in ("/admin/insights", "/admin/insights/funnel.csv", "/admin/insights/outcomes.jsonl"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code in (303, 401, 403), path


def test_the_funnel_counts_each_step_and_leaves_the_api_out(signed_in: TestClient, knowledge: Knowledge) -> None:
    stopped = start(signed_in, team="Stopped")
    submit(signed_in, stopped, STEPS[0])
    two = start(signed_in, team="Two steps")
    for step in STEPS[:2]:
        submit(signed_in, two, step)
    made(signed_in)  # through the API: never saw the questionnaire
    rows = list(csv.reader(io.StringIO(signed_in.get("/admin/insights/funnel.csv").text)))
    assert rows[0] == ["bank_version", "rules_version", "stage", "count", "share_of_started", "drop_off"]
    counts = {r[2]: (int(r[3]), r[5]) for r in rows[1:]}
    first, second = (s.title for s in knowledge.bank.steps[:2])
    assert counts["Started"] == (2, "") and counts[first] == (2, "0.0000") and counts[second] == (1, "0.5000")
    assert counts["Finished"][0] == 0
    assert {r[0] for r in rows[1:]} == {knowledge.bank.version}
    page = signed_in.get("/admin/insights").text
    assert f"Question bank {knowledge.bank.version}, rules {knowledge.rules.version}" in page


def test_recommendations_and_confidence_by_month(signed_in: TestClient, knowledge: Knowledge) -> None:
    made(signed_in, ALL[0])
    body = signed_in.post("/api/assessments", json={"team": "x", "title": "y", "answers": ALL[0]["answers"]}).json()
    recommended, label = body["result"]["primary"], body["result"]["confidence"]["label"]
    rows = list(csv.reader(io.StringIO(signed_in.get("/admin/insights/approaches.csv").text)))
    column = rows[0].index(recommended)
    assert int(rows[1][column]) == 2 and int(rows[1][-1]) == 2 and len(rows) == 2
    confidence = list(csv.reader(io.StringIO(signed_in.get("/admin/insights/confidence.csv").text)))
    assert confidence[0][1:] == [label] and confidence[1][1:] == ["2"]
    assert knowledge.rules.labels[recommended] in signed_in.get("/admin/insights").text


def test_decisions_followed_and_worked(signed_in: TestClient) -> None:
    edit, result_id = made(signed_in, ALL[0])
    assert post(signed_in, edit, result_id, "status", status="accepted").status_code == 303
    body = signed_in.get("/admin/insights/decisions.csv").text
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[1][1:3] == ["1", "0"] and rows[1][3] == "1"  # one decision, accepted
    primary = rows[1][0]
    assert post(signed_in, edit, result_id, "outcome", approach=primary, outcome="worked",
                note="Shipped =cmd").status_code == 303
    rows = list(csv.reader(io.StringIO(signed_in.get("/admin/insights/decisions.csv").text)))
    assert rows[1][-3:] == ["1", "1", "1"]  # an outcome, the advice followed, and it worked


def test_recorded_outcomes_export_as_library_cases(signed_in: TestClient, knowledge: Knowledge) -> None:
    worked_edit, worked = made(signed_in, ALL[0])
    failed_edit, failed = made(signed_in, ALL[1])
    assert post(signed_in, worked_edit, worked, "outcome", approach="RAG", outcome="partly",
                note="Good enough.").status_code == 303
    assert post(signed_in, failed_edit, failed, "outcome", approach="LORA", outcome="did_not").status_code == 303
    response = signed_in.get("/admin/insights/outcomes.jsonl")
    lines = response.text.splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["expected"] == "RAG"
    problems: list[str] = []
    cases = parse_cases(lines, knowledge.bank, "export", problems)
    assert problems == [] and cases[0].how_it_went == "It partly worked: Good enough."


def test_csv_cells_cannot_run_as_formulas(signed_in: TestClient) -> None:
    assert signed_in.get("/admin/insights/nothing.csv").status_code == 404
    made(signed_in, ALL[0])
    for table in ("funnel", "approaches", "confidence", "decisions"):
        body = signed_in.get(f"/admin/insights/{table}.csv").text
        assert all(not cell.startswith(("=", "+", "-", "@")) for row in csv.reader(io.StringIO(body)) for cell in row)
