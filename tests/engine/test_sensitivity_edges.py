"""Edges of the confidence and counterfactual arithmetic (sensitivity.py), on hand-made scores and outcomes:
exact ties in the Monte-Carlo stability (the earlier approach in APPROACHES wins them), the bisection's midpoints
and stopping rule, the gate a changed primary is attributed to, and no re-scoring of an answer already at an end."""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace
from typing import Any

from app.engine.bank import load_bank
from app.engine.model import AnswerValue, Kind
from app.engine.rules import APPROACHES, Knowledge, load_knowledge
from app.engine.scoring import evaluate, score
from app.engine.sensitivity import Outcome, _apart, _middle, _numeric, counterfactuals, stability, via, weight_flips

from ..scenarios import ALL

FIRST, LATER = APPROACHES[0], APPROACHES[1]
AXES = ("a", "b")
NONE_BLOCKED: dict[str, tuple[str, ...]] = {a: () for a in APPROACHES}


def _stability(primary: str, rival: str, mine: tuple[float, float], theirs: tuple[float, float]) -> float:
    scores = {primary: dict(zip(AXES, mine)), rival: dict(zip(AXES, theirs))}
    return stability(scores, (primary, rival), primary, [(0.5, 0.5)], AXES)


def test_an_exact_tie_in_every_axis_goes_to_the_earlier_approach() -> None:
    assert _stability(FIRST, LATER, (5.0, 5.0), (5.0, 5.0)) == 1.0
    assert _stability(LATER, FIRST, (5.0, 5.0), (5.0, 5.0)) == 0.0


def test_an_exact_tie_of_the_weighted_sums_goes_to_the_earlier_approach() -> None:
    assert _stability(FIRST, LATER, (6.0, 4.0), (4.0, 6.0)) == 1.0  # 0.5·2 + 0.5·(−2) = 0: a tie
    assert _stability(LATER, FIRST, (6.0, 4.0), (4.0, 6.0)) == 0.0


def test_a_rival_better_on_some_axis_is_checked_draw_by_draw() -> None:
    scores = {FIRST: {"a": 6.0, "b": 4.0}, LATER: {"a": 4.0, "b": 6.0}}
    draws = [(0.9, 0.1), (0.1, 0.9), (0.6, 0.4), (0.3, 0.7)]
    assert stability(scores, (FIRST, LATER), FIRST, draws, AXES) == 0.5


def test_the_midpoint_is_geometric_for_positive_ends_and_else_the_mean() -> None:
    assert _middle(1, 100) == 10
    assert _middle(100, 1) == 10
    assert _middle(0, 10) == 5
    assert _middle(10, 13) == 11  # int(√130) = 11, strictly between the ends
    assert _middle(10, 12) == 11


def test_bisection_stops_within_one_and_within_a_thousandth() -> None:
    assert _apart(10, 12) and not _apart(10, 11)
    assert not _apart(2_000, 2_002)  # 2 is exactly 0.1 % of 2,000: close enough
    assert _apart(2_000, 2_003)


def _outcome(primary: str, forced_by: str | None, blocked: dict[str, tuple[str, ...]] | None = None) -> Outcome:
    return Outcome(primary, forced_by, {**NONE_BLOCKED, **(blocked or {})})


def test_a_primary_freed_from_a_forcing_gate_is_attributed_to_that_gate() -> None:
    assert via(_outcome(FIRST, "G1"), _outcome(LATER, None)) == "G1"


def test_a_gate_that_still_forces_is_not_what_changed_the_primary() -> None:
    assert via(_outcome(FIRST, "G1"), _outcome(LATER, "G1")) is None
    assert via(_outcome(FIRST, None), _outcome(LATER, None)) is None
    assert via(_outcome(FIRST, None), _outcome(LATER, "G2")) == "G2"


def test_an_answer_at_the_end_of_its_range_is_not_rescored_there() -> None:
    q = load_bank().questions["labeled_examples"]
    base: Any = SimpleNamespace(answers={q.id: q.minimum}, primary=FIRST, forced_by=None, blocked=NONE_BLOCKED)
    seen: list[AnswerValue] = []

    def rescore(answers: dict[str, AnswerValue]) -> Outcome:
        seen.append(answers[q.id])
        return _outcome(FIRST if int(answers[q.id]) < 1_000 else LATER, None)  # type: ignore[arg-type]

    found = _numeric(q, base, rescore)
    assert [(c.change, c.answer, c.new_primary, c.threshold) for c in found] == [("above", 1_000, LATER, 1_000.0)]
    assert q.minimum not in seen and seen[0] == q.maximum


def _knowledge_with(**numbers: float) -> Knowledge:
    k = load_knowledge()
    confidence = replace(k.rules.confidence, numbers={**k.rules.confidence.numbers, **numbers})
    return replace(k, rules=replace(k.rules, confidence=confidence))


def test_a_weight_flip_closer_than_the_high_flip_keeps_a_result_from_high() -> None:
    answers = next(c["answers"] for c in ALL if c["id"] == "S01")
    easy = {"high_margin": 0.0, "high_stability": 0.0}
    strict = score(_knowledge_with(**easy, high_flip=1.0), answers).sensitivity
    loose = score(_knowledge_with(**easy, high_flip=0.0), answers).sensitivity
    assert strict.min_flip is not None and 0 < strict.min_flip < 1.0
    assert (loose.label, strict.label) == ("High", "Medium")  # S01's closest flip is 0.094 of a weight


def test_counterfactuals_do_not_depend_on_the_order_of_the_questions() -> None:
    k = load_knowledge()
    answers = {**next(c["answers"] for c in ALL if c["id"] == "S01"), "gap_types": ["behavior"]}
    result = score(k, answers)
    core = result.core

    def rescore(a: dict[str, AnswerValue]) -> Outcome:
        new = evaluate(k, a)
        return Outcome(new.primary, new.forced_by, new.blocked)

    cost_only = {q.id for q in k.bank.questions.values() if q.kind is Kind.INT} - k.rules.referenced
    questions = tuple(k.bank.questions.values())
    in_order = counterfactuals(questions, core, rescore, rescore, cost_only)
    backwards = counterfactuals(questions[::-1], core, rescore, rescore, cost_only)
    assert any(c.question == "gap_types" for c in in_order) and any(c.question != "gap_types" for c in in_order)
    assert sorted(map(repr, backwards)) == sorted(map(repr, in_order))


def test_a_flip_may_take_a_weight_to_exactly_zero_or_one() -> None:
    scores = {FIRST: {"a": 10.0, "b": 5.0}, LATER: {"a": 0.0, "b": 5.0}}  # tied on b: only a's weight separates them
    flips = {f.axis: (f.flip_weight, f.delta) for f in weight_flips(scores, {"a": 0.5, "b": 0.5}, FIRST, LATER)}
    assert flips == {"a": (0.0, -0.5), "b": (1.0, 0.5)}


def test_an_axis_weighing_one_is_skipped_and_the_others_still_flip() -> None:
    scores = {FIRST: {"a": 6.0, "b": 0.0}, LATER: {"a": 4.0, "b": 10.0}}
    flips = weight_flips(scores, {"a": 1.0, "b": 0.0}, FIRST, LATER)
    assert [(f.axis, round(f.flip_weight, 12)) for f in flips] == [("b", round(1 / 6, 12))]


def test_an_axis_that_moves_both_totals_alike_is_skipped_and_the_others_still_flip() -> None:
    # a's difference (0.5) equals the totals' difference: its weight cannot change who leads.
    scores = {FIRST: {"a": 5.5, "b": 7.0, "c": 4.0}, LATER: {"a": 5.0, "b": 5.0, "c": 5.0}}
    flips = weight_flips(scores, {"a": 0.5, "b": 0.25, "c": 0.25}, FIRST, LATER)
    assert [(f.axis, f.flip_weight, f.delta) for f in flips] == [("b", 0.0, -0.25), ("c", 0.5, 0.25)]
