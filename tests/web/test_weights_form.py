"""The pure weight math of app/engine/weights.py (ROC, AHP, normalisation, the fast re-ranking) and the percent form
of app/web/weights_form.py."""

from __future__ import annotations

import json
import math

import pytest

from app.engine import weights as w
from app.engine.rules import Knowledge, load_knowledge
from app.engine.scoring import result_to_dict, score
from app.web import weights_form as wf

from ..stored import scenarios

AXES = load_knowledge().axis_keys  # the shipped axes, in axes.toml order

# decision-model.md §6.1, in the order of its table.
DM_AXES = ("fit", "data", "risk", "speed", "cost", "change")
DM_MATRIX = (
    (1, 1, 2, 2, 2, 4),
    (1, 1, 1, 1, 2, 2),
    (1 / 2, 1, 1, 1, 1, 2),
    (1 / 2, 1, 1, 1, 1, 2),
    (1 / 2, 1 / 2, 1, 1, 1, 1),
    (1 / 4, 1 / 2, 1 / 2, 1 / 2, 1, 1),
)


def judgments(matrix: tuple[tuple[float, ...], ...], axes: tuple[str, ...] = DM_AXES) -> dict[tuple[str, str], float]:
    return {(a, b): matrix[i][j] for i, a in enumerate(axes) for j, b in enumerate(axes) if j > i}


def test_roc_weights_for_six_axes() -> None:
    assert [round(x, 3) for x in w.roc_vector(6)] == [0.408, 0.242, 0.158, 0.103, 0.061, 0.028]
    assert math.isclose(sum(w.roc_vector(6)), 1.0)


def test_roc_follows_the_ranking() -> None:
    weights = w.roc_weights(["change", "fit", "data", "risk", "speed", "cost"])
    assert max(weights, key=weights.__getitem__) == "change" and round(weights["cost"], 3) == 0.028


def test_roc_refuses_a_shared_rank() -> None:
    with pytest.raises(ValueError):
        w.roc_weights(["fit", "fit", "data"])


def test_ahp_worked_example_of_the_decision_model() -> None:
    result = w.ahp(DM_AXES, judgments(DM_MATRIX))
    assert abs(result.cr - 0.017) <= 0.001
    assert abs(result.lambda_max - 6.108) <= 0.001 and abs(result.ci - 0.0215) <= 0.0005
    expected = (0.278, 0.199, 0.155, 0.155, 0.125, 0.088)
    assert [round(result.weights[a], 3) for a in DM_AXES] == list(expected)
    assert result.consistent and math.isclose(sum(result.weights.values()), 1.0)


def test_ahp_in_the_app_axis_order_gives_the_same_priorities() -> None:
    index = {a: i for i, a in enumerate(DM_AXES)}
    permuted = {(a, b): DM_MATRIX[index[a]][index[b]] for a, b in w.pairs(AXES)}
    result = w.ahp(AXES, permuted)
    assert round(result.weights["fit"], 3) == 0.278 and abs(result.cr - 0.017) <= 0.001


def test_an_inconsistent_matrix_is_refused_with_its_worst_pair_named() -> None:
    bad = [list(row) for row in DM_MATRIX]
    bad[0][5], bad[5][0] = 1 / 9, 9  # "change is extremely more important than fit" contradicts everything else
    result = w.ahp(DM_AXES, judgments(tuple(tuple(r) for r in bad)))
    assert result.cr >= 0.10 and not result.consistent
    assert result.worst_pair == ("fit", "change")


def test_a_perfectly_consistent_matrix_has_cr_zero() -> None:
    target = (0.4, 0.2, 0.1, 0.1, 0.1, 0.1)
    matrix = tuple(tuple(a / b for b in target) for a in target)
    result = w.ahp(DM_AXES, judgments(matrix))
    assert abs(result.cr) < 1e-9 and [round(result.weights[a], 6) for a in DM_AXES] == list(target)


@pytest.mark.parametrize("text, value", [("0.3", 0.3), (" 1 ", 1.0), ("0", 0.0), ("0,25", 0.25)])
def test_parse_weight_accepts_numbers_in_range(text: str, value: float) -> None:
    assert w.parse_weight(text) == (value, "")


@pytest.mark.parametrize("text", ["", "abc", "nan", "inf", "-0.1", "1.01", "1e9"])
def test_parse_weight_refuses_the_rest(text: str) -> None:
    number, problem = w.parse_weight(text)
    assert number is None and problem


def test_normalise_scales_to_one_and_refuses_all_zero() -> None:
    assert w.normalise({"a": 1, "b": 3}) == {"a": 0.25, "b": 0.75}
    with pytest.raises(ValueError):
        w.normalise({"a": 0, "b": 0})


def test_saaty_labels_round_trip() -> None:
    assert all(w.judgment_label(w.parse_judgment(c) or 0) == c for c in w.SAATY_CHOICES)
    assert w.parse_judgment("10") is None and w.parse_judgment("0") is None


def test_fit_guard_rail() -> None:
    assert w.fit_too_low({"fit": 0.2}) and not w.fit_too_low({"fit": 0.3})


WEIGHT_SETS = [
    None,
    {x: 1 / 6 for x in AXES},
    w.roc_weights(["fit", "data", "risk", "speed", "cost", "change"]),
    w.roc_weights(["cost", "speed", "change", "risk", "data", "fit"]),
    {"fit": 0.05, "data": 0.05, "speed": 0.05, "cost": 0.7, "risk": 0.1, "change": 0.05},
    {"fit": 0.0, "data": 0.0, "speed": 1.0, "cost": 0.0, "risk": 0.0, "change": 0.0},
]


@pytest.mark.parametrize("index", range(len(WEIGHT_SETS)))
def test_primary_under_agrees_with_a_full_score_on_every_fixture(knowledge: Knowledge, index: int) -> None:
    weights = WEIGHT_SETS[index] or knowledge.default_weights()
    places = int(knowledge.rules.confidence.numbers["tie_decimals"])
    for case in scenarios():
        stored = result_to_dict(score(knowledge, case["answers"]))  # stored with the default weights
        fast = w.primary_under(stored, weights, axes=AXES, tie_decimals=places)
        full = score(knowledge, case["answers"], weights=weights).core.primary
        assert fast == full, (case["id"], weights)


def test_the_weight_sets_above_do_change_some_primaries(knowledge: Knowledge) -> None:
    places = int(knowledge.rules.confidence.numbers["tie_decimals"])
    stored = [result_to_dict(score(knowledge, case["answers"])) for case in scenarios()]
    moved = sum(w.primary_under(p, WEIGHT_SETS[3] or {}, axes=AXES, tie_decimals=places) != p["primary"]
                for p in stored)
    assert moved >= 5  # so the agreement test above compares real changes, not only unchanged primaries


def test_rank_inputs_survive_json_and_give_what_compact_gives(knowledge: Knowledge) -> None:
    for case in scenarios():
        payload = result_to_dict(score(knowledge, case["answers"]))
        inputs = json.loads(json.dumps(w.rank_inputs(payload, AXES)))  # as read back from the database
        assert w.ranked_from_inputs(inputs, payload["primary"], AXES) == w.compact(payload, AXES), case["id"]


def test_rank_inputs_stored_in_another_axis_order_are_reordered(knowledge: Knowledge) -> None:
    payload = result_to_dict(score(knowledge, scenarios()[0]["answers"]))
    inputs = w.rank_inputs(payload, AXES)
    shuffled = list(reversed(inputs["axes"]))
    moved = {**inputs, "axes": shuffled, "approaches": [
        [r[0], r[1], *[r[2 + inputs["axes"].index(x)] for x in shuffled]] for r in inputs["approaches"]]}
    assert w.ranked_from_inputs(moved, payload["primary"], AXES) == w.compact(payload, AXES)


def test_rank_inputs_lacking_a_score_are_refused(knowledge: Knowledge) -> None:
    payload = result_to_dict(score(knowledge, scenarios()[0]["answers"]))
    del payload["approaches"][2]["scores"]["risk"]
    with pytest.raises(ValueError, match="lacks"):
        w.ranked_from_inputs(w.rank_inputs(payload, AXES), payload["primary"], AXES)


# ------------------------------------------------------------------ the percent form (app/web/weights_form.py)
LABELS = {x: x.capitalize() for x in AXES}


@pytest.mark.parametrize("text, value", [("20", 20.0), (" 16,9 ", 16.9), ("20 %", 20.0), ("0", 0.0), ("100", 100.0)])
def test_parse_percent_accepts_percentages(text: str, value: float) -> None:
    assert wf.parse_percent(text, "Fit") == (value, "")


@pytest.mark.parametrize("text, problem", [
    ("", "Enter a percentage for Fit, from 0 to 100"), ("abc", "Fit must be a number from 0 to 100, like 25"),
    ("100.5", "Fit must be between 0 and 100"), ("-1", "Fit must be between 0 and 100"),
    ("nan", "Fit must be between 0 and 100"), ("inf", "Fit must be between 0 and 100"),
])
def test_parse_percent_names_the_field_and_the_reason(text: str, problem: str) -> None:
    assert wf.parse_percent(text, "Fit") == (None, problem)


def test_percentages_are_scaled_to_one_and_the_typed_values_kept() -> None:
    typed = {x: "20" for x in AXES} | {AXES[-1]: "18"}
    parsed = wf.parse({"method": ["percent"], **{f"w_{x}": [v] for x, v in typed.items()}}, AXES, LABELS)
    assert not parsed.errors and parsed.typed == {x: float(v) for x, v in typed.items()}
    assert parsed.weights is not None and math.isclose(sum(parsed.weights.values()), 1.0)
    assert parsed.weights[AXES[0]] == pytest.approx(20 / 118)


def test_the_rescale_says_what_was_typed_and_what_is_used() -> None:
    found = wf.rescale({x: 20.0 for x in AXES} | {AXES[-1]: 18.0}, AXES, LABELS)
    assert found is not None and found.scaled and found.total == "118"
    assert found.rows[0] == (f"w_{AXES[0]}", LABELS[AXES[0]], "20", "16.9") and found.used[f"w_{AXES[-1]}"] == "15.3"
    exact = wf.rescale({x: 100 / len(AXES) for x in AXES}, AXES, LABELS)
    assert exact is not None and not exact.scaled and wf.total_sentence(exact).endswith("used as typed.")
    assert wf.rescale({x: 0.0 for x in AXES}, AXES, LABELS) is None
    assert wf.total_sentence(None).startswith("Total: —")


def test_prefill_shows_weights_as_percentages_that_give_them_back() -> None:
    weights = w.roc_weights(list(AXES))
    values = wf.prefill(weights, AXES)
    assert values[f"w_{AXES[0]}"] == "40.8" and wf.share(20.0) == "20" and wf.share(16.949) == "16.9"
    parsed = wf.parse({"method": ["percent"], **{f"w_{x}": [values[f"w_{x}"]] for x in AXES}}, AXES, LABELS)
    assert parsed.weights is not None
    assert all(abs(parsed.weights[x] - weights[x]) < 0.001 for x in AXES)  # one decimal of a percent
