"""questions.toml with a key left out, not merely left empty (bank.py): each missing key is named as shipped, and
what the bank keeps from a question or step is the file's value, never a placeholder such as 'None'.

test_loader_messages.py empties values (`id = ""`, `sources = []`); these cases delete the key itself."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from app.engine.bank import BankError, build_bank, read_toml
from app.engine.flow import InvalidAnswer, parse_number
from app.engine.model import Bank

Raw = dict[str, Any]
QUESTIONS, SOURCES = read_toml("questions.toml"), read_toml("sources.toml")


def changed(change: Callable[[Raw], None]) -> Bank | list[str]:
    """The bank built from questions.toml after `change`, or the problems that refused it."""
    raw = copy.deepcopy(QUESTIONS)
    change(raw)
    try:
        return build_bank(raw, SOURCES)
    except BankError as error:
        return error.problems


def question(raw: Raw, qid: str) -> Raw:
    return next(q for q in raw["questions"] if q["id"] == qid)


def test_a_question_without_an_id_key_is_named_by_its_position() -> None:
    order = QUESTIONS["questions"].index(question(QUESTIONS, "eval_set"))
    assert changed(lambda r: question(r, "eval_set").pop("id")) == [f"question {order!r}: missing id"]


def test_a_question_without_a_sources_key_names_no_source() -> None:
    assert changed(lambda r: question(r, "eval_set").pop("sources")) == ["question 'eval_set': names no source"]


def test_applies_when_that_is_not_a_list_is_named_with_its_question() -> None:
    assert changed(lambda r: question(r, "label_quality").update(applies_when="labeled_examples >= 10")) == [
        "question 'label_quality': applies_when must be a list of conditions"]


def test_a_question_without_a_step_key_joins_a_step_without_a_slug() -> None:
    """Both keys missing: each question is named once for its step; the slug-less step is not also empty."""
    first = QUESTIONS["steps"][0]["slug"]
    ids = [q["id"] for q in QUESTIONS["questions"] if q["step"] == first]

    def drop_step(raw: Raw) -> None:
        raw["steps"][0].pop("slug")
        for q in raw["questions"]:
            if q["step"] == first:
                q.pop("step")
    assert changed(drop_step) == [f"question {qid!r}: unknown step None" for qid in ids]


def test_a_step_without_title_or_intro_keeps_them_empty() -> None:
    def drop_text(raw: Raw) -> None:
        raw["steps"][0].pop("title")
        raw["steps"][0].pop("intro")
    bank = changed(drop_text)
    assert isinstance(bank, Bank)
    assert (bank.steps[0].title, bank.steps[0].intro) == ("", "")
    second = QUESTIONS["steps"][1]
    assert (bank.steps[1].title, bank.steps[1].intro) == (second["title"], second["intro"])


def test_a_numeric_questions_minimum_is_the_files() -> None:
    """Every shipped minimum is 0, the fallback too: a raised one must be the one kept (and the flow's bound)."""
    bank = changed(lambda r: question(r, "monthly_calls").update(minimum=100))
    assert isinstance(bank, Bank)
    calls = bank.questions["monthly_calls"]
    assert (calls.minimum, calls.maximum, calls.default) == (100, 1_000_000_000_000, 10_000)
    assert parse_number(calls, "100") == 100
    with pytest.raises(InvalidAnswer):
        parse_number(calls, "99")
