"""The wizard's step order and the exact words of each number-parsing message (ux.md: the field and the reason)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from app.engine import flow
from app.engine.bank import load_bank
from app.engine.model import UNKNOWN

BANK = load_bank()
EXAMPLES = BANK.questions["labeled_examples"]  # 0 to 1,000,000,000 examples
RANGE = "enter a number from 0 to 1,000,000,000."
NOT_A_NUMBER = "is not a number; enter digits, like 12,000, 500k or 2M."
SEPARATOR = ("put one kind of separator between groups of three digits, as in 12,000 or 12 000; a decimal takes a "
             "point, as in 1.5M.")


def refused(text: str, question: flow.Question = EXAMPLES) -> str:
    with pytest.raises(flow.InvalidAnswer) as caught:
        flow.parse_number(question, text)
    assert caught.value.question_id == question.id and str(caught.value) == f"{question.id}: {caught.value.message}"
    return caught.value.message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("k", f'Number of examples: "k" {NOT_A_NUMBER}'),
        ("12a3", f'Number of examples: "12a3" {NOT_A_NUMBER}'),
        ("1X2", f'Number of examples: "1X2" {NOT_A_NUMBER}'),
        ("1.5x5k", f'Number of examples: "1.5x5k" {NOT_A_NUMBER}'),
        ("1.5X5k", f'Number of examples: "1.5X5k" {NOT_A_NUMBER}'),
        ("1.k", f'Number of examples: "1.k" {NOT_A_NUMBER}'),
        (".5k", f'Number of examples: ".5k" {NOT_A_NUMBER}'),
        ("٣", f'Number of examples: "٣" {NOT_A_NUMBER}'),  # a digit, but not an ASCII one
        ("5x", 'Number of examples: "5x" ends in "x", which is not a suffix we know; use k (thousand), M (million) '
               "or B (billion), as in 500k or 2M."),
        ("-5", f'Number of examples cannot be negative ("-5"); {RANGE}'),
        ("\u22125", f'Number of examples cannot be negative ("\u22125"); {RANGE}'),
        ("1.2.3", 'Number of examples: "1.2.3" has more than one decimal point.'),
        ("12,000 000", f'Number of examples: in "12,000 000", {SEPARATOR}'),
        ("12,0000", f'Number of examples: in "12,0000", {SEPARATOR}'),
        ("1,5", f'Number of examples: in "1,5", {SEPARATOR}'),
        ("1.5", 'Number of examples: "1.5" is not a whole number; a decimal needs k, M or B after it, as in 1.5M.'),
        ("1.2345k", 'Number of examples: "1.2345k" is not a whole number of examples.'),
        ("2000000000", f"Number of examples must be 1,000,000,000 or fewer; {RANGE}"),
        ("1.5B", f'Number of examples must be 1,000,000,000 or fewer ("1.5B" is 1,500,000,000); {RANGE}'),
        ("9" * 16, f"Number of examples must be 1,000,000,000 or fewer; {RANGE}"),
        ("1" + "0" * 14 + "k", 'Number of examples must be 1,000,000,000 or fewer ("100000000000000k" is '
                               f"100,000,000,000,000,000); {RANGE}"),
        ("x" * 60, f'Number of examples: "{"x" * 36}... {NOT_A_NUMBER}'),
    ],
)
def test_each_number_message(text: str, message: str) -> None:
    assert refused(text) == message


@pytest.mark.parametrize(
    ("text", "number"),
    [("0", 0), ("0012", 12), ("2 M", 2_000_000), ("12 M", 12_000_000), ("120 k", 120_000), ("2m", 2_000_000),
     ("1.50k", 1500), ("1.5000k", 1500), ("3.0M", 3_000_000), ("0" * 18 + "12", 12),
     ("1.005k", 1005), ("12\u2009000", 12_000), ("1,000,000", 1_000_000), ("999999999", 999_999_999),
     ("1000000000", 10**9), ("1B", 10**9)],
)
def test_numbers_at_the_edges(text: str, number: int) -> None:
    assert flow.parse_number(EXAMPLES, text) == number


def test_a_lower_bound_above_zero_is_named() -> None:
    ten = replace(EXAMPLES, minimum=10)
    assert refused("9", ten) == "Number of examples must be 10 or more; enter a number from 10 to 1,000,000,000."
    assert refused("0", ten) == "Number of examples must be 10 or more; enter a number from 10 to 1,000,000,000."
    assert refused("0.009k", ten) == (
        'Number of examples must be 10 or more ("0.009k" is 9); enter a number from 10 to 1,000,000,000.')
    assert flow.parse_number(ten, "10") == 10
    thousand = replace(EXAMPLES, minimum=1000)  # far too many digits is too many, whatever the lower bound
    assert refused("9" * 16, thousand) == (
        "Number of examples must be 1,000,000,000 or fewer; enter a number from 1,000 to 1,000,000,000.")


def test_json_numbers_get_the_same_words() -> None:
    assert flow.check_value(EXAMPLES, 10**9) == 10**9 and flow.check_value(EXAMPLES, " Unknown ") == UNKNOWN
    cases = {
        -5: f"Number of examples cannot be negative; {RANGE}",
        10**9 + 1: f"Number of examples must be 1,000,000,000 or fewer; {RANGE}",
        True: 'Number of examples: give a whole number (a JSON integer) or "unknown", not true.',
        2.5: 'Number of examples: give a whole number (a JSON integer) or "unknown", not 2.5.',
        "x" * 38: f'Number of examples: give a whole number (a JSON integer) or "unknown", not "{"x" * 38}".',
        "x" * 39: f'Number of examples: give a whole number (a JSON integer) or "unknown", not "{"x" * 36}....',
    }
    for value, message in cases.items():
        with pytest.raises(flow.InvalidAnswer) as caught:
            flow.check_value(EXAMPLES, value)
        assert caught.value.message == message


def test_step_order_forwards_and_back() -> None:
    order = flow.slugs(BANK)
    assert order == tuple(s.slug for s in BANK.steps) and len(order) >= 3
    assert [flow.next_slug(BANK, s) for s in order] == [*order[1:], flow.REVIEW]
    assert [flow.previous_slug(BANK, s) for s in (*order, flow.REVIEW)] == [None, *order]


def test_progress_names_the_step() -> None:
    step = BANK.steps[1]
    assert flow.progress(BANK, step) == f"Step 2 of {len(BANK.steps)} — {step.title}"


def test_steps_open_in_order() -> None:
    order = (*flow.slugs(BANK), flow.REVIEW)
    answered = {q: UNKNOWN for q in BANK.steps[0].question_ids} | {"gap_types": ("behavior",)}
    assert flow.first_incomplete(BANK, answered) == order[1]
    assert [flow.may_open(BANK, s, answered) for s in order] == [True, True] + [False] * (len(order) - 2)
    everything = {q: UNKNOWN for q in BANK.questions} | {"gap_types": ("behavior",)}
    assert all(flow.may_open(BANK, s, everything) for s in order)


def test_a_step_names_unknown_fields() -> None:
    parsed = flow.parse_step(BANK, "problem", {"gap_types": ["behavior"], "colour": ["red"]})
    assert parsed.errors == {"colour": "Unknown question id 'colour' for this step."}
    assert parsed.answers["gap_types"] == ("behavior",)
