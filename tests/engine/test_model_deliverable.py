"""Issue 11, the research-lab cases: a team whose deliverable is the model itself (G8, R9's model reading, G3's
exception). Each test fails on the rules before the change."""

from __future__ import annotations

from typing import Any

import pytest

from app.engine.rules import Knowledge, load_knowledge
from app.engine.scoring import evaluate

# A team shipping a feature that prompting serves well: few calls, a loose format, prompting not yet tried.
FEATURE: dict[str, Any] = {
    "gap_types": ["domain_skill"], "failure_mode": "not_observed", "task_stability": "stable_repetitive",
    "deliverable": "feature", "prompt_maturity": "none", "eval_set": "100plus", "labeled_examples": 5000,
    "label_quality": "expert_reviewed", "knowledge_volume": "none", "knowledge_churn": "rarely",
    "citations_required": "no", "format_strictness": "loose", "monthly_calls": 10_000, "fixed_prompt_tokens": 500,
    "data_sensitivity": "public", "training_data_policy": "cloud_ok", "ml_capacity": "in_house",
    "time_to_first_version": "weeks", "model_switch_likelihood": "low", "raw_domain_text": "none",
}
MODEL = {**FEATURE, "deliverable": "model"}


@pytest.fixture(scope="module")
def k() -> Knowledge:
    return load_knowledge()


def test_a_model_deliverable_rules_out_prompting_retrieval_and_the_hybrid(k: Knowledge) -> None:
    feature, model = evaluate(k, FEATURE), evaluate(k, MODEL)
    assert "G8" not in feature.gates and feature.primary == "PROMPT"
    assert "G8" in model.gates and model.primary in ("LORA", "FT_FULL")
    assert {a for a, gates in model.blocked.items() if "G8" in gates} == {"PROMPT", "RAG", "HYBRID"}


def test_a_model_that_must_learn_facts_alone_keeps_the_hybrid(k: Knowledge) -> None:
    facts = {**MODEL, "gap_types": ["knowledge"], "knowledge_volume": "large_corpus", "failure_mode": "wrong_facts"}
    core = evaluate(k, facts)
    assert "G8" not in core.blocked["HYBRID"] and "G8" in core.blocked["RAG"]
    both = evaluate(k, {**facts, "gap_types": ["knowledge", "domain_skill"]})
    assert "G8" in both.blocked["HYBRID"]


def test_retrieval_required_gives_way_when_the_model_is_the_deliverable(k: Knowledge) -> None:
    churn = {**FEATURE, "gap_types": ["knowledge", "domain_skill"], "knowledge_volume": "large_corpus",
             "knowledge_churn": "realtime", "failure_mode": "wrong_facts"}
    assert "G3" in evaluate(k, churn).gates
    model = evaluate(k, {**churn, "deliverable": "model"})
    assert "G3" not in model.gates and model.primary == "LORA"  # cheap, frequent adapter updates (FinGPT)


def test_a_model_built_from_a_large_corpus_continues_pretraining_before_failures_are_seen(k: Knowledge) -> None:
    corpus = {**MODEL, "raw_domain_text": "100m_to_10b"}
    core = evaluate(k, corpus)
    assert "R9" in core.combos and core.primary == "FT_FULL"
    assert "R9" not in evaluate(k, {**corpus, "deliverable": "feature"}).combos  # no failure seen: no R9
    assert "R9" not in evaluate(k, {**corpus, "gap_types": ["knowledge"]}).combos  # facts alone: not the domain


def test_continued_pretraining_weighs_against_adapters(k: Knowledge) -> None:
    r9 = next(c for c in k.rules.combos if c.id == "R9")
    assert "P11" in r9.sources  # Biderman et al.: adapters learn less from a raw corpus
    corpus = evaluate(k, {**MODEL, "raw_domain_text": "100m_to_10b"})
    plain = evaluate(k, MODEL)
    assert corpus.scores["LORA"]["fit"] < plain.scores["LORA"]["fit"] - 2
