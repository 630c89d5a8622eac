"""Questions that do not apply are skipped: the bank's "applies when" conditions, checked, evaluated, and never
skipping a question whose answer the scoring would use."""

from __future__ import annotations

import itertools
from functools import cache

import pytest

from app.engine import applies, flow
from app.engine.bank import BankError, build_bank, read_toml
from app.engine.model import UNKNOWN, Context
from app.engine.rules import Knowledge, load_knowledge

EXAMPLES = (0, 5, 9, 10, 11, 500)


@cache
def knowledge() -> Knowledge:
    return load_knowledge()


def test_the_bank_skips_example_quality_and_content_churn() -> None:
    conditional = {q.id for q in knowledge().bank.questions.values() if q.applies_when}
    assert conditional == {"label_quality", "knowledge_churn"}


def grid(qid: str) -> list[dict[str, object]]:
    """Every combination of values of the answers that decide whether `qid` applies (and "Not sure")."""
    bank = knowledge().bank
    deciders = sorted(applies.deciders(bank.questions[qid]))
    values = []
    for d in deciders:
        q = bank.questions[d]
        if q.kind.value == "int":
            values.append([*EXAMPLES, UNKNOWN])
        elif q.kind.value == "multi":
            values.append([(o,) for o in q.option_values()] + [tuple(q.option_values())])
        else:
            values.append([*q.option_values(), UNKNOWN])
    return [dict(zip(deciders, combo)) for combo in itertools.product(*values)]


@pytest.mark.parametrize("qid", ["label_quality", "knowledge_churn"])
def test_a_skipped_question_is_one_the_scoring_ignores(qid: str) -> None:
    """Skipping never changes a score: wherever the wizard skips a question, rules.toml ignores its answer."""
    k = knowledge()
    question, (ignored, _) = k.bank.questions[qid], k.rules.ignored[qid]
    skipped = 0
    for answers in grid(qid):
        if not applies.applies(question, answers):
            skipped += 1
            assert ignored(Context(answers)), (qid, answers)
    assert skipped  # the grid reaches the skip


def test_only_a_known_answer_rules_a_question_out() -> None:
    quality = knowledge().bank.questions["label_quality"]
    assert applies.verdict(quality, {}) is None and applies.applies(quality, {})
    assert applies.verdict(quality, {"labeled_examples": UNKNOWN}) is None
    assert applies.verdict(quality, {"labeled_examples": 9}) is False
    assert applies.verdict(quality, {"labeled_examples": 10}) is True


def test_what_is_left_open_for_the_browser() -> None:
    churn = knowledge().bank.questions["knowledge_churn"]
    assert applies.residual(churn, {"gap_types": ("knowledge",)}) == []  # settled by the first step
    open_part = applies.residual(churn, {"gap_types": ("behavior",)})
    assert open_part == [{"any": [{"q": "knowledge_volume", "op": "not_in", "values": ["none"], "number": 0}]}]
    assert applies.residual(churn, {"gap_types": ("behavior",), "knowledge_volume": "none"}) is None


def test_a_step_is_complete_without_the_questions_that_do_not_apply() -> None:
    bank = knowledge().bank
    stored = {"gap_types": ("behavior",), "failure_mode": "x", "task_stability": "x", "deliverable": "x",
              "prompt_maturity": "x", "eval_set": "x", "labeled_examples": 0, "raw_domain_text": "none",
              "knowledge_volume": "none", "citations_required": "no"}
    assert flow.first_incomplete(bank, stored) == "output"
    assert [q.id for q in flow.asked(bank, "data", stored)] == [
        "labeled_examples", "raw_domain_text", "knowledge_volume", "citations_required"]
    assert flow.first_incomplete(bank, {**stored, "labeled_examples": 50}) == "data"


def test_keep_applicable_keeps_stored_answers_and_asks_what_now_applies() -> None:
    bank = knowledge().bank
    stored = {"gap_types": ("behavior",), "label_quality": "expert_reviewed"}
    form = {"labeled_examples": ["0"], "label_quality": ["noisy_unknown"], "knowledge_volume": ["none"]}
    kept = flow.keep_applicable(bank, "data", flow.parse_step(bank, "data", form), stored, form)
    assert "label_quality" not in kept.answers and "knowledge_churn" not in kept.answers  # ruled out: stored stays
    form = {"labeled_examples": ["500"], "knowledge_volume": ["none"]}
    kept = flow.keep_applicable(bank, "data", flow.parse_step(bank, "data", form), {}, form)
    assert "label_quality" not in kept.answers  # hidden on the page, applies now: asked next, not "Not sure"
    kept = flow.keep_applicable(bank, "data", flow.parse_step(bank, "data", form), {}, [*form, "label_quality"])
    assert kept.answers["label_quality"] == UNKNOWN  # shown and left empty: "Not sure"


@pytest.mark.parametrize(("condition", "problem"), [
    ({"q": "labeled_examples", "min": "ten"}, "needs a whole number"),
    ({"q": "labeled_examples", "above": 3}, "bad applies_when condition"),
    ({"q": "raw_domain_text", "in": ["huge"]}, "has no option 'huge'"),
    ({"q": "raw_domain_text", "min": 3}, "does not apply to 'raw_domain_text'"),
    ({"q": "monthly_calls", "min": 3}, "is not a question asked before it"),
])
def test_bad_conditions_are_reported(condition: dict[str, object], problem: str) -> None:
    raw = read_toml("questions.toml")
    quality = next(q for q in raw["questions"] if q["id"] == "label_quality")
    quality["applies_when"] = [condition]
    with pytest.raises(BankError) as error:
        build_bank(raw, read_toml("sources.toml"))
    assert any(problem in p for p in error.value.problems), error.value.problems
