"""Assessments for admins: search, filters, CSV export, re-evaluation with a diff, link revocation, audit."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlmodel import select

from app.engine.rules import Knowledge
from app.routes.admin.common import safe_cell
from app.store.db import Database
from app.store.models import Assessment, AuditEvent, Result, ShareLink
from app.store.reevaluate import diff_results
from app.store.results import add_share_link, find_shared

from ...conftest import csrf_of
from ...stored import seed_results


def rename(db: Database, assessment_id: int, team: str, title: str, status: str = "complete") -> None:
    with db.write() as session:
        a = session.get(Assessment, assessment_id)
        assert a is not None
        a.team, a.title, a.status = team, title, status
        session.add(a)


def test_search_is_case_insensitive_and_filters_combine(signed_in: TestClient, db: Database,
                                                        knowledge: Knowledge) -> None:
    seed_results(db, knowledge, 6)
    rename(db, 1, "Support Platform", "Replies sound robotic")
    rename(db, 2, "support desk", "Ticket routing", status="draft")
    page = signed_in.get("/admin/assessments", params={"team": "SUPPORT"}).text
    assert "Support Platform" in page and "support desk" in page and "2 assessments" in page
    page = signed_in.get("/admin/assessments", params={"team": "support", "status": "draft"}).text
    assert "support desk" in page and "Support Platform" not in page
    page = signed_in.get("/admin/assessments", params={"title": "ROBOTIC"}).text
    assert "1 assessments" in page


def test_filter_by_recommendation_and_dates(signed_in: TestClient, db: Database, knowledge: Knowledge) -> None:
    seed_results(db, knowledge, 6)
    with db.read() as session:
        recs = [r.recommendation for r in session.exec(select(Result))]
    rec = recs[0]
    page = signed_in.get("/admin/assessments", params={"recommendation": rec}).text
    assert f"{recs.count(rec)} assessments" in page
    today = datetime.now(UTC).date().isoformat()
    assert "6 assessments" in signed_in.get("/admin/assessments", params={"since": today, "until": today}).text
    assert "0 assessments" in signed_in.get("/admin/assessments", params={"until": "2000-01-01"}).text


def test_pagination(signed_in: TestClient, db: Database, knowledge: Knowledge) -> None:
    seed_results(db, knowledge, 30)
    first = signed_in.get("/admin/assessments").text
    assert "page 1 of 2" in first and 'rel="next"' in first
    second = signed_in.get("/admin/assessments", params={"page_no": "2"}).text
    assert second.count('<th scope="row">') == 5


def test_csv_export_guards_against_formula_injection(signed_in: TestClient, db: Database, knowledge: Knowledge) -> None:
    seed_results(db, knowledge, 3)
    rename(db, 1, "=HYPERLINK(\"http://evil\")", "+1 and -1 @SUM")
    response = signed_in.get("/admin/assessments.csv")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0][:3] == ["id", "team", "title"] and len(rows) == 4
    injected = next(r for r in rows if r[0] == "1")
    assert injected[1] == "'=HYPERLINK(\"http://evil\")" and injected[2] == "'+1 and -1 @SUM"
    assert [safe_cell(v) for v in ("-3", "@x", "ok", None, 5)] == ["'-3", "'@x", "ok", "", "5"]


def test_reevaluate_adds_a_result_and_shows_the_diff(signed_in: TestClient, db: Database, knowledge: Knowledge) -> None:
    seed_results(db, knowledge, 1)
    with db.read() as session:
        old = session.exec(select(Result)).one()
    page = signed_in.get("/admin/assessments/1")
    form = {"csrf_token": csrf_of(page.text)}
    token = csrf_of(signed_in.get("/admin/weights").text)
    weights = {"method": "direct", "draft_version": "0", "w_fit": "0.05", "w_data": "0.05", "w_speed": "0.05",
               "w_cost": "0.7", "w_risk": "0.1", "w_change": "0.05", "csrf_token": token}
    signed_in.post("/admin/weights", data=weights)
    signed_in.post("/admin/weights/publish", data={"csrf_token": token, "draft_version": "1"})
    response = signed_in.post("/admin/assessments/1/reevaluate", data=form, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/admin/assessments/1?diff=2#changes"
    with db.read() as session:
        results = session.exec(select(Result).order_by(Result.id)).all()
        event = session.exec(select(AuditEvent).where(AuditEvent.action == "result.reevaluated")).one()
    assert len(results) == 2 and results[0].payload == old.payload and results[1].weights_version == 1
    assert results[1].answers == old.answers
    assert event.before["result"] == 1 and event.after["result"] == 2
    detail = signed_in.get(response.headers["location"]).text
    assert "What the re-evaluation changed" in detail and "Totals per approach" in detail


def test_diff_results_reports_primary_scores_and_reasons() -> None:
    old = {"primary": "LORA", "companion": None, "runner_up": "PROMPT", "confidence": {"label": "High"},
           "weights": {"fit": 0.3}, "approaches": [{"id": "LORA", "label": "LoRA", "total": 60.0, "blocked": False,
                                                    "scores": {"fit": 8.0, "cost": 5.0}}],
           "reasons_for": [{"text": "a"}, {"text": "b"}], "reasons_against": [], "advisories": []}
    new = {**old, "primary": "PROMPT", "weights": {"fit": 0.2},
           "approaches": [{"id": "LORA", "label": "LoRA", "total": 55.5, "blocked": True,
                           "scores": {"fit": 8.0, "cost": 4.0}}],
           "reasons_for": [{"text": "b"}, {"text": "c"}]}
    diff = diff_results(old, new)
    assert diff["changed"] and diff["primary"] == {"old": "LORA", "new": "PROMPT", "changed": True}
    row = diff["approaches"][0]
    assert row["delta"] == -4.5 and row["new_blocked"] and row["scores"] == [{"axis": "cost", "old": 5.0, "new": 4.0}]
    assert diff["reasons_for"] == {"added": ["c"], "removed": ["a"]}
    assert diff["weights"] == [{"axis": "fit", "old": 0.3, "new": 0.2, "changed": True}]
    assert not diff_results(old, old)["changed"]


def test_revoking_a_view_link(signed_in: TestClient, db: Database, knowledge: Knowledge) -> None:
    seed_results(db, knowledge, 1)
    with db.write() as session:
        token = add_share_link(session, result_id=1, days=30)
    with db.read() as session:
        link = session.exec(select(ShareLink)).one()
        assert find_shared(session, token=token) is not None
    page = signed_in.get("/admin/assessments/1").text
    assert "Live" in page
    response = signed_in.post(f"/admin/assessments/1/links/{link.id}/revoke", data={"csrf_token": csrf_of(page)},
                              follow_redirects=False)
    assert response.status_code == 303
    with db.read() as session:
        assert find_shared(session, token=token) is None
        event = session.exec(select(AuditEvent).where(AuditEvent.action == "link.revoked")).one()
    assert event.after == {"assessment": 1, "result": 1, "link": link.id}
    assert "Revoked" in signed_in.get("/admin/assessments/1").text
    other = signed_in.post(f"/admin/assessments/2/links/{link.id}/revoke", data={"csrf_token": csrf_of(page)})
    assert other.status_code == 404  # a link of another assessment


def test_the_detail_page_pages_results_and_links(signed_in: TestClient, db: Database, knowledge: Knowledge) -> None:
    """Issue 15, item 1: whatever an assessment holds (a scanner made one 1,357 links), its admin page is paged."""
    seed_results(db, knowledge, 1)
    with db.write() as session:
        first = session.exec(select(Result)).one()
        copies = [Result(**{**first.model_dump(exclude={"id"}), "recommendation": "RAG"}) for _ in range(11)]
        session.add_all(copies)
        session.flush()
        for _ in range(60):
            add_share_link(session, result_id=copies[-1].id, days=30)
    page = signed_in.get("/admin/assessments/1").text
    assert "12 results, newest first" in page and page.count('class="result-block"') == 10
    assert "60 view links, newest first, page 1 of 3" in page and page.count("/revoke") == 25
    assert 'href="/admin/assessments/1?links_page=1&amp;page_no=2"' in page
    last = signed_in.get("/admin/assessments/1", params={"links_page": "3", "page_no": "2"}).text
    assert last.count("/revoke") == 10 and last.count('class="result-block"') == 2 and "page 3 of 3" in last
    assert len(page) < 60_000
    with db.read() as session:  # the newest result is the assessment's, as the search shows it
        assessment = session.get(Assessment, 1)
    assert assessment.recommendation == "RAG" and assessment.latest_result_id == copies[-1].id


def test_no_separator_exposes_a_formula(signed_in: TestClient, db: Database, knowledge: Knowledge) -> None:
    """Issue 15, item 6: `x;=1+1` was written unquoted, so a spreadsheet splitting on ';' saw a cell `=1+1`."""
    seed_results(db, knowledge, 2)
    rename(db, 1, "x;=1+1", "a\t@SUM(A1)|-2, +3")
    rename(db, 2, '" =HYPERLINK(1)', "fine; ok")
    text = signed_in.get("/admin/assessments.csv").text
    assert text.splitlines()[0].startswith('"id","team"')  # every cell quoted
    for delimiter in (",", ";", "\t", "|"):
        for row in csv.reader(io.StringIO(text), delimiter=delimiter):
            for cell in row:
                assert not cell.lstrip(' "\r\n').startswith(("=", "+", "-", "@")), (delimiter, cell)
    rows = {r[0]: r for r in csv.reader(io.StringIO(text))}
    assert rows["1"][1] == "x;'=1+1" and rows["2"][2] == "fine; ok"
