"""Reading answers (app/engine/flow.py): "Not sure" and unanswered are UNKNOWN, never the default; numbers as people
write them; a specific message naming the field and the reason for every malformed one (issue 11)."""

from __future__ import annotations

from functools import cache

import pytest

from app.engine import flow
from app.engine.bank import BankError, build_bank, load_bank, read_toml
from app.engine.model import UNKNOWN, Bank, Kind, Question


@cache
def bank() -> Bank:
    return load_bank()


def question(qid: str) -> Question:
    return bank().questions[qid]


def parse(qid: str, text: str) -> object:
    return flow.parse_answer(question(qid), [text])


def refused(qid: str, text: str) -> str:
    with pytest.raises(flow.InvalidAnswer) as caught:
        flow.parse_answer(question(qid), [text])
    assert caught.value.question_id == qid
    return caught.value.message


# ---------------------------------------------------------------- numbers


@pytest.mark.parametrize("text,number", [
    ("0", 0), ("12000", 12_000), ("12,000", 12_000), ("12 000", 12_000), ("12\u2009000", 12_000),
    ("1,000,000", 1_000_000), ("1 000 000", 1_000_000), ("1\u2009000\u2009000", 1_000_000),
    ("500k", 500_000), ("500K", 500_000), ("2M", 2_000_000), ("2m", 2_000_000), ("1.5M", 1_500_000),
    ("1.5m", 1_500_000), ("0.5k", 500), ("2.25k", 2_250), ("1.50M", 1_500_000), ("1B", 10**9), ("1b", 10**9),
    ("2 M", 2_000_000), ("12,000k", 12_000_000), ("  750  ", 750), ("007", 7), ("1,000,000,000", 10**9),
])
def test_numbers_as_people_write_them(text: str, number: int) -> None:
    assert parse("labeled_examples", text) == number


def test_each_question_takes_its_own_range() -> None:
    assert parse("labeled_examples", "1B") == 10**9
    assert parse("monthly_calls", "1000B") == 10**12 and parse("monthly_calls", "1,000B") == 10**12
    assert parse("monthly_calls", "3B") == 3 * 10**9
    assert parse("fixed_prompt_tokens", "2M") == 2_000_000


@pytest.mark.parametrize("text,reason", [
    ("5x", '"5x" ends in "x", which is not a suffix we know; use k (thousand), M (million) or B (billion)'),
    ("12T", 'ends in "T", which is not a suffix we know'),
    ("2Mk", 'ends in "Mk", which is not a suffix we know'),
    ("1.2.3k", '"1.2.3k" has more than one decimal point'),
    ("1.2.3", "has more than one decimal point"),
    ("-3", 'cannot be negative ("-3"); enter a number from 0 to 1,000,000,000'),
    ("-2k", "cannot be negative"),
    ("\u22125", "cannot be negative"),
    ("lots", '"lots" is not a number; enter digits, like 12,000, 500k or 2M'),
    ("k", '"k" is not a number'),
    ("12_000", '"12_000" is not a number'),
    ("1e6", '"1e6" is not a number'),
    ("+3", '"+3" is not a number'),
    (".5k", '".5k" is not a number'),
    ("12.k", '"12.k" is not a number'),
    ("\u0663", "is not a number"),  # an Arabic-Indic three: digits are ASCII digits
    ("1,5M", '"1,5M", put one kind of separator between groups of three digits, as in 12,000 or 12 000; a decimal'),
    ("1,2345", "put one kind of separator between groups of three digits"),
    ("1234,567", "put one kind of separator between groups of three digits"),
    ("1,000 000", "put one kind of separator between groups of three digits"),
    ("12,,000", "put one kind of separator between groups of three digits"),
    ("1.5", '"1.5" is not a whole number; a decimal needs k, M or B after it, as in 1.5M'),
    ("12.000", "is not a whole number; a decimal needs k, M or B"),
    ("1.2345k", '"1.2345k" is not a whole number of examples'),
    ("1.0000000001B", "is not a whole number of examples"),
    ("2B", 'must be 1,000,000,000 or fewer ("2B" is 2,000,000,000); enter a number from 0 to 1,000,000,000'),
    ("1000000001", "must be 1,000,000,000 or fewer; enter a number from 0 to 1,000,000,000"),
    ("9" * 5000, "must be 1,000,000,000 or fewer"),  # never converted: no int() of 5,000 digits
])
def test_malformed_numbers_name_the_field_and_the_reason(text: str, reason: str) -> None:
    message = refused("labeled_examples", text)
    assert message.startswith("Number of examples")
    assert reason in message
    assert len(message) < 300  # what was typed is quoted short, never echoed whole


def test_messages_name_each_numeric_field() -> None:
    assert refused("monthly_calls", "5x").startswith("Number of calls a month: ")
    assert refused("fixed_prompt_tokens", "3M").startswith("Number of tokens must be 2,000,000 or fewer (")
    assert "monthly_calls" not in refused("monthly_calls", "1001B")


def test_one_number_only() -> None:
    with pytest.raises(flow.InvalidAnswer, match="Give one answer only."):
        flow.parse_answer(question("labeled_examples"), ["1", "2"])


# ---------------------------------------------------------------- unknown


@pytest.mark.parametrize("raw", [[], [""], ["  "], ["unknown"], ["Unknown"], [" UNKNOWN "]])
def test_unanswered_or_not_sure_is_unknown_for_every_question_but_the_gap_types(raw: list[str]) -> None:
    for q in bank().questions.values():
        if q.id == "gap_types":
            with pytest.raises(flow.InvalidAnswer, match="Select at least one option"):
                flow.parse_answer(q, raw)
        else:
            assert flow.parse_answer(q, raw) == UNKNOWN, q.id


def test_only_the_gap_types_are_required() -> None:
    required = [q.id for q in bank().questions.values() if not flow.allows_unknown(q)]
    assert required == ["gap_types"]
    message = refused("gap_types", "unknown")
    assert message.startswith("Select at least one option") and "Not sure" in message


def test_an_empty_step_stores_every_question_as_unknown() -> None:
    for step in bank().steps:
        parsed = flow.parse_step(bank(), step.slug, {})
        if step.slug == "problem":
            assert parsed.errors == {"gap_types": "Select at least one option."}
            assert parsed.answers == {q: UNKNOWN for q in step.question_ids if q != "gap_types"}
        else:
            assert parsed.errors == {} and parsed.answers == dict.fromkeys(step.question_ids, UNKNOWN)


def test_a_step_mixes_answers_unknowns_and_errors() -> None:
    form = {"labeled_examples": ["12,000"], "label_quality": ["unknown"], "knowledge_volume": ["bogus"],
            "favourite": ["x"]}
    parsed = flow.parse_step(bank(), "data", form)
    assert parsed.answers["labeled_examples"] == 12_000 and parsed.answers["label_quality"] == UNKNOWN
    assert parsed.answers["knowledge_churn"] == UNKNOWN  # not sent at all: no radio chosen
    assert set(parsed.errors) == {"knowledge_volume", "favourite"}
    assert "not one of the options" in parsed.errors["knowledge_volume"]


def test_a_submitted_step_counts_as_done_even_when_not_sure() -> None:
    b = bank()
    answered: dict[str, object] = {}
    for step in b.steps:
        assert flow.first_incomplete(b, answered) == step.slug
        assert not flow.may_open(b, flow.next_slug(b, step.slug), answered)
        form = {"gap_types": ["behavior"]} if step.slug == "problem" else {}
        parsed = flow.parse_step(b, step.slug, form)
        assert not parsed.errors
        answered.update(parsed.answers)
    assert flow.first_incomplete(b, answered) is None and flow.may_open(b, flow.REVIEW, answered)
    assert sum(1 for v in answered.values() if v == UNKNOWN) == len(b.questions) - 1


# ---------------------------------------------------------------- JSON answers (API, CLI)


def test_omitted_or_unknown_json_answers_are_unknown() -> None:
    typed, errors = flow.check_answers(bank(), {"gap_types": ["behavior"], "eval_set": "unknown",
                                                "monthly_calls": "Unknown", "labeled_examples": 2_000_000})
    assert errors == []
    assert set(typed) == set(bank().questions)
    assert typed["gap_types"] == ("behavior",) and typed["labeled_examples"] == 2_000_000
    assert typed["eval_set"] == typed["monthly_calls"] == typed["failure_mode"] == UNKNOWN
    assert all(v == UNKNOWN for k, v in typed.items() if k not in ("gap_types", "labeled_examples"))


@pytest.mark.parametrize("answers,field,message", [
    ({}, "answers.gap_types", "Select at least one option."),
    ({"gap_types": "unknown"}, "answers.gap_types", 'cannot be "unknown"'),
    ({"gap_types": ["unknown"]}, "answers.gap_types", 'cannot be answered "Not sure"'),
    ({"gap_types": ["behavior"], "eval_set": None}, "answers.eval_set", 'as text, or "unknown"'),
    ({"gap_types": ["behavior"], "eval_set": "sometimes"}, "answers.eval_set", "is not one of the options"),
    ({"gap_types": ["behavior"], "monthly_calls": "5x"}, "answers.monthly_calls",
     'Number of calls a month: give a whole number (a JSON integer) or "unknown", not "5x"'),
    ({"gap_types": ["behavior"], "monthly_calls": 1.5}, "answers.monthly_calls", "not 1.5"),
    ({"gap_types": ["behavior"], "monthly_calls": True}, "answers.monthly_calls", "not true"),
    ({"gap_types": ["behavior"], "monthly_calls": -1}, "answers.monthly_calls", "cannot be negative"),
    ({"gap_types": ["behavior"], "monthly_calls": 10**12 + 1}, "answers.monthly_calls",
     "must be 1,000,000,000,000 or fewer"),
    ({"gap_types": ["behavior"], "favourite": "x"}, "answers.favourite", "Unknown question id."),
])
def test_bad_json_answers_name_the_field_and_the_reason(answers: dict, field: str, message: str) -> None:
    _, errors = flow.check_answers(bank(), answers)
    found = {e["field"]: e["message"] for e in errors}
    assert message in found[field], found


def test_json_numbers_reach_the_new_ranges() -> None:
    typed, errors = flow.check_answers(bank(), {"gap_types": ["behavior"], "labeled_examples": 10**9,
                                                "monthly_calls": 10**12, "fixed_prompt_tokens": 2_000_000})
    assert errors == [] and typed["monthly_calls"] == 10**12


# ---------------------------------------------------------------- the bank


def test_no_option_may_be_called_unknown() -> None:
    raw = read_toml("questions.toml")
    single = next(q for q in raw["questions"] if q["kind"] == "single")
    single["options"][0]["value"] = UNKNOWN
    with pytest.raises(BankError, match="reserved for \"Not sure\""):
        build_bank(raw, read_toml("sources.toml"))
    assert all(UNKNOWN not in q.option_values() for q in bank().questions.values() if q.kind is not Kind.INT)
