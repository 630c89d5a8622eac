"""The rule changes of issue 11: continued pre-training, retrieval plus a trained skill, consistency at volume,
and the published cases' say in the confidence. Each test fails on the rules before the change."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from app.engine import cases
from app.engine.rules import Knowledge, load_knowledge
from app.engine.scoring import evaluate, lowered, score

# A lab with a large raw domain corpus whose base model cannot do the domain's skill.
CPT: dict[str, Any] = {
    "gap_types": ["domain_skill"], "failure_mode": "cannot_solve", "task_stability": "stable_repetitive",
    "prompt_maturity": "systematic", "eval_set": "100plus", "labeled_examples": 0, "label_quality": "mixed",
    "knowledge_volume": "none", "knowledge_churn": "rarely", "citations_required": "no",
    "format_strictness": "moderate", "monthly_calls": 1_000_000, "fixed_prompt_tokens": 500,
    "data_sensitivity": "internal", "training_data_policy": "self_host_only", "ml_capacity": "in_house",
    "time_to_first_version": "quarter", "model_switch_likelihood": "low", "raw_domain_text": "over_10b",
}


@pytest.fixture(scope="module")
def k() -> Knowledge:
    return load_knowledge()


def test_continued_pretraining_makes_full_fine_tuning_reachable_with_few_labelled_pairs(k: Knowledge) -> None:
    core = evaluate(k, CPT)
    assert "G5" in core.gates and not core.blocked["FT_FULL"] and core.blocked["LORA"] == ("G5",)
    assert {"R9", "R10"} <= set(core.combos) and core.primary == "FT_FULL"
    without = evaluate(k, {**CPT, "raw_domain_text": "none"})
    assert without.blocked["FT_FULL"] == ("G5",) and without.primary != "FT_FULL"


def test_continued_pretraining_needs_in_house_capacity_and_a_domain_gap(k: Knowledge) -> None:
    assert "R9" not in evaluate(k, {**CPT, "ml_capacity": "managed_only"}).combos
    assert "R9" not in evaluate(k, {**CPT, "gap_types": ["behavior"], "failure_mode": "breaks_repeatedly"}).combos
    assert "R9" not in evaluate(k, {**CPT, "raw_domain_text": "under_100m"}).combos
    assert "R10" not in evaluate(k, {**CPT, "raw_domain_text": "100m_to_10b"}).combos


def test_retrieval_required_spares_full_fine_tuning_only_through_continued_pretraining(k: Knowledge) -> None:
    facts = {**CPT, "gap_types": ["domain_skill", "knowledge"], "knowledge_volume": "large_corpus",
             "labeled_examples": 2000}
    assert evaluate(k, facts).blocked["FT_FULL"] == ()
    assert evaluate(k, {**facts, "raw_domain_text": "none"}).blocked["FT_FULL"] == ("G3",)


def test_a_trained_domain_skill_with_retrieval_points_to_the_hybrid(k: Knowledge) -> None:
    team = {**CPT, "gap_types": ["domain_skill", "knowledge"], "knowledge_volume": "large_corpus",
            "knowledge_churn": "weekly", "labeled_examples": 20_000, "raw_domain_text": "none",
            "prompt_maturity": "adhoc", "training_data_policy": "cloud_with_controls", "ml_capacity": "managed_only"}
    core = evaluate(k, team)
    assert "R7" in core.combos and core.primary == "HYBRID"
    few = evaluate(k, {**team, "labeled_examples": 500})
    assert "R7" not in few.combos and few.primary == "RAG"


def test_a_strict_format_earns_tuning_credit_only_at_volume(k: Knowledge) -> None:
    team = {**CPT, "gap_types": ["behavior"], "failure_mode": "not_observed", "format_strictness": "strict_stable",
            "labeled_examples": 500, "raw_domain_text": "none", "training_data_policy": "cloud_ok"}
    assert "R8" in evaluate(k, {**team, "monthly_calls": 500_000}).combos
    low = evaluate(k, {**team, "monthly_calls": 20_000})
    assert "R8" not in low.combos and low.primary == "PROMPT"


def test_confidence_drops_a_level_when_the_nearest_cases_chose_otherwise(k: Knowledge) -> None:
    assert [lowered(x) for x in ("High", "High (only feasible option)", "Medium", "Low", "rule-based")] == [
        "Medium", "Medium", "Low", "Low", "rule-based"]
    near = cases.neighbours(k.cases, CPT, 3)
    assert cases.agree(near, near[0].case.expected, 1)
    assert not cases.agree(near, "INTEGRATION", 2)
    assert cases.agree((), "INTEGRATION", 2)
    empty = replace(k, cases=cases.Library())
    assert score(empty, CPT).neighbours_agree and score(empty, CPT).neighbours == ()


def test_a_case_is_never_its_own_neighbour(k: Knowledge) -> None:
    case = next(iter(k.cases))
    near = score(k, case.answers, exclude_case=case.id).neighbours
    assert near and case.id not in {n.case.id for n in near}
    assert case.id in {n.case.id for n in score(k, case.answers).neighbours}
