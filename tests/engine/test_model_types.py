"""Small behaviours of the engine's types: an option label falls back to the value itself, and the values an
unknown answer is probed at (a multi-select question cannot be unknown, and says so by name)."""

from __future__ import annotations

import pytest

from app.engine.bank import load_bank
from app.engine.unknowns import probe_values

BANK = load_bank()


def test_an_option_label_is_the_bank_label_or_else_the_value_itself() -> None:
    q = BANK.questions["eval_set"]
    assert q.option_label("none") == next(o.label for o in q.options if o.value == "none") != "none"
    assert q.option_label("not_an_option") == "not_an_option"
    assert BANK.questions["labeled_examples"].option_label("1,000") == "1,000"  # a number has no options


def test_a_multi_select_question_cannot_be_probed_as_unknown() -> None:
    with pytest.raises(ValueError, match=r"^gap_types: a multi-select question cannot be unknown$"):
        probe_values(BANK.questions["gap_types"])


def test_probe_values_are_the_options_or_the_decades_in_range() -> None:
    assert probe_values(BANK.questions["task_stability"]) == ("exploring", "stabilizing", "stable_repetitive")
    assert probe_values(BANK.questions["fixed_prompt_tokens"]) == (0, 1, 10, 100, 1_000, 10_000, 100_000, 1_000_000)
