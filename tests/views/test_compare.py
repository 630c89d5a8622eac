"""The compare view model: where the points moved, what else differs, and reading a pasted report link."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

import pytest

from app.engine.knowledge import Knowledge
from app.engine.scoring import result_to_dict, score
from app.views.compare import compare_context, view_token_in

from ..scenarios import ALL

TOKEN = "abcDEF0123456789_-abcDEF0123456789_-abcDEF0"  # 43 URL-safe characters


def snapshot_of(k: Knowledge, case: dict[str, Any], **answers: Any) -> dict[str, Any]:
    """A snapshot as the store builds it, scored now from a fixture's answers (with some answers replaced)."""
    given = {**case["answers"], **answers}
    result = result_to_dict(score(k, given))
    return {"team": "Team", "title": case["title"], "created_at": "2026-12-05T08:00:00+00:00", "answers": given,
            "weights": result["weights"], "rules_version": result["rules_version"],
            "engine_version": result["engine_version"], "result": result}


@pytest.mark.parametrize("text", [
    f"https://tunewise.example.org/r/{TOKEN}", f"http://127.0.0.1:8000/r/{TOKEN}.json", f"/r/{TOKEN}/",
    f"  {TOKEN}\n", f"https://tunewise.example.org/r/{TOKEN}?utm=x", f"https://tunewise.example.org/r/{TOKEN}#top",
])
def test_a_pasted_link_gives_its_token(text: str) -> None:
    assert view_token_in(text) == TOKEN


@pytest.mark.parametrize("text", ["", "report", f"/r/{TOKEN}x", f"/r/{TOKEN[:-1]}", f"/a/{TOKEN}/manage"])
def test_text_without_a_report_link_gives_none(text: str) -> None:
    assert view_token_in(text) is None


def test_an_answer_ticked_in_another_order_is_not_a_difference(knowledge: Knowledge) -> None:
    case = next(c for c in ALL if len(c["answers"].get("gap_types", [])) >= 2)
    a = snapshot_of(knowledge, case)
    b = snapshot_of(knowledge, case, gap_types=list(reversed(case["answers"]["gap_types"])))
    assert compare_context(a, b, knowledge.bank, date(2026, 12, 5))["answers"] == []


def test_changed_weights_rules_and_prices_are_listed_in_words(knowledge: Knowledge) -> None:
    a = snapshot_of(knowledge, ALL[0])
    b = copy.deepcopy(a)
    b["weights"] = {**a["weights"], "fit": a["weights"]["fit"] + 0.1}
    b["rules_version"] = "2099-01-01"
    b["result"]["cost"]["preset"] = {**a["result"]["cost"]["preset"], "as_of": "2099-01-01"}
    rows = {r["what"]: r for r in compare_context(a, b, knowledge.bank, date(2026, 12, 5))["settings"]}
    assert set(rows) == {"Weights", "Rules", "Prices"}
    assert rows["Weights"]["a"].startswith(f"Fit {round(100 * a['weights']['fit'])} %")
    assert rows["Rules"]["b"] == "2099-01-01" and "prices as of 2099-01-01" in rows["Prices"]["b"]


def test_an_approach_ruled_out_on_the_new_side_is_named_with_its_rule(knowledge: Knowledge) -> None:
    for case in ALL:
        a = snapshot_of(knowledge, case)
        old = a["result"]["primary"]
        for other in ALL:
            b = snapshot_of(knowledge, other)
            blocked = {x["id"]: x for x in b["result"]["approaches"]}.get(old, {})
            if b["result"]["primary"] != old and blocked.get("blocked"):
                drivers = compare_context(a, b, knowledge.bank, date(2026, 12, 5))["drivers"]
                assert drivers["gates"][0]["ruled"] == "out" and drivers["gates"][0]["texts"] == blocked["gate_texts"]
                return
    pytest.fail("no fixture pair where the first recommendation is ruled out on the second side")
