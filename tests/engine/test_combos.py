"""Combination rules R1–R6 (decision-model.md §6.3): when they apply and the deltas they add."""

from __future__ import annotations

from typing import Any

import pytest

from app.engine.model import Core
from app.engine.rules import Knowledge, load_knowledge
from app.engine.scoring import evaluate

BASE: dict[str, Any] = {"gap_types": ["behavior"], "labeled_examples": 500, "eval_set": "100plus"}


@pytest.fixture(scope="module")
def k() -> Knowledge:
    return load_knowledge()


def run(k: Knowledge, **changes: Any) -> Core:
    return evaluate(k, {**BASE, **changes})


def deltas(core: Core, rule: str) -> dict[str, float]:
    """The fit deltas a combination rule recorded, by approach."""
    return {c.approach: c.delta for c in core.contributions if c.group == rule and c.axis == "fit"}


def test_r1_prompting_plateaued(k: Knowledge) -> None:
    core = run(k, prompt_maturity="systematic", failure_mode="almost_right_long_prompt")
    assert "R1" in core.combos and deltas(core, "R1") == {"PROMPT": -3}
    assert "R1" not in run(k, prompt_maturity="adhoc", failure_mode="almost_right_long_prompt").combos
    assert "R1" not in run(k, prompt_maturity="systematic", failure_mode="wrong_facts").combos


def test_r2_needs_r1_and_a_behaviour_or_skill_gap(k: Knowledge) -> None:
    core = run(k, prompt_maturity="systematic", failure_mode="breaks_repeatedly")
    assert deltas(core, "R2") == {"RAG": -2, "LORA": 1, "FT_FULL": 1, "HYBRID": 1}
    other = run(k, gap_types=["knowledge"], prompt_maturity="systematic", failure_mode="breaks_repeatedly")
    assert "R1" in other.combos and "R2" not in other.combos


def test_r3_facts_still_wrong_after_good_prompts(k: Knowledge) -> None:
    core = run(k, gap_types=["knowledge"], prompt_maturity="systematic", failure_mode="wrong_facts")
    assert deltas(core, "R3") == {"PROMPT": -2, "RAG": 1, "HYBRID": 1}


def test_r4_domain_skill_beyond_prompting(k: Knowledge) -> None:
    core = run(k, gap_types=["domain_skill"], failure_mode="cannot_solve")
    assert deltas(core, "R4") == {"PROMPT": -1, "LORA": 3, "FT_FULL": 3, "HYBRID": 3}
    assert "R4" not in run(k, failure_mode="cannot_solve").combos


def test_r5_full_fine_tuning_exception(k: Knowledge) -> None:
    answers = {"gap_types": ["domain_skill"], "failure_mode": "cannot_solve", "ml_capacity": "in_house"}
    core = run(k, labeled_examples=10000, **answers)
    assert deltas(core, "R5") == {"FT_FULL": 4, "LORA": -2}
    assert "R5" not in run(k, labeled_examples=9999, **answers).combos
    assert "R5" not in run(k, labeled_examples=10000, **{**answers, "ml_capacity": "managed_only"}).combos


def test_r6_facts_and_skill_both_needed(k: Knowledge) -> None:
    both = {"gap_types": ["knowledge", "behavior"], "prompt_maturity": "systematic"}
    core = run(k, failure_mode="breaks_repeatedly", **both)
    assert deltas(core, "R6") == {"HYBRID": 3, "RAG": -4}
    assert "R6" not in run(k, failure_mode="wrong_facts", **both).combos
    assert "R6" not in run(k, gap_types=["knowledge"], prompt_maturity="systematic").combos
