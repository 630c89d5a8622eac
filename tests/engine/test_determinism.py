"""Scoring is deterministic and pure: same answers, same result; no global randomness touched."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest

from app.engine.rules import Knowledge, load_knowledge
from app.engine.scoring import result_to_dict, score
from app.engine.sensitivity import dirichlet

AXES = load_knowledge().axis_keys  # the shipped axes, in axes.toml order

ANSWERS: dict[str, Any] = {
    "gap_types": ["behavior", "knowledge"], "failure_mode": "breaks_repeatedly", "prompt_maturity": "systematic",
    "eval_set": "100plus", "labeled_examples": 800, "knowledge_volume": "large_corpus", "monthly_calls": 250000,
}
KEYS = {
    "engine_version", "rules_version", "primary", "companion", "runner_up", "forced_by", "confidence", "weights",
    "axes", "approaches", "ranking", "gates", "combos", "weight_flips", "dominant", "reasons_for",
    "reasons_against", "counterfactuals", "advisories", "next_steps", "cost", "axis_text", "answers",
}


@pytest.fixture(scope="module")
def k() -> Knowledge:
    return load_knowledge()


def test_same_answers_give_the_same_result(k: Knowledge) -> None:
    first = json.dumps(result_to_dict(score(k, ANSWERS)), sort_keys=True)
    dirichlet.cache_clear()
    second = json.dumps(result_to_dict(score(k, dict(reversed(list(ANSWERS.items()))))), sort_keys=True)
    assert first == second


def test_scoring_leaves_global_randomness_alone(k: Knowledge) -> None:
    random.seed(1)
    state = random.getstate()
    dirichlet.cache_clear()
    score(k, ANSWERS)
    assert random.getstate() == state


def test_the_result_carries_every_report_key(k: Knowledge) -> None:
    data = result_to_dict(score(k, ANSWERS))
    assert set(data) >= KEYS
    assert set(data["confidence"]) >= {"label", "margin", "relative_margin", "stability", "min_flip"}
    assert set(data["weights"]) == set(AXES)
    assert set(data["cost"]) >= {"preset", "assumptions", "monthly", "break_even", "lines"}
    assert set(data["axis_text"]["LORA"]) == set(AXES)
    assert all(r["sources"] and r["question_label"] and r["text"] for r in data["reasons_for"])


def _json_types(value: Any) -> bool:
    if isinstance(value, dict):
        return all(isinstance(k, str) and _json_types(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_json_types(v) for v in value)
    return value is None or isinstance(value, (str, int, float, bool))


def test_the_result_uses_only_json_types(k: Knowledge) -> None:
    assert _json_types(result_to_dict(score(k, ANSWERS)))


def test_weights_and_prices_change_the_result_only_through_inputs(k: Knowledge) -> None:
    vertex = k.presets["vertex-gemini-2.0-flash"]
    data = result_to_dict(score(k, ANSWERS, prices=vertex, assumptions={"output_tokens": 20}))
    assert data["cost"]["preset"]["id"] == vertex.id and data["cost"]["assumptions"]["output_tokens"] == 20
    assert not any(a["id"] == "A4" for a in data["advisories"])
    equal = {x: 1 / 6 for x in AXES}
    assert result_to_dict(score(k, ANSWERS, weights=equal))["weights"] == pytest.approx(equal)
    with pytest.raises(ValueError):
        score(k, ANSWERS, weights={"fit": 1.0})


def test_risk_text_names_the_providers_tuning_availability() -> None:
    from app.engine.rules import load_knowledge
    from app.engine.scoring import result_to_dict, score

    knowledge = load_knowledge()
    openai = result_to_dict(score(knowledge, {"gap_types": ["behavior"]}))
    assert "no longer takes new tuning customers" in openai["axis_text"]["LORA"]["risk"]
    assert "2026-05-07" in openai["axis_text"]["LORA"]["risk"]
    vertex = result_to_dict(
        score(knowledge, {"gap_types": ["behavior"]}, prices=knowledge.presets["vertex-gemini-2.0-flash"])
    )
    assert "still takes new tuning customers" in vertex["axis_text"]["HYBRID"]["risk"]
