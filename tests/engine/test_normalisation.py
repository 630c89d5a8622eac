"""Normalisation (§6.3, §6.5 step 5), totals (step 6) and the tie order (readings 9, 10, 29)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from app.engine.rules import APPROACHES, Knowledge, load_knowledge
from app.engine.scoring import _normalise, evaluate, fill_answers, finish, static_part

AXES = load_knowledge().axis_keys  # the shipped axes, in axes.toml order


@pytest.fixture(scope="module")
def k() -> Knowledge:
    return load_knowledge()


def rows(**fits: float) -> dict[str, dict[str, float]]:
    return {a: {"fit": fits.get(a, 0.0), "data": 5.0, "speed": 5.0, "risk": 5.0, "change": 5.0} for a in APPROACHES}


def test_fit_is_max_normalised_over_all_six() -> None:
    scores = rows(PROMPT=4, RAG=8, LORA=-2, FT_FULL=2)
    top, _ = _normalise(scores)
    assert top == 8
    assert [scores[a]["fit"] for a in APPROACHES] == [5.0, 10.0, 0.0, 2.5, 0.0, 0.0]


def test_fit_is_zero_when_no_raw_fit_is_positive() -> None:
    scores = rows(PROMPT=-1, RAG=0, LORA=-3)
    _normalise(scores)
    assert all(scores[a]["fit"] == 0 for a in APPROACHES)


def test_other_axes_are_clamped_and_clamps_are_noted() -> None:
    scores = rows(PROMPT=1)
    scores["LORA"]["data"], scores["RAG"]["risk"] = 12.0, -3.0
    _, clamped = _normalise(scores)
    assert scores["LORA"]["data"] == 10 and scores["RAG"]["risk"] == 0
    assert clamped == {("LORA", "data"), ("RAG", "risk")}


def test_scores_and_totals_stay_in_range(k: Knowledge) -> None:
    core = evaluate(k, {"gap_types": ["behavior", "domain_skill"], "labeled_examples": 5000})
    for a in APPROACHES:
        assert all(0 <= core.scores[a][x] <= 10 for x in AXES)
        assert 0 <= core.totals[a] <= 100
        expected = 10 * sum(k.default_weights()[x] * core.scores[a][x] for x in AXES)
        assert core.totals[a] == pytest.approx(expected)
    assert max(core.scores[a]["fit"] for a in APPROACHES) == pytest.approx(10)
    assert max(core.scores[a]["cost"] for a in APPROACHES) == pytest.approx(10)


def test_the_data_ladder_replaces_the_base_data_score(k: Knowledge) -> None:
    for n, lora in ((9, 0), (10, 2), (50, 5), (100, 7), (500, 8), (1000, 9)):
        core = evaluate(k, {"gap_types": ["behavior"], "labeled_examples": n, "label_quality": "mixed"})
        assert core.scores["LORA"]["data"] == max(0, lora - (1 if n >= 10 else 0))


def test_label_quality_is_ignored_below_ten_examples(k: Knowledge) -> None:
    core = evaluate(k, {"gap_types": ["behavior"], "labeled_examples": 5, "label_quality": "noisy_unknown"})
    assert "label_quality" in core.ignored
    assert not [c for c in core.contributions if c.question == "label_quality"]


def test_churn_is_ignored_without_knowledge_gap_or_content(k: Knowledge) -> None:
    ignored = evaluate(k, {"gap_types": ["behavior"], "knowledge_churn": "weekly"})
    kept = evaluate(k, {"gap_types": ["behavior"], "knowledge_churn": "weekly", "knowledge_volume": "fits_in_prompt"})
    assert "knowledge_churn" in ignored.ignored and "knowledge_churn" not in kept.ignored


def test_ties_follow_the_fixed_order(k: Knowledge) -> None:
    answers: dict[str, Any] = fill_answers(k, {"gap_types": ["behavior"], "labeled_examples": 500})
    st = static_part(k, answers, record=False)
    same = {a: {"fit": 5.0, "data": 5.0, "speed": 5.0, "risk": 5.0, "change": 5.0} for a in APPROACHES}
    blocked = {a: () for a in APPROACHES}
    weights = {"fit": 0.2, "data": 0.2, "speed": 0.2, "risk": 0.2, "change": 0.2, "cost": 0.0}
    core, _, _ = finish(k, replace(st, scores=same, blocked=blocked), weights, k.presets[k.default_preset], None)
    assert core.ranking == tuple(APPROACHES)
    assert core.primary == "PROMPT" and core.runner_up == "RAG"
