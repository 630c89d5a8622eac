"""Answers the team does not know yet (issue 11 item 1): scored at the default, probed at every other value."""

from __future__ import annotations

from typing import Any

import pytest

from app.engine import unknowns
from app.engine.model import UNKNOWN, Kind
from app.engine.rules import Knowledge, load_knowledge
from app.engine.scoring import result_to_dict, score

KNOWN: dict[str, Any] = {
    "gap_types": ["behavior"], "failure_mode": "breaks_repeatedly", "task_stability": "stable_repetitive",
    "prompt_maturity": "systematic", "eval_set": "100plus", "labeled_examples": 5000,
    "label_quality": "expert_reviewed", "knowledge_volume": "none", "knowledge_churn": "rarely",
    "citations_required": "no", "format_strictness": "strict_stable", "monthly_calls": 2_000_000,
    "fixed_prompt_tokens": 6000, "data_sensitivity": "internal", "training_data_policy": "cloud_with_controls",
    "ml_capacity": "managed_only", "time_to_first_version": "weeks", "model_switch_likelihood": "low",
    "raw_domain_text": "none", "deliverable": "feature",
}


@pytest.fixture(scope="module")
def k() -> Knowledge:
    return load_knowledge()


def test_an_omitted_answer_and_unknown_score_alike_and_both_are_reported(k: Knowledge) -> None:
    omitted = {q: v for q, v in KNOWN.items() if q != "eval_set"}
    a, b = result_to_dict(score(k, omitted)), result_to_dict(score(k, {**KNOWN, "eval_set": UNKNOWN}))
    assert a["primary"] == b["primary"] and a["answers"]["eval_set"] == b["answers"]["eval_set"] == UNKNOWN
    assert [u["question"] for u in a["unknowns"]] == ["eval_set"] == [u["question"] for u in b["unknowns"]]
    assert a["unknowns"][0]["scored_as"] == k.bank.questions["eval_set"].default


def test_an_unknown_that_would_change_the_primary_is_named_with_its_answer_and_approach(k: Knowledge) -> None:
    result = result_to_dict(score(k, {**KNOWN, "eval_set": UNKNOWN}))
    probe = result["unknowns"][0]
    assert probe["depends"], "no evaluation set (G2) would rule tuning out"
    none = next(a for a in probe["alternatives"] if a["answer"] == "none")
    assert none["primary"] != result["primary"] and none["via"] == "G2"
    assert probe["text"].startswith(k.bank.questions["eval_set"].label + ": if None, ")
    assert result["confidence"]["label"] != "High"


def test_an_unknown_is_never_listed_as_a_counterfactual(k: Knowledge) -> None:
    result = result_to_dict(score(k, {**KNOWN, "eval_set": UNKNOWN}))
    assert all(c["question"] != "eval_set" for c in result["counterfactuals"])
    assert any(c["question"] == "eval_set" for c in result_to_dict(score(k, KNOWN))["counterfactuals"])


def test_one_answer_and_nothing_else_never_gives_high(k: Knowledge) -> None:
    for gap in ("behavior", "knowledge", "domain_skill", "undefined"):
        label = score(k, {"gap_types": [gap]}).sensitivity.label
        assert not label.startswith("High"), gap


def test_high_is_capped_when_more_answers_are_unknown_than_the_limit(k: Knowledge) -> None:
    limit = int(k.rules.confidence.numbers["max_unknown_for_high"])
    probes = [unknowns.Unknown(f"q{i}", "x", ()) for i in range(limit + 1)]
    assert unknowns.capped("High", probes[:limit], k.rules.confidence.numbers, "High", "Medium") == "High"
    assert unknowns.capped("High", probes, k.rules.confidence.numbers, "High", "Medium") == "Medium"
    flip = [unknowns.Unknown("q", "x", (unknowns.Alternative("y", "RAG", None),))]
    n = k.rules.confidence.numbers
    assert unknowns.capped("High (only feasible option)", flip, n, "High", "Medium") == "Medium"
    assert unknowns.capped("Low", flip, k.rules.confidence.numbers, "High", "Medium") == "Low"


def test_numbers_are_probed_at_every_decade_in_range_and_options_at_every_option(k: Knowledge) -> None:
    calls = k.bank.questions["monthly_calls"]
    assert unknowns.probe_values(calls) == (0, *(10**e for e in range(13)))
    tokens = k.bank.questions["fixed_prompt_tokens"]
    assert max(unknowns.probe_values(tokens)) <= tokens.maximum
    single = next(q for q in k.bank.questions.values() if q.kind is Kind.SINGLE)
    assert unknowns.probe_values(single) == tuple(single.option_values())
    with pytest.raises(ValueError):
        unknowns.probe_values(k.bank.questions["gap_types"])


def test_gap_types_cannot_be_unknown(k: Knowledge) -> None:
    with pytest.raises(ValueError):
        score(k, {**KNOWN, "gap_types": UNKNOWN})
