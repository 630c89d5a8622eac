"""A seventh axis (tests/seventh_axis.py: one [[axes]] table, one base score per approach) reaches every part of
scoring: weights, normalisation, totals, ranking, Monte-Carlo stability, weight flips, texts and re-ranking."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from app.engine import sensitivity
from app.engine import weights as w
from app.engine.bank import BankError
from app.engine.rules import Knowledge, load_knowledge
from app.engine.scoring import check_weights, result_to_dict, score

from ..seventh_axis import BASE, HELP, KEY, WEIGHT, knowledge_with_seventh_axis

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
CASES = [json.loads(line) for line in (FIXTURES / "public-scenarios.jsonl").read_text(encoding="utf-8").splitlines()
         if line.strip()]


@pytest.fixture(scope="module")
def seven(tmp_path_factory: pytest.TempPathFactory) -> Knowledge:
    return load_knowledge(knowledge_with_seventh_axis(tmp_path_factory.mktemp("knowledge")))


@pytest.fixture(scope="module")
def six() -> Knowledge:
    return load_knowledge()


def only(k: Knowledge, axis: str) -> dict[str, float]:
    """All the weight on one axis."""
    return {x: float(x == axis) for x in k.axis_keys}


def test_seventh_axis_is_loaded_from_the_data(seven: Knowledge, six: Knowledge) -> None:
    assert seven.axis_keys == (*six.axis_keys, KEY)
    assert seven.scored_axes == (*six.scored_axes, KEY)
    assert seven.rules.base["INTEGRATION"][KEY] == BASE["INTEGRATION"]
    assert seven.rules.confidence.axis_order == (*six.rules.confidence.axis_order, KEY)  # drawn after the listed
    assert seven.default_weights()[KEY] == WEIGHT and sum(seven.default_weights().values()) == pytest.approx(1)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_seventh_axis_flows_everywhere_in_score(seven: Knowledge, case: dict[str, Any]) -> None:
    result = score(seven, case["answers"])
    data = result_to_dict(result)
    assert [a["key"] for a in data["axes"]] == list(seven.axis_keys) and set(data["weights"]) == set(seven.axis_keys)
    for row in data["approaches"]:
        assert row["scores"][KEY] == BASE[row["id"]]  # no answer delta touches it, and it lies inside [0, 10]
        expected = 10 * sum(result.weights[x] * row["scores"][x] for x in seven.axis_keys)
        assert row["total"] == pytest.approx(expected)
    assert all(texts[KEY] == HELP for texts in data["axis_text"].values())  # no template: the axis help
    inputs = w.rank_inputs(data, seven.axis_keys)
    assert inputs["axes"][-2:] == [KEY, "cost"]  # summed with the scored axes, before cost
    assert w.ranked_from_inputs(inputs, data["primary"], seven.axis_keys) == w.compact(data, seven.axis_keys)


def test_seventh_axis_weight_decides_the_ranking(seven: Knowledge) -> None:
    for case in CASES:
        result = score(seven, case["answers"], only(seven, KEY))
        if result.core.forced_by is None and result.core.ranking:
            best = max(BASE[a] for a in result.core.ranking)
            assert BASE[result.core.primary] == best, case["id"]
    answers = CASES[0]["answers"]
    assert score(seven, answers, only(seven, KEY)).core.primary != score(seven, answers).core.primary


def test_seventh_axis_reaches_the_sensitivity_analysis(seven: Knowledge) -> None:
    flips = {f.axis for case in CASES for f in score(seven, case["answers"]).sensitivity.flips}
    assert KEY in flips
    n, order = seven.rules.confidence.numbers, seven.rules.confidence.axis_order
    weights = tuple(seven.default_weights().values())
    draws = sensitivity.dirichlet(weights, 50, n["mc_alpha"], int(n["mc_seed"]), order, seven.axis_keys)
    assert all(len(d) == 7 and d[-1] > 0 and sum(d) == pytest.approx(1) for d in draws)
    core = score(seven, CASES[0]["answers"]).core
    pick = [tuple(float(i == j) for i in range(7)) for j in range(7)]  # each axis alone
    alone = sensitivity.stability(core.scores, core.ranking, core.primary, pick, seven.axis_keys)
    assert alone == pytest.approx(sum(score(seven, CASES[0]["answers"], only(seven, x)).core.primary == core.primary
                                      for x in seven.axis_keys) / 7)


def test_seventh_axis_weights_are_checked_and_old_sets_completed(seven: Knowledge, six: Knowledge) -> None:
    with pytest.raises(ValueError, match=KEY):
        check_weights(seven, six.default_weights())  # a six-axis set cannot score on seven axes as it is
    stored = {**{x: 0.0 for x in six.axis_keys}, "fit": 0.5, "cost": 0.5}  # published before the axis existed
    completed = seven.complete_weights(stored)
    assert list(completed) == list(seven.axis_keys) and completed[KEY] == WEIGHT
    assert completed["fit"] == completed["cost"] == pytest.approx((1 - WEIGHT) / 2)
    assert sum(completed.values()) == pytest.approx(1)
    assert six.complete_weights(six.default_weights()) == six.default_weights()  # today's axes: unchanged
    assert six.complete_weights(seven.default_weights()) == pytest.approx(six.default_weights())  # axis removed


def test_seventh_axis_text_table_needs_approach_texts(tmp_path: Path) -> None:
    data = knowledge_with_seventh_axis(tmp_path)
    rules = data / "rules.toml"
    table = f'\n[axis_text.{KEY}]\ndefault = "{{static}}."\n'
    rules.write_text(rules.read_text(encoding="utf-8") + table, encoding="utf-8")
    with pytest.raises(BankError, match=f"axis_text {KEY}: not an axis the approaches describe"):
        load_knowledge(data)


def test_seventh_axis_without_a_base_score_is_refused(tmp_path: Path) -> None:
    data = knowledge_with_seventh_axis(tmp_path)
    rules = data / "rules.toml"
    rules.write_text(rules.read_text(encoding="utf-8").replace(f"{KEY} = {BASE['RAG']}, ", "", 1), encoding="utf-8")
    with pytest.raises(BankError, match=f"base RAG.{KEY}"):
        load_knowledge(data)
