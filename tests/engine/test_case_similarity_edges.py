"""The similarity of "teams like yours", question kind by question kind, on libraries built inside each test (a
library built at import time is not traced to any test by the mutation tool): the ordered places 1 − |i − j| / (n − 1)
for two, three and four options, the log scale of numbers, a bank question without a positive maximum, and the
precomputed columns of neighbours() against a case that leaves a question unknown."""

from __future__ import annotations

import math
from typing import Any

import pytest

from app.engine.bank import load_bank
from app.engine.casefile import Case
from app.engine.cases import Library, answer_similarity, build_library, neighbours
from app.engine.model import UNKNOWN, Bank, Kind, Question

BANK = load_bank()
GAP: dict[str, Any] = {"gap_types": ["behavior"]}


def _library(bank: Bank = BANK, cases: tuple[Case, ...] = ()) -> Library:
    return build_library(bank, list(cases))


def _one_question(qid: str, a: Any, b: Any, library: Library | None = None) -> float:
    """The similarity of two answer sets that share only this question."""
    return answer_similarity(library if library is not None else _library(), {qid: a}, {qid: b})


def _case(cid: str, answers: dict[str, Any]) -> Case:
    return Case(cid, cid, "PROMPT", ("PROMPT",), answers)


@pytest.mark.parametrize(("qid", "a", "b", "expected"), [
    ("citations_required", "yes", "no", 0.0),  # two options: one step is the whole scale
    ("task_stability", "exploring", "stabilizing", 0.5),  # three options: one step of two
    ("task_stability", "exploring", "stable_repetitive", 0.0),
    ("eval_set", "none", "lt20", 1 - 1 / 3),  # four options: one step of three
    ("eval_set", "lt20", "100plus", 1 - 2 / 3),
    ("eval_set", "none", "100plus", 0.0),
    ("failure_mode", "ignores_instructions", "breaks_repeatedly", 0.0),  # kinds, not degrees: neighbours are unlike
    ("failure_mode", "wrong_facts", "wrong_facts", 1.0),
])
def test_single_select_places_by_hand(qid: str, a: str, b: str, expected: float) -> None:
    assert _one_question(qid, a, b) == pytest.approx(expected, abs=1e-12)


def test_numbers_compare_on_a_log_scale_of_the_bank_maximum() -> None:
    assert _one_question("labeled_examples", 0, 10**9) == 0.0  # the whole range apart
    assert _one_question("labeled_examples", 10**9, 10**9) == 1.0
    decade = _one_question("labeled_examples", 500, 5_000)
    assert decade == pytest.approx(_one_question("labeled_examples", 5_000, 50_000), abs=1e-3)
    assert decade == pytest.approx(1 - (math.log10(5_001) - math.log10(501)) / math.log10(1 + 10**9), abs=1e-12)
    assert decade < 1.0


def _bank_with_number(minimum: int, maximum: int) -> Bank:
    q = Question("n", "s", 1, Kind.INT, "N", "", "", (), minimum=minimum, maximum=maximum)
    return Bank("t", (), {"n": q})


def test_a_number_up_to_one_spans_its_whole_scale() -> None:
    library = _library(_bank_with_number(0, 1))
    assert _one_question("n", 0, 1, library) == 0.0
    assert _one_question("n", 1, 1, library) == 1.0


def test_a_number_without_a_positive_maximum_has_no_scale_and_is_always_alike() -> None:
    library = _library(_bank_with_number(-5, -1))  # log10(1 + maximum) would be undefined
    assert _one_question("n", -5, -1, library) == 1.0


def test_the_library_keeps_every_case_row_encoded() -> None:
    cases = (_case("A1", {**GAP, "eval_set": "none"}), _case("B2", {**GAP, "labeled_examples": 99}))
    library = _library(cases=cases)
    assert library.rows == tuple(library.encode(c.answers) for c in cases)
    assert len(library.rows) == 2 and library.rows[0] != library.rows[1]


def test_a_case_that_leaves_a_question_unknown_scores_nothing_on_it() -> None:
    team = {**GAP, "eval_set": "none", "time_to_first_version": "days"}
    knows = _case("A1", {**GAP, "eval_set": "100plus", "time_to_first_version": "days"})
    blank = _case("B2", {**GAP, "eval_set": UNKNOWN, "time_to_first_version": "quarter"})
    library = _library(cases=(knows, blank))
    found = {n.case.id: (n.similarity, n.shared) for n in neighbours(library, team, k=2)}
    assert found == {"A1": (pytest.approx(2 / 3), 3), "B2": (0.5, 2)}  # (1 + 0) / 2: eval_set not counted
    assert found["B2"][0] == answer_similarity(library, team, blank.answers)


def test_a_case_unknown_on_a_number_or_the_gap_types_scores_nothing_on_them() -> None:
    team = {"gap_types": ["behavior"], "labeled_examples": 1_000}
    knows = _case("A1", {"gap_types": ["knowledge"], "labeled_examples": 1_000})
    blank = _case("B2", {"gap_types": ["behavior"], "labeled_examples": UNKNOWN})
    found = {n.case.id: (n.similarity, n.shared) for n in neighbours(_library(cases=(knows, blank)), team, k=2)}
    assert found == {"A1": (0.5, 2), "B2": (1.0, 1)}


def test_neighbours_rank_by_mean_score_and_a_case_sharing_nothing_comes_last_at_zero() -> None:
    team = {**GAP, "eval_set": "none", "time_to_first_version": "days"}
    one_alike = _case("A1", {"gap_types": UNKNOWN, "eval_set": "none"})  # 1 of 1: mean 1
    mostly = _case("B2", {**GAP, "eval_set": "100plus", "time_to_first_version": "days"})  # 2 of 3: mean 2/3
    nothing = _case("C3", {"ml_capacity": "in_house"})  # no question in common with the team
    library = _library(cases=(nothing, mostly, one_alike))
    found = [(n.case.id, round(n.similarity, 12), n.shared) for n in neighbours(library, team, k=3)]
    assert found == [("A1", 1.0, 1), ("B2", round(2 / 3, 12), 3), ("C3", 0.0, 0)]


def test_a_team_that_knows_nothing_shares_nothing_with_any_case() -> None:
    library = _library(cases=(_case("A1", {**GAP, "eval_set": "none"}), _case("B2", GAP)))
    found = [(n.case.id, n.similarity, n.shared) for n in neighbours(library, {}, k=3)]
    assert found == [("A1", 0.0, 0), ("B2", 0.0, 0)]
