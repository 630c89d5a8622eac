"""Properties of the engine's inputs: axis weights and the team's cost assumptions, valid ones accepted and
normalised as documented, invalid ones refused with their message (derandomised: the same examples every run)."""

from __future__ import annotations

import math
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.engine import cost, weights
from app.engine.rules import load_knowledge
from app.engine.scoring import check_weights

K = load_knowledge()
AXES = K.axis_keys
V = K.presets[K.default_preset].values
WEIGHTS_MESSAGE = re.escape(f"weights must give each of {list(AXES)} a non-negative weight, summing to 1")
COST_MESSAGE = "^cost assumptions must be non-negative and the cache-hit share within \\[0, 1\\]$"
SETTINGS = settings(max_examples=60, derandomize=True, deadline=None)

raw_weights = st.lists(st.floats(0, 100, allow_nan=False), min_size=len(AXES), max_size=len(AXES)).filter(
    lambda xs: math.fsum(xs) > 1e-3)


@SETTINGS
@given(raw_weights)
def test_normalised_weights_are_accepted_as_given(xs: list[float]) -> None:
    normalised = weights.normalise(dict(zip(AXES, xs)))
    assert math.fsum(normalised.values()) == pytest.approx(1)
    assert all(normalised[x] == pytest.approx(v / math.fsum(xs)) for x, v in zip(AXES, xs))
    shuffled = dict(reversed(normalised.items()))
    assert list(check_weights(K, shuffled)) == list(AXES)  # returned in axes.toml order, values untouched
    assert check_weights(K, shuffled) == normalised


@SETTINGS
@given(raw_weights, st.floats(1e-5, 10).map(lambda d: 1 + d) | st.floats(0.01, 1 - 1e-5))
def test_weights_that_do_not_sum_to_one_are_refused(xs: list[float], total: float) -> None:
    scaled = {x: v * total for x, v in weights.normalise(dict(zip(AXES, xs))).items()}
    with pytest.raises(ValueError, match=WEIGHTS_MESSAGE):
        check_weights(K, scaled)


@SETTINGS
@given(raw_weights, st.sampled_from(AXES), st.floats(1e-6, 1))
def test_a_negative_weight_is_refused_even_when_the_sum_is_one(xs: list[float], axis: str, minus: float) -> None:
    w = weights.normalise(dict(zip(AXES, xs)))
    other = next(x for x in AXES if x != axis)
    w[other] += w[axis] + minus
    w[axis] = -minus
    assert math.fsum(w.values()) == pytest.approx(1)
    with pytest.raises(ValueError, match=WEIGHTS_MESSAGE):
        check_weights(K, w)


@SETTINGS
@given(raw_weights, st.sampled_from(AXES))
def test_weights_must_name_every_axis_and_no_other(xs: list[float], axis: str) -> None:
    w = weights.normalise(dict(zip(AXES, xs)))
    share = w.pop(axis)
    with pytest.raises(ValueError, match=WEIGHTS_MESSAGE):
        check_weights(K, w)
    with pytest.raises(ValueError, match=WEIGHTS_MESSAGE):
        check_weights(K, {**w, "colour": share})


def test_missing_weights_take_the_defaults_and_sums_pass_within_rounding() -> None:
    assert check_weights(K, None) == K.default_weights()
    near = dict(K.default_weights())
    near[AXES[0]] += 5e-7
    assert check_weights(K, near) == near


assumptions = st.fixed_dictionaries({}, optional={
    "user_tokens": st.floats(0, 1e5), "output_tokens": st.floats(0, 1e5), "retrieved_tokens": st.floats(0, 1e5),
    "cache_hit": st.floats(0, 1), "retrains": st.floats(0, 52),
})


@SETTINGS
@given(assumptions, st.integers(0, 5000), st.booleans())
def test_valid_cost_assumptions_are_used_as_given(mine: dict[str, float], fixed: int, frequent: bool) -> None:
    pc = cost.per_call(V, fixed, frequent, mine)
    hit = V["cache_hit"] if fixed >= V["cache_min_tokens"] else 0.0
    retrains = V["retrains_frequent"] if frequent else V["retrains"]
    defaults = {"user_tokens": V["user_tokens"], "output_tokens": V["output_tokens"],
                "retrieved_tokens": V["retrieved_tokens"], "cache_hit": hit, "retrains": retrains}
    assert pc == cost.PerCall(**{**defaults, **mine})


@SETTINGS
@given(assumptions, st.sampled_from(["user_tokens", "output_tokens", "retrieved_tokens", "cache_hit", "retrains"]),
       st.floats(1e-9, 1e6))
def test_negative_cost_assumptions_are_refused(mine: dict[str, float], key: str, minus: float) -> None:
    with pytest.raises(ValueError, match=COST_MESSAGE):
        cost.per_call(V, 800, False, {**mine, key: -minus})


@SETTINGS
@given(assumptions, st.floats(1 + 1e-9, 1e3))
def test_a_cache_hit_share_above_one_is_refused(mine: dict[str, float], share: float) -> None:
    with pytest.raises(ValueError, match=COST_MESSAGE):
        cost.per_call(V, 800, False, {**mine, "cache_hit": share})


@SETTINGS
@given(assumptions, st.text(st.characters(categories=["Ll"]), min_size=1, max_size=12))
def test_unknown_cost_assumptions_are_named(mine: dict[str, float], name: str) -> None:
    if name in cost.OVERRIDES or name == "retrains":
        return
    with pytest.raises(ValueError, match=re.escape(f"unknown cost assumptions: {[name]}")):
        cost.per_call(V, 800, False, {**mine, name: 1.0})
