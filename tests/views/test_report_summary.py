"""Issue 12, items 1, 3 and 6 as view models: the answer block, the comparison's short phrases said once, and the
one verdict, for every fixture scenario (public and published cases) and for a snapshot made by older rules."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest

from app.views.report import approach_labels, report_context
from app.views.report_compare import MAX_WORDS, sentences, short_phrase
from app.views.report_summary import TEAM_LEVERS, levers, verdict

from ..stored import scenarios
from . import test_report_page as page

CASES = {c["id"]: c for c in scenarios()}


def snap(sid: str) -> dict[str, Any]:
    """A stored-like snapshot of any fixture scenario (the page tests' helper, over every scenario)."""
    if sid not in {s["id"] for s in page.SCENARIOS}:
        page.SCENARIOS.append(CASES[sid])
    return page.snapshot(sid)


@pytest.mark.parametrize("sid", list(CASES))
def test_the_answer_block_has_every_part(sid: str) -> None:
    s = snap(sid)
    result = s["result"]
    summary = report_context(s, page.knowledge().bank)["summary"]
    assert summary["why"].endswith(".") and len(summary["why"].split(". ")) <= 2
    assert 1 <= len(summary["reasons"]) <= 3 and summary["risk"] and summary["first_step"]
    assert [c["role"] for c in summary["costs"]][0] == "recommended" and len(summary["costs"]) == 2
    assert len(summary["levers"]) <= 3
    if result["counterfactuals"] or result["weight_flips"]:
        assert summary["levers"], "something changes it, so the answer names a lever"
    groups = [lever["group"] for lever in summary["levers"]]
    assert groups == sorted(groups, key=["team", "fact", "weights"].index), "the team's own levers first"
    assert "weight draws" not in str(summary) and "flip" not in summary["verdict"]["confidence"]


def test_the_lever_the_team_controls_comes_first() -> None:
    """H19's 11 counterfactuals and 6 weight flips: the example count (a number the team can change) leads; the
    weights, which only an administrator sets, come last."""
    result = snap("H19")["result"]
    grouped = levers(result, approach_labels(result))
    assert grouped["team"][0]["text"].startswith("At or below ≈ 99 examples")
    assert len(grouped["weights"]) == len(result["weight_flips"])
    assert grouped["weights"][0]["who"].endswith("administrator")
    counted = sum(len(v) for v in grouped.values())
    assert counted == len(result["counterfactuals"]) + len(result["weight_flips"])
    team = {c["text"] + "." for c in result["counterfactuals"] if c["question"] in TEAM_LEVERS}
    assert {lever["text"] for lever in grouped["team"]} == team


@pytest.mark.parametrize("sid,kind,words", [
    # H20, not H19: with LoRA costed on an open provider (issue 12 item 7) H19's hybrid is a clear choice.
    ("H20", "close_call", "Close call: a small change in priorities would make it Prompting + retrieval (RAG)"),
    ("S01", "clear", "Clear choice"),
    ("H21", "rule_based", "Required by a hard rule: Integration"),
    ("S03", "only_feasible", "The only feasible option: a hard rule blocks every other approach"),
])
def test_the_verdict_in_plain_words(sid: str, kind: str, words: str) -> None:
    result = snap(sid)["result"]
    v = verdict(result, approach_labels(result))
    assert (v["kind"], v["confidence"]) == (kind, words)
    assert v["sentence"] == f"{v['recommendation']}. {words}."


@pytest.mark.parametrize("sid", list(CASES))
def test_every_cell_is_a_score_and_a_short_phrase(sid: str) -> None:
    context = report_context(snap(sid), page.knowledge().bank)
    compare = context["compare"]
    for row in compare["rows"]:
        for cell in row["cells"]:
            assert len(cell["short"].split()) <= MAX_WORDS
            assert cell["text"].startswith(cell["short"].removesuffix("…"))
    said = " ".join(f["text"] for row in compare["rows"] for f in row["full"])
    for note in compare["notes"]:
        assert note["text"] not in said, "a shared sentence is printed once, as its note"
        assert said.count(f"(See note {note['number']}.)") >= 2


def test_the_provider_timeline_is_said_once() -> None:
    """H19's price preset's provider takes no new tuning customers: its 70-word timeline sat in three Risk cells."""
    compare = report_context(snap("H19"), page.knowledge().bank)["compare"]
    timeline = [n for n in compare["notes"] if "no longer takes new tuning customers" in n["text"]]
    assert len(timeline) == 1
    html = page.render(snap("H19"))
    assert html.count("no longer takes new tuning customers (2026-05-07") == 1


def test_short_phrase() -> None:
    assert short_phrase("Days: indexing, chunking and retrieval tuning. More text here.") == (
        "Days: indexing, chunking and retrieval tuning.")
    long = "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen."
    assert short_phrase(long) == " ".join(long.split()[:15]) + "…"
    assert sentences("Priced at gpt-4.1-mini rates. Next.") == ["Priced at gpt-4.1-mini rates.", "Next."]


def test_a_snapshot_of_older_rules_still_renders() -> None:
    """Results stored before flips, counterfactuals, neighbours, axes lists or next steps existed."""
    s = snap("H20")  # a close call (see above)
    old = copy.deepcopy(s)
    for key in ("weight_flips", "counterfactuals", "neighbours", "axes", "next_steps", "advisories", "unknowns"):
        old["result"].pop(key, None)
    html = page.render(old)
    assert "Close call: a small change in priorities would make it Prompting + retrieval (RAG)" in html
    assert "Re-run the assessment when your situation changes." in html
    assert re.search(r"No single answer or weight change alters it", html)
