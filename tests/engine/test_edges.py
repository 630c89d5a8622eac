"""Branches the golden file never reaches: the clamped-score note, every approach blocked, counterfactuals under the
team's own cost assumptions."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from app.engine.bank import DATA_DIR
from app.engine.rules import APPROACHES, Knowledge, load_knowledge
from app.engine.scoring import evaluate, result_to_dict, score

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
CASES = {
    d["id"]: d["answers"]
    for name in ("public-scenarios.jsonl", "published-cases.jsonl")
    for d in map(json.loads, (FIXTURES / name).read_text(encoding="utf-8").splitlines())
}
# A domain-skill team with 10,000 expert examples, a large weekly-changing corpus and in-house ML (library case C101).
CLAMPED = {
    "gap_types": ["domain_skill", "knowledge"], "failure_mode": "cannot_solve", "task_stability": "stable_repetitive",
    "prompt_maturity": "adhoc", "eval_set": "100plus", "labeled_examples": 10000, "label_quality": "expert_reviewed",
    "knowledge_volume": "large_corpus", "knowledge_churn": "weekly", "citations_required": "no",
    "format_strictness": "moderate", "monthly_calls": 10000000, "fixed_prompt_tokens": 500,
    "data_sensitivity": "internal", "training_data_policy": "cloud_with_controls", "ml_capacity": "in_house",
    "time_to_first_version": "quarter", "model_switch_likelihood": "low", "raw_domain_text": "over_10b",
}
NOTE = " (a score hit its 0–10 limit, so the effect is smaller)"
G2_BLOCKS = 'blocks = [{ approaches = ["LORA", "FT_FULL", "HYBRID"] }]\ntext = "Lock evaluation samples first'


@pytest.fixture(scope="module")
def k() -> Knowledge:
    return load_knowledge()


def reasons(result: dict[str, Any]) -> list[dict[str, Any]]:
    return [*result["reasons_for"], *result["reasons_against"]]


def test_a_reason_whose_score_hit_its_limit_says_so(k: Knowledge) -> None:
    core = evaluate(k, CLAMPED)
    assert core.clamped == {("FT_FULL", "data")} and core.primary == "FT_FULL"  # FT_FULL's data score tops out at 10
    result = score(k, CLAMPED)
    noted = [r["question"] for r in reasons(result_to_dict(result)) if r["text"].endswith(NOTE)]
    # only a rule or answer that moved FT_FULL's data score may carry the note
    moved = {c.group for c in result.core.contributions if (c.approach, c.axis) == ("FT_FULL", "data") and c.delta}
    assert noted and set(noted) <= moved


def test_no_note_where_no_score_was_clamped(k: Knowledge) -> None:
    core = evaluate(k, CASES["S01"])
    assert not [p for p in core.clamped if p[0] in (core.primary, core.runner_up)]
    assert not [r for r in reasons(result_to_dict(score(k, CASES["S01"]))) if NOTE in r["text"]]


@pytest.fixture(scope="module")
def blocking_all(tmp_path_factory: pytest.TempPathFactory) -> Knowledge:
    """The shipped data with gate G2 (no evaluation set) blocking all six approaches."""
    data = tmp_path_factory.mktemp("all-blocked") / "data"
    shutil.copytree(DATA_DIR, data)
    rules = (data / "rules.toml").read_text(encoding="utf-8")
    assert G2_BLOCKS in rules
    every = ", ".join(f'"{a}"' for a in APPROACHES)
    rules = rules.replace(G2_BLOCKS, G2_BLOCKS.replace('"LORA", "FT_FULL", "HYBRID"', every))
    (data / "rules.toml").write_text(rules, encoding="utf-8")
    return load_knowledge(data)


def test_when_every_approach_is_blocked_the_best_total_is_shown(blocking_all: Knowledge) -> None:
    answers = {**CASES["S01"], "eval_set": "none", "deliverable": "feature"}  # no unknown to lower the label
    core = evaluate(blocking_all, answers)
    assert all(core.blocked[a] == ("G2",) or "G2" in core.blocked[a] for a in APPROACHES)
    assert core.ranking == () and core.runner_up is None and core.companion is None
    best = max(core.totals.values())
    assert core.primary == next(a for a in APPROACHES if core.totals[a] == best)
    assert len(set(core.totals.values())) > 1  # a real choice, not a tie in the fixed order
    result = score(blocking_all, answers)
    assert result.sensitivity.label == blocking_all.rules.confidence.only_feasible


def test_counterfactual_thresholds_follow_the_teams_cost_assumptions(k: Knowledge) -> None:
    """H02 (LoRA): below some volume prompting wins back; cheaper prompting (short outputs, a cached prefix) moves
    that volume up. (H01 served before: its flip on the fixed prompt's length is no longer monotonic around the
    provider's caching minimum, now that LoRA is costed on an open provider.)"""
    mine = {"output_tokens": 5, "cache_hit": 0.9}
    answers = CASES["H02"]
    found = {}
    for assumptions in (None, mine):
        result = score(k, answers, assumptions=assumptions)
        flip = next(c for c in result.sensitivity.counterfactuals if c.question == "monthly_calls")
        found[bool(assumptions)] = flip
        t = int(flip.threshold or 0)
        assert flip.change == "below" and result.core.primary == "LORA"
        assert evaluate(k, {**answers, "monthly_calls": t}, assumptions=assumptions).primary == flip.new_primary
        above = int(t * 1.002) + 1  # the bisection stops within 0.1 % (tests/engine/test_sensitivity.py)
        after = evaluate(k, {**answers, "monthly_calls": above}, assumptions=assumptions).primary
        assert after == result.core.primary != flip.new_primary
    assert (found[True].threshold or 0) > (found[False].threshold or 0)  # cheaper prompts move the threshold up
