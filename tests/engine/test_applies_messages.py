"""The "applies when" conditions of questions.toml (applies.py): how each one is read, the exact message for each
malformed one, the exact message for each misplaced one, and every answer test at its boundary.

The shipped bank uses only `min`, `has_any` and `not_in`: the other tests (`below`, `in`, `has_none`) are read and
evaluated here on conditions written for the test."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from app.engine import applies
from app.engine.bank import BankError, build_bank, read_toml
from app.engine.model import UNKNOWN, Kind, Question, Requirement

QUESTIONS, SOURCES = read_toml("questions.toml"), read_toml("sources.toml")
WHERE = "question 'label_quality'"


def parsed(raw: Any) -> tuple[tuple[Requirement, ...], list[str]]:
    """The requirements read from one `applies_when` value, and the problems found in it."""
    problems: list[str] = []
    return applies.requirements(raw, WHERE, problems), problems


def bank_problems(applies_when: Any, qid: str = "label_quality") -> list[str]:
    """Every problem build_bank reports when question `qid` has this `applies_when`."""
    raw = copy.deepcopy(QUESTIONS)
    next(q for q in raw["questions"] if q["id"] == qid)["applies_when"] = applies_when
    try:
        build_bank(raw, SOURCES)
    except BankError as error:
        return error.problems
    return []


def test_each_kind_of_condition_is_read_whole() -> None:
    assert parsed(None) == ((), [])
    assert parsed([{"q": "labeled_examples", "min": 10}, {"q": "labeled_examples", "below": 500}]) == ((
        Requirement(question="labeled_examples", op="min", number=10),
        Requirement(question="labeled_examples", op="below", number=500)), [])
    group = {"any": [{"q": "gap_types", "has_any": ["knowledge"]}, {"q": "knowledge_volume", "not_in": ["none"]}]}
    assert parsed([group]) == ((Requirement(any=(
        Requirement(question="gap_types", op="has_any", values=("knowledge",)),
        Requirement(question="knowledge_volume", op="not_in", values=("none",)))),), [])


@pytest.mark.parametrize(("raw", "message"), [
    ("labeled_examples >= 10", "applies_when must be a list of conditions"),
    ([5], "bad applies_when condition 5"),
    ([{"q": "labeled_examples", "above": 3}], "bad applies_when condition {'q': 'labeled_examples', 'above': 3}"),
    ([{"q": "labeled_examples", "min": 3, "below": 9}],
     "bad applies_when condition {'q': 'labeled_examples', 'min': 3, 'below': 9}"),
    ([{"any": [{"q": "labeled_examples", "above": 3}]}],
     "bad applies_when condition {'q': 'labeled_examples', 'above': 3}"),  # inside a group: named the same way
    ([{"any": []}], "bad applies_when condition {'any': []}"),
    ([{"q": "labeled_examples", "min": "ten"}], "'min' needs a whole number"),
    ([{"q": "labeled_examples", "below": True}], "'below' needs a whole number"),
    ([{"q": "raw_domain_text", "in": "none"}], "'in' needs a list of option values"),
    ([{"q": "raw_domain_text", "not_in": []}], "'not_in' needs a list of option values"),
], ids=["not a list", "not a table", "unknown test", "two tests", "in a group", "empty group", "min not whole",
        "below bool", "in not list", "not_in empty"])
def test_each_malformed_condition_is_named(raw: Any, message: str) -> None:
    requirements, problems = parsed(raw)
    assert problems == [f"{WHERE}: {message}"]
    assert applies.deciders(Question("x", "s", 0, Kind.INT, "", "", "", (), applies_when=requirements)) == frozenset()


def test_a_malformed_condition_is_reported_once_by_the_bank() -> None:
    """The loader names the question; the empty requirement left in its place is not checked again."""
    assert bank_problems([{"q": "labeled_examples", "above": 3}]) == [
        "question 'label_quality': bad applies_when condition {'q': 'labeled_examples', 'above': 3}"]
    assert bank_problems("labeled_examples >= 10") == [
        "question 'label_quality': applies_when must be a list of conditions"]


@pytest.mark.parametrize(("condition", "message"), [
    ({"q": "monthly_calls", "min": 3}, "'monthly_calls' is not a question asked before it"),
    ({"q": "label_quality", "in": ["noisy_unknown"]}, "'label_quality' is not a question asked before it"),
    ({"q": "labelled", "min": 3}, "'labelled' is not a question asked before it"),
    ({"q": "raw_domain_text", "min": 3}, "'min' does not apply to 'raw_domain_text'"),
    ({"q": "raw_domain_text", "in": ["huge", "none"]}, "raw_domain_text has no option 'huge'"),
], ids=["later", "itself", "unknown", "wrong kind", "unknown option"])
def test_each_misplaced_condition_is_named_with_its_question(condition: dict[str, Any], message: str) -> None:
    assert bank_problems([condition]) == [f"question 'label_quality' applies_when: {message}"]


def verdicts(condition: dict[str, Any], answers: list[Any], decider: str) -> list[bool | None]:
    """The verdict of a question applying under this one condition, for each answer to `decider`."""
    requirements, problems = parsed([condition])
    assert problems == []
    question = Question("x", "s", 99, Kind.INT, "", "", "", (), applies_when=requirements)
    return [applies.verdict(question, {decider: answer}) for answer in answers]


@pytest.mark.parametrize(("condition", "answers", "expected"), [
    ({"q": "labeled_examples", "min": 10}, [9, 10, 11, UNKNOWN], [False, True, True, None]),
    ({"q": "labeled_examples", "below": 10}, [9, 10, 11, UNKNOWN], [True, False, False, None]),
    ({"q": "raw_domain_text", "in": ["none", "under_100m"]}, ["none", "under_100m", "over_10b", UNKNOWN],
     [True, True, False, None]),
    ({"q": "raw_domain_text", "not_in": ["none"]}, ["none", "over_10b", UNKNOWN], [False, True, None]),
    ({"q": "gap_types", "has_any": ["knowledge"]}, [("knowledge",), ("behavior", "knowledge"), ("behavior",)],
     [True, True, False]),
    ({"q": "gap_types", "has_none": ["knowledge"]}, [("knowledge",), ("behavior", "knowledge"), ("behavior",)],
     [False, False, True]),
], ids=["min", "below", "in", "not_in", "has_any", "has_none"])
def test_each_answer_test_at_its_boundary(condition: dict[str, Any], answers: list[Any], expected: list[Any]) -> None:
    assert verdicts(condition, answers, condition["q"]) == expected
