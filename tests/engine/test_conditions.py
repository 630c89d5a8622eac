"""rules.toml's condition vocabulary, compiled by a fresh Checker in each test and evaluated on hand-made contexts.

(The rules a test loads at import time were compiled before the test ran: these tests compile their own.)
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from app.engine.conditions import Checker, _all
from app.engine.model import Bank, Text
from app.engine.rules import load_bank


@pytest.fixture(scope="module")
def bank() -> Bank:
    return load_bank()


def context(**fields: Any) -> Any:
    """A rule context: answers, combinations fired, gate blocks, primary, companion and provider state."""
    base: dict[str, Any] = {"answers": {}, "combos": (), "gate_blocks": {}, "primary": "PROMPT", "companion": None,
                            "provider_closed": False}
    return SimpleNamespace(**{**base, **fields})


def compiled(bank: Bank, raw: Any, *, gates: frozenset[str] | set[str] = frozenset(),
             combos: frozenset[str] | set[str] = frozenset()) -> tuple[Any, list[str]]:
    """The predicate of a `when` list compiled by a fresh Checker that knows these gates and combinations."""
    checker = Checker(bank, {"S0": {}}, problems := [])
    checker.gates, checker.combos = set(gates), set(combos)
    return checker.when(raw, "here"), problems


@pytest.mark.parametrize(
    ("condition", "answer", "expected"),
    [
        ({"q": "eval_set", "in": ["none", "lt20"]}, "lt20", True),
        ({"q": "eval_set", "in": ["none", "lt20"]}, "100plus", False),
        ({"q": "eval_set", "not_in": ["none"]}, "100plus", True),
        ({"q": "eval_set", "not_in": ["none"]}, "none", False),
        ({"q": "gap_types", "has_any": ["knowledge", "live_data"]}, ("behavior", "knowledge"), True),
        ({"q": "gap_types", "has_any": ["knowledge", "live_data"]}, ("behavior",), False),
        ({"q": "gap_types", "has_none": ["knowledge"]}, ("behavior",), True),
        ({"q": "gap_types", "has_none": ["knowledge"]}, ("behavior", "knowledge"), False),
        ({"q": "gap_types", "has_other": ["live_data"]}, ("live_data", "behavior"), True),
        ({"q": "gap_types", "has_other": ["live_data"]}, ("live_data",), False),
        ({"q": "labeled_examples", "min": 10}, 10, True),
        ({"q": "labeled_examples", "below": 10}, 10, False),
    ],
)
def test_answer_conditions(bank: Bank, condition: dict[str, Any], answer: Any, expected: bool) -> None:
    predicate, problems = compiled(bank, [condition])
    assert problems == [] and predicate(context(answers={condition["q"]: answer})) is expected


def test_an_empty_list_always_holds_and_a_list_is_a_conjunction(bank: Bank) -> None:
    assert compiled(bank, [])[0](context()) is True and _all([])(context()) is True
    both, _ = compiled(bank, [{"q": "eval_set", "in": ["none"]}, {"q": "ml_capacity", "in": ["in_house"]}])
    assert both(context(answers={"eval_set": "none", "ml_capacity": "in_house"})) is True
    assert both(context(answers={"eval_set": "none", "ml_capacity": "none"})) is False
    assert both(context(answers={"eval_set": "lt20", "ml_capacity": "in_house"})) is False


def test_any_holds_when_one_alternative_does(bank: Bank) -> None:
    either, problems = compiled(bank, [{"any": [{"q": "eval_set", "in": ["none"]}, {"provider_closed": True}]}])
    assert problems == []
    assert either(context(answers={"eval_set": "none"})) is True
    assert either(context(answers={"eval_set": "lt20"}, provider_closed=True)) is True
    assert either(context(answers={"eval_set": "lt20"})) is False


def test_recommended_in_counts_the_companion_but_primary_in_does_not(bank: Bank) -> None:
    recommended, _ = compiled(bank, [{"recommended_in": ["LORA"]}])
    primary, _ = compiled(bank, [{"primary_in": ["LORA"]}])
    assert recommended(context(primary="LORA")) is True and primary(context(primary="LORA")) is True
    forced = context(primary="INTEGRATION", companion="LORA")
    assert recommended(forced) is True and primary(forced) is False
    neither = context(primary="INTEGRATION", companion="RAG")
    assert recommended(neither) is False and primary(neither) is False


def test_companion_and_provider_flags(bank: Bank) -> None:
    has, _ = compiled(bank, [{"companion": True}])
    has_not, _ = compiled(bank, [{"companion": False}])
    assert has(context(companion="RAG")) is True and has(context()) is False
    assert has_not(context()) is True and has_not(context(companion="RAG")) is False
    closed, _ = compiled(bank, [{"provider_closed": True}])
    open_, _ = compiled(bank, [{"provider_closed": False}])
    assert closed(context(provider_closed=True)) is True and closed(context()) is False
    assert open_(context()) is True and open_(context(provider_closed=True)) is False


def test_combo_and_free_of(bank: Bank) -> None:
    fired, problems = compiled(bank, [{"combo": "R1"}], combos={"R1"})
    assert problems == [] and fired(context(combos=("R1",))) is True and fired(context(combos=("R2",))) is False
    free, problems = compiled(bank, [{"free_of": ["G2", "G4"], "approaches": ["LORA", "HYBRID"]}], gates={"G2", "G4"})
    assert problems == []
    assert free(context(gate_blocks={"G2": ("LORA",)})) is True  # HYBRID is blocked by neither
    assert free(context(gate_blocks={"G2": ("LORA",), "G4": ("HYBRID",)})) is False
    assert free(context(gate_blocks={"G3": ("LORA", "HYBRID")})) is True  # a gate not listed does not count
    _, problems = compiled(bank, [{"free_of": ["G2"], "approaches": "LORA"}], gates={"G2"})
    assert problems == ["here: needs a list of approaches"]


def test_a_broken_condition_never_holds(bank: Bank) -> None:
    everything = context(answers={"eval_set": "none"}, primary="LORA", companion="RAG", provider_closed=True)
    for raw, message in [
        ({"q": "eval_set", "in": ["none"]}, "here: `when` must be a list of conditions"),
        (["eval_set"], "here: a condition must be a table"),
        ([{"q": "eval_set", "in": ["none"], "note": "x"}], "here: bad condition {'q': 'eval_set', 'in': ['none'], "
                                                          "'note': 'x'}"),
        ([{"q": "evals", "in": ["none"]}], "here: bad condition {'q': 'evals', 'in': ['none']}"),
    ]:
        predicate, problems = compiled(bank, raw)
        assert problems == [message] and predicate(everything) is False


def test_the_checker_records_what_it_reads(bank: Bank) -> None:
    checker = Checker(bank, {"S0": {}}, problems := [])
    checker.when([{"q": "eval_set", "in": ["none"]}, {"q": "labeled_examples", "min": 50}], "here")
    assert checker.referenced == {"eval_set", "labeled_examples"} and checker.thresholds == {"labeled_examples": {50.0}}
    assert checker.number("many", "n") == 0.0 and checker.number(True, "n") == 0.0 and checker.number(3, "n") == 3.0
    assert checker.approaches("LORA", "a") == [] and checker.approaches(["LORA"], "a") == ["LORA"]
    assert checker.text({"text": "Why.", "sources": ["S0"]}, "t") == Text("Why.", ("S0",))
    assert checker.text(None, "t") == Text("", ())
    assert problems == ["n: must be a number", "n: must be a number", "a: needs a list of approaches",
                        "t: missing text", "t: names no source"]
