"""The weights pages: percentages (the simple mode), validation, ROC and AHP forms, preview, publish, optimistic
concurrency and audit."""

from __future__ import annotations

import json
import re
import threading
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from app.engine.evaluate import acceptable_with
from app.engine.rules import Knowledge, load_knowledge
from app.engine.scoring import score
from app.routes.admin.weights import SHOWN_CHANGES
from app.store.db import Database
from app.store.models import AuditEvent, Result, WeightSet
from app.store.reevaluate import reevaluate
from app.store.settings import current_weights

from ...conftest import csrf_of
from ...stored import scenarios, seed_results
from .conftest import PASSWORD, form_post, login, make_admin

AXES = load_knowledge().axis_keys  # the shipped axes, in axes.toml order

DRAFT_RE = re.compile(r'name="draft_version" value="(\d+)"')
COST_FIRST = {"fit": "0.05", "data": "0.05", "speed": "0.05", "cost": "0.7", "risk": "0.1", "change": "0.05"}


def direct(values: dict[str, str], version: str = "0") -> dict[str, str]:
    return {"method": "direct", "draft_version": version, **{f"w_{k}": v for k, v in values.items()}}


def draft_version(client: TestClient) -> str:
    match = DRAFT_RE.search(client.get("/admin/weights").text)
    assert match
    return match.group(1)


def actions(db: Database) -> list[str]:
    with db.read() as session:
        return list(session.exec(select(AuditEvent.action).order_by(AuditEvent.id)).all())


def test_the_page_lists_the_axes_with_their_help(signed_in: TestClient, knowledge: Knowledge) -> None:
    page = signed_in.get("/admin/weights").text
    for axis in knowledge.axes:
        assert axis.label in page and axis.help in page
    assert 'hx-post="/admin/weights/preview"' in page and 'hx-trigger="input changed delay:500ms, change"' in page
    assert 'formaction="/admin/weights/preview"' in page  # the no-JavaScript preview button
    assert '<input type="hidden" name="method" value="percent">' in page  # the simple mode comes first
    assert page.index('name="w_fit"') < page.index("<summary>More methods") < page.index('name="rank_fit"')
    assert "<details class=\"more-methods\">" in page  # closed unless the draft was ranked or compared in pairs
    assert "eigenvector" not in page and "how consistent your pairwise judgements are" in page
    assert '<script src="/static/admin.js" defer></script>' in page and "<script>" not in page  # no inline JS


def test_invalid_numbers_get_per_field_errors(signed_in: TestClient, db: Database) -> None:
    values = {**COST_FIRST, "fit": "nan", "data": "-1", "speed": "2", "cost": "abc", "risk": ""}
    response = form_post(signed_in, "/admin/weights", "/admin/weights", direct(values))
    assert response.status_code == 422 and "<title>Error: " in response.text
    for axis in ("fit", "data", "speed", "cost", "risk"):
        assert f'id="q-w_{axis}-error"' in response.text and f'href="#q-w_{axis}"' in response.text
    assert 'id="q-w_change-error"' not in response.text
    assert "weights.draft_saved" not in actions(db)


def test_all_zero_weights_are_refused(signed_in: TestClient) -> None:
    response = form_post(signed_in, "/admin/weights", "/admin/weights", direct({x: "0" for x in AXES}))
    assert response.status_code == 422 and "Give at least one axis a weight above 0" in response.text


def test_numbers_are_normalised_and_saved_as_a_draft(signed_in: TestClient, db: Database, knowledge: Knowledge) -> None:
    response = form_post(signed_in, "/admin/weights", "/admin/weights", direct({x: "1" for x in AXES}))
    assert response.status_code == 303 and response.headers["location"] == "/admin/weights?done=saved"
    page = signed_in.get("/admin/weights").text
    assert 'value="16.7"' in page and "Fit counts for 16.7 %, below 25 %" in page  # the guard-rail warning
    with db.read() as session:
        assert current_weights(session, knowledge) == (knowledge.default_weights(), None)  # not published yet
    assert actions(db)[-1] == "weights.draft_saved"


def test_ranking_gives_roc_weights(signed_in: TestClient) -> None:
    ranks = {"rank_fit": "1", "rank_data": "2", "rank_risk": "3", "rank_speed": "4", "rank_cost": "5",
             "rank_change": "6"}
    response = form_post(signed_in, "/admin/weights", "/admin/weights", {"method": "roc",
                                                                         "draft_version": "0", **ranks})
    assert response.status_code == 303
    page = signed_in.get("/admin/weights").text
    assert all(f'value="{v}"' in page for v in ("40.8", "24.2", "15.8", "10.3", "6.1", "2.8"))
    assert "<details class=\"more-methods\" open>" in page  # a ranked draft opens the other methods


def test_a_shared_rank_is_refused(signed_in: TestClient) -> None:
    ranks = {"rank_fit": "1", "rank_data": "1", "rank_risk": "3", "rank_speed": "4", "rank_cost": "5",
             "rank_change": "6"}
    response = form_post(signed_in, "/admin/weights", "/admin/weights", {"method": "roc",
                                                                         "draft_version": "0", **ranks})
    assert response.status_code == 422 and "Rank 1 is given to more than one axis" in response.text


def ahp_form(overrides: dict[tuple[str, str], str] | None = None) -> dict[str, str]:
    # The §6.1 matrix in the app's axis order (fit, data, speed, cost, risk, change).
    m = {("fit", "data"): "1", ("fit", "speed"): "2", ("fit", "cost"): "2", ("fit", "risk"): "2",
         ("fit", "change"): "4",
         ("data", "speed"): "1", ("data", "cost"): "2", ("data", "risk"): "1", ("data", "change"): "2",
         ("speed", "cost"): "1", ("speed", "risk"): "1", ("speed", "change"): "2",
         ("cost", "risk"): "1", ("cost", "change"): "1", ("risk", "change"): "2"}
    m |= overrides or {}
    return {"method": "ahp", "draft_version": "0", **{f"p_{a}_{b}": v for (a, b), v in m.items()}}


def test_ahp_comparisons_give_the_eigenvector_weights(signed_in: TestClient, db: Database) -> None:
    assert form_post(signed_in, "/admin/weights", "/admin/weights", ahp_form()).status_code == 303
    page = signed_in.get("/admin/weights").text
    assert 'value="27.8"' in page and 'value="19.9"' in page and 'value="8.8"' in page
    with db.read() as session:
        event = session.exec(select(AuditEvent).where(AuditEvent.action == "weights.draft_saved")).one()
    assert event.after["method"] == "ahp" and abs(event.after["cr"] - 0.017) < 0.001


def test_inconsistent_ahp_is_refused_and_the_worst_pair_named(signed_in: TestClient) -> None:
    response = form_post(signed_in, "/admin/weights", "/admin/weights", ahp_form({("fit", "change"): "1/9"}))
    assert response.status_code == 422
    assert "must be below 0.10" in response.text and "Revisit Fit versus What changes first" in response.text
    assert 'id="q-p_fit_change-error"' in response.text and "question inline has-error worst" in response.text


def expected_changes(knowledge: Knowledge, weights: dict[str, float]) -> int:
    return sum(score(knowledge, c["answers"], weights=weights).core.primary
               != score(knowledge, c["answers"]).core.primary
               for c in scenarios())


def test_preview_counts_and_lists_the_changed_results(signed_in: TestClient, db: Database,
                                                      knowledge: Knowledge) -> None:
    ids = seed_results(db, knowledge)
    total = sum(float(v) for v in COST_FIRST.values())
    expected = expected_changes(knowledge, {k: float(v) / total for k, v in COST_FIRST.items()})
    assert expected > 0
    token = csrf_of(signed_in.get("/admin/weights").text)
    fragment = signed_in.post("/admin/weights/preview", data={"csrf_token": token, **direct(COST_FIRST)},
                              headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "<html" not in fragment.text and "autofocus" not in fragment.text
    assert f"{expected} of {len(ids)}</strong>" in fragment.text
    assert fragment.text.count('<tr><th scope="row">') == min(expected, SHOWN_CHANGES)  # one per changed result
    page = signed_in.post("/admin/weights/preview", data={"csrf_token": token, **direct(COST_FIRST)})
    assert page.status_code == 200 and "<html" in page.text and f"{expected} of {len(ids)}</strong>" in page.text


def test_preview_with_the_published_weights_changes_nothing(signed_in: TestClient, db: Database,
                                                            knowledge: Knowledge) -> None:
    ids = seed_results(db, knowledge)
    defaults = {k: str(v) for k, v in knowledge.default_weights().items()}
    response = form_post(signed_in, "/admin/weights", "/admin/weights/preview", direct(defaults),
                         headers={"HX-Request": "true"})
    assert f"0 of {len(ids)}</strong>" in response.text


def test_preview_of_invalid_values_explains_instead_of_counting(signed_in: TestClient) -> None:
    response = form_post(signed_in, "/admin/weights", "/admin/weights/preview", direct({**COST_FIRST, "fit": "x"}),
                         headers={"HX-Request": "true"})
    assert response.status_code == 422 and "Fix 1 value to see the impact" in response.text


def test_publish_keeps_old_results_byte_identical_and_new_ones_use_it(
    signed_in: TestClient, db: Database, knowledge: Knowledge
) -> None:
    ids = seed_results(db, knowledge, 5)
    with db.read() as session:
        before = {r.id: json.dumps(r.payload, sort_keys=True) + json.dumps(r.weights)
                  for r in session.exec(select(Result))}
    assert form_post(signed_in, "/admin/weights", "/admin/weights", direct(COST_FIRST)).status_code == 303
    response = form_post(signed_in, "/admin/weights", "/admin/weights/publish",
                         {"draft_version": draft_version(signed_in)})
    assert response.status_code == 303 and response.headers["location"] == "/admin/weights?done=published"
    with db.read() as session:
        after = {r.id: json.dumps(r.payload, sort_keys=True) + json.dumps(r.weights)
                  for r in session.exec(select(Result))}
        weights, version = current_weights(session, knowledge)
    assert after == before and version == 1 and abs(weights["cost"] - 0.7) < 1e-12
    with db.write() as session:
        old, new = reevaluate(session, knowledge, 1)
    assert new.weights_version == 1 and new.weights == weights and new.payload["weights"] == weights
    assert old.id == ids[0] and old.weights_version is None
    assert actions(db)[-1] == "weights.published"


def test_publishing_twice_is_refused_as_nothing_to_publish(signed_in: TestClient) -> None:
    form_post(signed_in, "/admin/weights", "/admin/weights", direct(COST_FIRST))
    form_post(signed_in, "/admin/weights", "/admin/weights/publish", {"draft_version": draft_version(signed_in)})
    again = form_post(signed_in, "/admin/weights", "/admin/weights/publish",
                      {"draft_version": draft_version(signed_in)})
    assert again.status_code == 422 and "nothing to publish" in again.text
    with signed_in.app.state.db.read() as session:  # type: ignore[attr-defined]
        assert len(session.exec(select(WeightSet)).all()) == 1


def test_a_stale_form_gets_409_and_nothing_is_overwritten(signed_in: TestClient, db: Database) -> None:
    stale = draft_version(signed_in)
    assert form_post(signed_in, "/admin/weights", "/admin/weights", direct(COST_FIRST, stale)).status_code == 303
    response = form_post(signed_in, "/admin/weights", "/admin/weights", direct({x: "1" for x in AXES}, stale))
    assert response.status_code == 409 and "Another admin changed the weights draft" in response.text
    assert 'name="w_cost" value="70"' in response.text  # the winner's draft is shown
    publish = form_post(signed_in, "/admin/weights", "/admin/weights/publish", {"draft_version": stale})
    assert publish.status_code == 409


@pytest.mark.parametrize("attempt", range(10))  # issue 15: it failed once on PostgreSQL, with an IntegrityError
def test_two_admins_saving_at_once_one_wins_one_gets_409(client: TestClient, db: Database, attempt: int) -> None:
    make_admin(db)
    make_admin(db, "grace@example.org")
    other = TestClient(client.app, base_url="http://testserver")
    login(client)
    login(other, "grace@example.org", PASSWORD)
    forms = [(c, csrf_of(c.get("/admin/weights").text)) for c in (client, other)]
    barrier, statuses = threading.Barrier(2), []

    def save(pair: tuple[TestClient, str], values: dict[str, str]) -> None:
        barrier.wait()
        response = pair[0].post("/admin/weights", data={"csrf_token": pair[1], **direct(values, "0")},
                                follow_redirects=False)
        statuses.append(response.status_code)

    threads = [threading.Thread(target=save, args=(forms[0], COST_FIRST)),
               threading.Thread(target=save, args=(forms[1], {x: "1" for x in AXES}))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [303, 409]
    assert actions(db).count("weights.draft_saved") == 1


def test_audit_records_before_and_after_of_a_publish(signed_in: TestClient, db: Database, knowledge: Knowledge) -> None:
    form_post(signed_in, "/admin/weights", "/admin/weights", direct(COST_FIRST))
    form_post(signed_in, "/admin/weights", "/admin/weights/publish", {"draft_version": draft_version(signed_in)})
    with db.read() as session:
        event: Any = session.exec(select(AuditEvent).where(AuditEvent.action == "weights.published")).one()
    assert event.actor == "ada@example.org" and event.before["weights"] == knowledge.default_weights()
    assert event.after["version"] == 1 and abs(event.after["weights"]["cost"] - 0.7) < 1e-12


def test_preview_shows_the_draft_on_the_case_library(signed_in: TestClient, knowledge: Knowledge) -> None:
    """Issue 11 item 9: acceptable recommendations over the published cases, now and under the draft."""
    total = sum(float(v) for v in COST_FIRST.values())
    draft = {k: float(v) / total for k, v in COST_FIRST.items()}
    now, then = acceptable_with(knowledge, None), acceptable_with(knowledge, draft)
    assert now != then
    response = form_post(signed_in, "/admin/weights", "/admin/weights/preview", direct(COST_FIRST),
                         headers={"HX-Request": "true"})
    text = " ".join(response.text.split())
    assert f"On the case library of {len(knowledge.cases)} published cases: <strong>{now}</strong>" in text
    assert f"<strong>{then}</strong> with these" in text
