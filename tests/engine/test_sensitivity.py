"""Margin, weight flips (closed form vs brute force), Monte-Carlo stability, counterfactuals (§6.6–6.7)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from app.engine import sensitivity
from app.engine.rules import APPROACHES, Knowledge, load_knowledge
from app.engine.scoring import evaluate, score

AXES = load_knowledge().axis_keys  # the shipped axes, in axes.toml order

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
CASES = {
    d["id"]: d
    for name in ("public-scenarios.jsonl", "published-cases.jsonl")
    for d in map(json.loads, (FIXTURES / name).read_text(encoding="utf-8").splitlines())
}


@pytest.fixture(scope="module")
def k() -> Knowledge:
    return load_knowledge()


def brute_force(scores: Any, weights: dict[str, float], top: str, run: str, axis: str) -> float | None:
    """The new weight of `axis` closest to the current one at which `run` overtakes `top` (grid 1e-4)."""
    w = weights[axis]
    best = None
    for step in range(10001):
        new = step / 10000
        scale = (1 - new) / (1 - w)
        ws = {x: (new if x == axis else weights[x] * scale) for x in AXES}
        gap = sum(ws[x] * (scores[top][x] - scores[run][x]) for x in AXES)
        runner_first = APPROACHES.index(run) < APPROACHES.index(top)
        if (gap < -1e-12 or (runner_first and gap <= 1e-12)) and (best is None or abs(new - w) < abs(best - w)):
            best = new
    return best


@pytest.mark.parametrize("sid", ["S01", "S02", "H02", "H12", "H19"])
def test_closed_form_flips_match_brute_force(k: Knowledge, sid: str) -> None:
    core = evaluate(k, CASES[sid]["answers"])
    weights = k.default_weights()
    flips = {f.axis: f for f in sensitivity.weight_flips(core.scores, weights, core.primary, core.runner_up or "")}
    assert flips, sid
    for axis in AXES:
        expected = brute_force(core.scores, weights, core.primary, core.runner_up or "", axis)
        if expected is None:
            assert axis not in flips
        else:
            assert flips[axis].flip_weight == pytest.approx(expected, abs=2e-4)
            assert flips[axis].new_primary == core.runner_up


def test_a_dominant_winner_has_no_flip(k: Knowledge) -> None:
    core = evaluate(k, CASES["S06"]["answers"])
    result = score(k, CASES["S06"]["answers"])
    assert not sensitivity.weight_flips(core.scores, k.default_weights(), core.primary, core.runner_up or "")
    assert result.sensitivity.dominant and result.sensitivity.min_flip is None


def test_flips_skip_an_axis_whose_weight_is_one(k: Knowledge) -> None:
    """Fit at weight 1 has no flip, and the axes after it still get theirs (the loop goes on past it)."""
    core = evaluate(k, CASES["S01"]["answers"])
    weights = {x: (1.0 if x == "fit" else 0.0) for x in AXES}
    found = {f.axis: f for f in sensitivity.weight_flips(core.scores, weights, "LORA", "PROMPT")}
    expected = {x: brute_force(core.scores, weights, "LORA", "PROMPT", x) for x in AXES if x != "fit"}
    assert found and set(found) == {x for x, e in expected.items() if e is not None}
    for axis, flip in found.items():
        assert flip.weight == 0.0 and flip.flip_weight == pytest.approx(expected[axis], abs=2e-4)
        assert flip.delta == flip.flip_weight and flip.new_primary == "PROMPT"


def test_monte_carlo_is_seeded_and_cached(k: Knowledge) -> None:
    weights = tuple(k.default_weights()[x] for x in AXES)
    order = k.rules.confidence.axis_order
    first = sensitivity.dirichlet(weights, 2000, 20.0, 20260101, order, AXES)
    sensitivity.dirichlet.cache_clear()
    second = sensitivity.dirichlet(weights, 2000, 20.0, 20260101, order, AXES)
    assert first == second and len(first) == 2000
    assert all(abs(sum(w) - 1) < 1e-9 for w in first[:50])
    assert sensitivity.dirichlet(weights, 2000, 20.0, 20260101, order, AXES) is second
    assert sensitivity.dirichlet(weights, 2000, 20.0, 7, order, AXES) != first


def test_monte_carlo_keeps_zero_weights_at_zero() -> None:
    weights = (0.5, 0.5, 0.0, 0.0, 0.0, 0.0)
    order = ("fit", "data", "speed", "risk", "change", "cost")
    draws = sensitivity.dirichlet(weights, 100, 20.0, 20260101, order, AXES)
    assert all(w[2:] == (0.0, 0.0, 0.0, 0.0) for w in draws)


def test_stability_counts_draws_where_the_primary_stays_first(k: Knowledge) -> None:
    core = evaluate(k, CASES["S01"]["answers"])
    draws = [tuple(1.0 if i == j else 0.0 for i in range(6)) for j in range(6)]
    firsts = []
    for w in draws:
        totals = {a: sum(wi * core.scores[a][x] for wi, x in zip(w, AXES)) for a in core.ranking}
        firsts.append(max(core.ranking, key=lambda a: (round(totals[a], 9), -APPROACHES.index(a))) == core.primary)
    assert sensitivity.stability(core.scores, core.ranking, core.primary, draws, AXES) == pytest.approx(sum(firsts) / 6)


def test_confidence_labels(k: Knowledge) -> None:
    n = k.rules.confidence.numbers
    high = n["high_margin"]  # calibrated on the case library (rules.toml)
    assert sensitivity.label(n, high, 0.9, 0.2) == "High"
    assert sensitivity.label(n, high, 0.9, None) == "High"
    assert sensitivity.label(n, high - 0.01, 0.9, 0.2) == "Medium"
    assert sensitivity.label(n, high, 0.9, 0.05) == "Medium"
    assert sensitivity.label(n, 6, 0.75, 0.05) == "Medium"
    assert sensitivity.label(n, 4, 0.99, 0.5) == "Low"
    assert score(k, CASES["S04"]["answers"]).sensitivity.label == "rule-based"
    assert score(k, CASES["H09"]["answers"]).sensitivity.label == "High (only feasible option)"


def test_confidence_thresholds_hold_at_equality(k: Knowledge) -> None:
    """High and Medium are reached at exactly their thresholds (rules.toml), and missed just below each one."""
    n = k.rules.confidence.numbers
    hm, hs, hf, mm, ms = (n[x] for x in ("high_margin", "high_stability", "high_flip", "medium_margin",
                                           "medium_stability"))
    below = lambda x: math.nextafter(x, -math.inf)  # noqa: E731
    assert sensitivity.label(n, hm, hs, hf) == "High"
    assert sensitivity.label(n, hm, hs, None) == "High"
    assert sensitivity.label(n, below(hm), hs, hf) == "Medium"
    assert sensitivity.label(n, hm, below(hs), hf) == "Medium"
    assert sensitivity.label(n, hm, hs, below(hf)) == "Medium"
    assert sensitivity.label(n, mm, ms, 0.0) == "Medium"
    assert sensitivity.label(n, below(mm), 1.0, None) == "Low"
    assert sensitivity.label(n, hm, below(ms), None) == "Low"
    assert mm < hm and ms < hs  # the bands nest


def test_margin_and_relative_margin(k: Knowledge) -> None:
    result = score(k, CASES["S01"]["answers"])
    core, s = result.core, result.sensitivity
    assert s.margin == pytest.approx(core.totals[core.primary] - core.totals[core.runner_up or ""])
    assert s.relative_margin == pytest.approx((s.margin or 0) / core.totals[core.primary])
    n, weights = k.rules.confidence.numbers, tuple(k.default_weights()[x] for x in AXES)
    draws = sensitivity.dirichlet(weights, int(n["mc_draws"]), n["mc_alpha"], int(n["mc_seed"]),
                                  k.rules.confidence.axis_order, AXES)
    stays = 0
    for d in draws:  # the primary stays first among the feasible: a higher total, or an equal one and earlier order
        totals = {a: sum(wi * core.scores[a][x] for wi, x in zip(d, AXES)) for a in core.ranking}
        stays += max(core.ranking, key=lambda a: (round(totals[a], 9), -APPROACHES.index(a))) == core.primary
    assert len(draws) == n["mc_draws"] and s.stability == pytest.approx(stays / len(draws))
    assert 0 < stays < len(draws)  # S01 is close enough for some draws to flip it


def test_single_choice_counterfactuals_change_the_primary(k: Knowledge) -> None:
    result = score(k, CASES["S01"]["answers"])
    found = {(c.question, c.answer): c for c in result.sensitivity.counterfactuals}
    assert found[("eval_set", "none")].new_primary == "PROMPT"
    assert found[("eval_set", "none")].via == "G2"
    for c in result.sensitivity.counterfactuals:
        if c.threshold is None:
            changed = evaluate(k, {**CASES["S01"]["answers"], c.question: c.answer})
            assert changed.primary == c.new_primary != result.core.primary


def test_multi_select_toggles_never_empty_the_set(k: Knowledge) -> None:
    result = score(k, {**CASES["S01"]["answers"], "gap_types": ["behavior"]})
    toggles = [c for c in result.sensitivity.counterfactuals if c.question == "gap_types"]
    assert toggles and all(c.answer for c in toggles) and all(c.change == "add" for c in toggles)
    assert any(c.via == "G1" and c.new_primary == "INTEGRATION" for c in toggles)


def test_numeric_thresholds_are_found_by_bisection(k: Knowledge) -> None:
    answers: dict[str, Any] = {
        "gap_types": ["behavior"], "failure_mode": "almost_right_long_prompt", "prompt_maturity": "systematic",
        "eval_set": "100plus", "labeled_examples": 1000, "label_quality": "expert_reviewed",
        "fixed_prompt_tokens": 3000, "monthly_calls": 1_000_000, "model_switch_likelihood": "low",
    }
    result = score(k, answers)
    found = [c for c in result.sensitivity.counterfactuals if c.threshold is not None]
    assert found
    for c in found:
        t = int(c.threshold or 0)
        assert evaluate(k, {**answers, c.question: t}).primary == c.new_primary
        inside = t + 1 if c.change == "below" else t - 1
        near = max(1, int(abs(t) * 0.001) + 1)
        probe = inside if abs(inside - t) <= near else t
        assert evaluate(k, {**answers, c.question: probe}).primary in (result.core.primary, c.new_primary)
    examples = [c for c in found if c.question == "labeled_examples"]
    assert examples and examples[0].change == "below" and examples[0].threshold == 49


def test_counterfactuals_skip_the_current_value(k: Knowledge) -> None:
    result = score(k, CASES["S03"]["answers"])
    assert all(c.answer != result.core.answers[c.question] for c in result.sensitivity.counterfactuals)
