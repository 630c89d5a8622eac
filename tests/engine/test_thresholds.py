"""Every numeric threshold of the rules at equality: `min = N` holds at N, `below = N` does not; ladder bands start at
their bound. The thresholds are read from the shipped rules.toml, so a deliberate change there updates no test."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest

from app.engine.bank import read_toml
from app.engine.conditions import Checker
from app.engine.rules import Knowledge, load_knowledge
from app.engine.scoring import evaluate, fill_answers
from app.engine.static import _ladder, cached_static

RULES = read_toml("rules.toml")


def numeric_conditions(node: Any) -> Iterator[dict[str, Any]]:
    """Every `{ q = ..., min|below = N }` table anywhere in rules.toml."""
    if isinstance(node, dict):
        if "q" in node and ("min" in node or "below" in node):
            yield node
        for value in node.values():
            yield from numeric_conditions(value)
    elif isinstance(node, list):
        for item in node:
            yield from numeric_conditions(item)


CONDITIONS = list(numeric_conditions(RULES))


@pytest.fixture(scope="module")
def k() -> Knowledge:
    return load_knowledge()


def holds(k: Knowledge, condition: dict[str, Any], value: int) -> bool:
    """The compiled condition on an answer of `value`."""
    problems: list[str] = []
    predicate = Checker(k.bank, {}, problems).cond(condition, "test")
    assert problems == []
    return predicate(SimpleNamespace(answers={condition["q"]: value}))  # type: ignore[arg-type]


def test_the_rules_compare_numbers() -> None:
    assert len(CONDITIONS) >= 5 and {"min", "below"} <= {op for c in CONDITIONS for op in c if op != "q"}


@pytest.mark.parametrize("condition", CONDITIONS, ids=lambda c: f"{c['q']}-{next(op for op in c if op != 'q')}")
def test_each_numeric_condition_at_its_threshold(k: Knowledge, condition: dict[str, Any]) -> None:
    if "min" in condition:
        n = condition["min"]
        assert holds(k, condition, n) and holds(k, condition, n + 1) and not holds(k, condition, n - 1)
    else:
        n = condition["below"]
        assert not holds(k, condition, n) and not holds(k, condition, n + 1) and holds(k, condition, n - 1)


def test_the_thresholds_the_rules_record_are_those_of_rules_toml(k: Knowledge) -> None:
    listed: dict[str, set[float]] = {}
    for c in CONDITIONS:
        listed.setdefault(c["q"], set()).add(float(c.get("min", c.get("below"))))
    listed.setdefault(RULES["ladder"]["question"], set()).update(float(b) for b in RULES["ladder"]["bounds"])
    assert {q: set(t) for q, t in k.rules.breakpoints.items()} == listed


@pytest.mark.parametrize("index", range(len(RULES["ladder"]["bounds"])))
def test_each_ladder_band_starts_at_its_bound(k: Knowledge, index: int) -> None:
    ladder = k.rules.ladder
    bound = ladder.bounds[index]
    for n, band in ((bound, index + 1), (bound - 1, index)):
        scores: dict[str, dict[str, float]] = {a: {ladder.axis: -1.0} for a in ladder.scores}
        _ladder(k, {ladder.question: n}, scores, None)
        assert {a: s[ladder.axis] for a, s in scores.items()} == {a: v[band] for a, v in ladder.scores.items()}


def test_the_static_cache_tells_each_threshold_apart(k: Knowledge) -> None:
    base = fill_answers(k, {"gap_types": ["behavior"]})
    for q, points in k.rules.breakpoints.items():
        for t in points:
            memo: dict[tuple[Any, ...], Any] = {}
            at, under = cached_static(k, {**base, q: int(t)}, memo), cached_static(k, {**base, q: int(t) - 1}, memo)
            assert len(memo) == 2 and at is not under, (q, t)
            cached_static(k, {**base, q: int(t) + 1}, memo)
            assert len(memo) == 2 or int(t) + 1 in points


def test_g5_blocks_tuning_below_its_floor_only(k: Knowledge) -> None:
    floor = next(g for g in RULES["gates"] if g["id"] == "G5")["when"][0]["below"]
    answers = {"gap_types": ["behavior"], "eval_set": "100plus", "failure_mode": "breaks_repeatedly"}
    assert "G5" in evaluate(k, {**answers, "labeled_examples": floor - 1}).gates
    assert "G5" not in evaluate(k, {**answers, "labeled_examples": floor}).gates
