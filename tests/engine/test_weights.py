"""Axis weights (decision-model.md §4.1, §4.3, §6.1): typed numbers, ROC ranks, AHP, and re-ranking a stored result."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from app.engine import weights as w
from app.engine.bank import read_toml
from app.engine.rules import Knowledge, load_knowledge
from app.engine.scoring import evaluate, result_to_dict, score

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SCENARIOS = [
    json.loads(line)
    for name in ("public-scenarios.jsonl", "published-cases.jsonl")
    for line in (FIXTURES / name).read_text(encoding="utf-8").splitlines()
    if line.strip()
]
SAATY = [[1, 3, 5], [1 / 3, 1, 3], [1 / 5, 1 / 3, 1]]  # Saaty's textbook 3x3 example


@pytest.fixture(scope="module")
def k() -> Knowledge:
    return load_knowledge()


@pytest.fixture(scope="module")
def payloads(k: Knowledge) -> list[dict[str, Any]]:
    """Stored-result payloads of a few scenarios: a forced one (G1), blocked approaches, plain rankings."""
    return [result_to_dict(score(k, c["answers"])) for c in SCENARIOS[:8]]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0.25", (0.25, "")), (" 0,5 ", (0.5, "")), ("0", (0.0, "")), ("1", (1.0, "")),
        ("", (None, "Enter a weight from 0 to 1")), ("   ", (None, "Enter a weight from 0 to 1")),
        ("a quarter", (None, "Enter a number from 0 to 1, like 0.25")),
        ("1.0001", (None, "Enter a number from 0 to 1")), ("-0.1", (None, "Enter a number from 0 to 1")),
        ("nan", (None, "Enter a number from 0 to 1")), ("inf", (None, "Enter a number from 0 to 1")),
    ],
)
def test_parse_weight(text: str, expected: tuple[float | None, str]) -> None:
    assert w.parse_weight(text) == expected


def test_normalise_scales_to_one() -> None:
    assert w.normalise({"fit": 1, "cost": 3}) == {"fit": 0.25, "cost": 0.75}
    assert w.normalise({"fit": 0.0, "cost": 2e-9}) == {"fit": 0.0, "cost": 1.0}
    for bad in ({"fit": 0, "cost": 0}, {"fit": math.inf, "cost": 1}, {}):
        with pytest.raises(ValueError, match="^at least one weight must be above zero$"):
            w.normalise(bad)


def test_rank_order_centroid_weights() -> None:
    assert w.roc_vector(1) == [1.0]
    assert w.roc_vector(3) == pytest.approx([(1 + 1 / 2 + 1 / 3) / 3, (1 / 2 + 1 / 3) / 3, 1 / 9])
    assert w.roc_weights(["data", "fit"]) == {"data": 0.75, "fit": 0.25}
    with pytest.raises(ValueError, match="^need at least one rank$"):
        w.roc_vector(0)
    with pytest.raises(ValueError, match="^each axis must have its own rank$"):
        w.roc_weights(["fit", "data", "fit"])


@pytest.mark.parametrize(
    ("text", "value"), [("9", 9.0), (" 3 ", 3.0), ("1", 1.0), ("1/2", 0.5), ("1/9", 1 / 9), ("10", None),
                        ("1/1", None), ("0", None), ("1/10", None), ("2.0", None), ("", None)],
)
def test_judgments_are_read_on_the_saaty_scale(text: str, value: float | None) -> None:
    assert w.parse_judgment(text) == value


def test_judgment_labels() -> None:
    assert [w.judgment_label(x) for x in (9, 3, 1, 1 / 2, 1 / 3, 1 / 9)] == ["9", "3", "1", "1/2", "1/3", "1/9"]
    assert ("1/9", "1/8", "1/7", "1/6", "1/5", "1/4", "1/3", "1/2", *map(str, range(1, 10))) == w.SAATY_CHOICES


def test_pairs_and_the_reciprocal_matrix() -> None:
    assert w.pairs(["a", "b", "c"]) == [("a", "b"), ("a", "c"), ("b", "c")]
    assert w.build_matrix(["a", "b", "c"], {("a", "b"): 3, ("b", "c"): 0.5}) == [
        [1.0, 3, 1.0], [1 / 3, 1.0, 0.5], [1.0, 2.0, 1.0]]
    for bad in (0.0, -2.0, math.nan, math.inf):
        with pytest.raises(ValueError, match="^judgment a/b must be positive$"):
            w.build_matrix(["a", "b"], {("a", "b"): bad})


def test_the_principal_eigenvector_of_saatys_example() -> None:
    vector, lambda_max = w.principal_eigenvector(SAATY)
    assert vector == pytest.approx([0.6370, 0.2583, 0.1047], abs=5e-4) and math.fsum(vector) == pytest.approx(1)
    assert lambda_max == pytest.approx(3.0385, abs=5e-4)
    ci, cr = w.consistency_ratio(lambda_max, 3)
    assert ci == pytest.approx((lambda_max - 3) / 2) and cr == pytest.approx(ci / 0.58)


def test_a_consistent_matrix_gives_back_its_weights() -> None:
    weights = [0.4, 0.3, 0.2, 0.1]
    matrix = [[a / b for b in weights] for a in weights]
    vector, lambda_max = w.principal_eigenvector(matrix)
    assert vector == pytest.approx(weights, abs=1e-12) and lambda_max == pytest.approx(4, abs=1e-12)


def test_consistency_ratio_uses_saatys_random_index() -> None:
    assert w.consistency_ratio(2.5, 2) == (0.0, 0.0) and w.consistency_ratio(1.0, 1) == (0.0, 0.0)
    assert w.consistency_ratio(4.3, 4) == pytest.approx((0.1, 0.1 / 0.90))
    assert w.consistency_ratio(6.62, 6) == pytest.approx((0.124, 0.1))
    assert w.RANDOM_INDEX[5] == 1.24


def test_the_most_inconsistent_pair() -> None:
    weights = [0.4, 0.3, 0.2, 0.1]
    matrix = [[a / b for b in weights] for a in weights]
    matrix[1][3], matrix[3][1] = 1 / 2, 2.0  # b/d should be 3: off by a factor of 6
    assert w.most_inconsistent_pair(matrix, weights) == (1, 3)
    matrix[0][2], matrix[2][0] = 40.0, 1 / 40  # a/c should be 2: off by 20
    assert w.most_inconsistent_pair(matrix, weights) == (0, 2)


def test_ahp_of_a_whole_elicitation() -> None:
    result = w.ahp(["fit", "data", "cost"], {("fit", "data"): 3, ("fit", "cost"): 5, ("data", "cost"): 3})
    assert list(result.weights) == ["fit", "data", "cost"]
    assert list(result.weights.values()) == pytest.approx([0.6370, 0.2583, 0.1047], abs=5e-4)
    assert result.lambda_max == pytest.approx(3.0385, abs=5e-4) and result.cr == pytest.approx(0.0332, abs=5e-4)
    assert result.ci == pytest.approx(0.0193, abs=5e-4) and result.consistent
    assert result.worst_pair in w.pairs(["fit", "data", "cost"])
    # a chain 2, 2, 2 down fit > data > cost > risk, except data/risk answered 1/4 where 4 follows
    judged = {("fit", "data"): 2, ("fit", "cost"): 4, ("fit", "risk"): 8, ("data", "cost"): 2, ("data", "risk"): 1 / 4,
              ("cost", "risk"): 2}
    swung = w.ahp(["fit", "data", "cost", "risk"], judged)
    assert not swung.consistent and swung.worst_pair == ("data", "risk")


def test_consistency_is_judged_strictly_below_ten_percent() -> None:
    assert not w.Ahp({}, 3.0, 0.0, w.CR_LIMIT, ("a", "b")).consistent
    assert w.Ahp({}, 3.0, 0.0, math.nextafter(w.CR_LIMIT, 0), ("a", "b")).consistent


def test_the_fit_guard_rail_warns_below_a_quarter() -> None:
    assert not w.fit_too_low({"fit": w.FIT_WARNING}) and w.fit_too_low({"fit": math.nextafter(w.FIT_WARNING, 0)})
    assert w.fit_too_low({"data": 1.0}) and not w.fit_too_low({"fit": 0.1}, threshold=0.1)
    assert float(read_toml("axes.toml")["fit_warning"]) == w.FIT_WARNING  # the threshold axes.toml documents


def test_score_order_puts_cost_last(k: Knowledge) -> None:
    assert w.score_order(k.axis_keys) == [*k.scored_axes, "cost"]
    assert w.weight_vector(k.default_weights(), k.axis_keys) == tuple(
        k.default_weights()[x] for x in [*k.scored_axes, "cost"])


def test_stored_totals_and_primaries_match_the_engine(k: Knowledge, payloads: list[dict[str, Any]]) -> None:
    other = {x: (0.5 if x == "cost" else 0.5 / (len(k.axis_keys) - 1)) for x in k.axis_keys}
    places = int(k.rules.confidence.numbers["tie_decimals"])
    for payload in payloads:
        answers = payload["answers"]
        for weights in (k.default_weights(), other):
            core = evaluate(k, answers, weights)
            assert w.totals_under(payload, weights, k.axis_keys) == pytest.approx(core.totals, abs=1e-9)
            assert w.primary_under(payload, weights, axes=k.axis_keys, tie_decimals=places) == core.primary


def test_a_forced_primary_stays_and_all_blocked_takes_the_best_total(k: Knowledge) -> None:
    ranked = w.Ranked(("A", "B", "C"), (True, True, True), ((1.0, 2.0), (3.0, 1.0), (2.0, 2.5)), None)
    assert w.primary_of(ranked, (0.5, 0.5), 9) == "C"  # every approach blocked: the best total overall
    assert w.primary_of(ranked, (0.9, 0.1), 9) == "B"
    open_b = w.Ranked(("A", "B", "C"), (False, True, False), ranked.scores, None)
    assert w.primary_of(open_b, (0.9, 0.1), 9) == "C"
    assert w.primary_of(w.Ranked(ranked.ids, ranked.blocked, ranked.scores, "A"), (0.5, 0.5), 9) == "A"


def test_ties_go_to_the_first_approach_after_rounding() -> None:
    ranked = w.Ranked(("A", "B"), (False, False), ((1.0, 1.0), (1.0 + 1e-12, 1.0)), None)
    assert w.primary_of(ranked, (0.5, 0.5), 9) == "A"
    assert w.primary_of(ranked, (0.5, 0.5), 13) == "B"
    assert w.primary_of(w.Ranked(("A", "B"), (False, False), ((1.0, 1.0), (2.0, 1.0)), None), (0.5, 0.5), 9) == "B"


def test_totals_weigh_cost_last() -> None:
    ranked_scores = (2.0, 4.0, 8.0)
    assert w._total(ranked_scores, (0.5, 0.25, 0.25)) == pytest.approx(10 * (1 + 1 + 2))


def test_rank_inputs_round_trip(k: Knowledge, payloads: list[dict[str, Any]]) -> None:
    for payload in payloads:
        inputs = w.rank_inputs(payload, k.axis_keys)
        assert inputs["axes"] == w.score_order(k.axis_keys) and inputs["forced_by"] == payload["forced_by"]
        assert len(inputs["approaches"]) == 6 and all(len(r) == len(k.axis_keys) + 2 for r in inputs["approaches"])
        assert w.ranked_from_inputs(inputs, payload["primary"], k.axis_keys) == w.compact(payload, k.axis_keys)
    forced = [p for p in payloads if p["forced_by"]]
    assert forced and w.compact(forced[0], k.axis_keys).forced == forced[0]["primary"]
    assert all(w.compact(p, k.axis_keys).forced is None for p in payloads if not p["forced_by"])


def test_rank_inputs_stored_in_another_axis_order_are_reordered(k: Knowledge, payloads: list[dict[str, Any]]) -> None:
    payload = payloads[0]
    stored = list(reversed(w.score_order(k.axis_keys)))
    inputs = w.rank_inputs(payload, stored[::-1])
    at = [inputs["axes"].index(x) for x in stored]
    rows = [[r[0], r[1], *[r[2 + i] for i in at]] for r in inputs["approaches"]]
    moved = {**inputs, "axes": stored, "approaches": rows}
    assert w.ranked_from_inputs(moved, payload["primary"], k.axis_keys) == w.compact(payload, k.axis_keys)


def test_rank_inputs_with_a_missing_value_are_refused(k: Knowledge, payloads: list[dict[str, Any]]) -> None:
    inputs = w.rank_inputs(payloads[0], k.axis_keys)
    gap = {**inputs, "approaches": [[*inputs["approaches"][0][:-1], None], *inputs["approaches"][1:]]}
    short = {**inputs, "approaches": [inputs["approaches"][0][:-1], *inputs["approaches"][1:]]}
    for bad in (gap, short):
        with pytest.raises(ValueError, match="^an approach lacks its id, blocked flag or a score$"):
            w.ranked_from_inputs(bad, "PROMPT", k.axis_keys)
    empty = w.rank_inputs({"approaches": [{"id": "RAG"}]}, k.axis_keys)
    assert empty == {"axes": w.score_order(k.axis_keys), "forced_by": None,
                     "approaches": [["RAG", None, *[None] * len(k.axis_keys)]]}


def test_the_pair_furthest_off_either_way_is_the_most_inconsistent() -> None:
    weights = [0.4, 0.3, 0.2, 0.1]
    matrix = [[a / b for b in weights] for a in weights]
    matrix[0][1], matrix[1][0] = 4 / 9, 9 / 4  # a/b should be 4/3: three times too low
    matrix[2][3], matrix[3][2] = 8.0, 1 / 8  # c/d should be 2: four times too high, the worse of the two
    assert w.most_inconsistent_pair(matrix, weights) == (2, 3)
    matrix[0][3], matrix[3][0] = 40.0, 1 / 40  # a/d should be 4: ten times too high, first row, last column
    assert w.most_inconsistent_pair(matrix, weights) == (0, 3)


def test_a_stored_weight_set_of_zeros_falls_back_to_the_defaults(k: Knowledge) -> None:
    assert k.complete_weights({"fit": 0.0}) == k.default_weights()
    assert k.complete_weights({}) == k.default_weights()


def test_rank_inputs_of_a_payload_without_approaches(k: Knowledge) -> None:
    assert w.rank_inputs({}, k.axis_keys) == {"axes": w.score_order(k.axis_keys), "forced_by": None, "approaches": []}


def test_a_consistent_matrix_names_the_first_pair() -> None:
    weights = [0.5, 0.25, 0.125, 0.125]  # powers of two: every ratio exact, every pair strays by exactly 1
    matrix = [[a / b for b in weights] for a in weights]
    assert w.most_inconsistent_pair(matrix, weights) == (0, 1)
