"""What a wizard step shows of the questions that answers decide, and what check-answers lists."""

from __future__ import annotations

import json

from app.engine.bank import load_bank
from app.engine.model import UNKNOWN
from app.views import wizard as view

BANK = load_bank()
BEHAVIOUR = {"gap_types": ("behavior",)}


def shown(stored: dict, answers: dict | None = None) -> dict[str, dict]:
    items = view.step_questions(BANK, "data", stored, stored if answers is None else answers)
    return {item["question"].id: item for item in items}


def test_questions_decided_on_the_page_start_hidden_with_their_conditions() -> None:
    items = shown(BEHAVIOUR)
    assert items["label_quality"]["hidden"] and items["knowledge_churn"]["hidden"]
    assert json.loads(items["label_quality"]["applies"]) == [
        {"q": "labeled_examples", "op": "min", "values": [], "number": 10}]
    assert not items["labeled_examples"]["applies"] and not items["labeled_examples"]["hidden"]


def test_an_earlier_step_can_settle_it() -> None:
    items = shown({"gap_types": ("knowledge",)})
    assert items["knowledge_churn"]["applies"] == "" and not items["knowledge_churn"]["hidden"]


def test_the_answers_on_the_page_show_or_hide_it() -> None:
    assert not shown(BEHAVIOUR, {**BEHAVIOUR, "labeled_examples": 500})["label_quality"]["hidden"]
    assert shown(BEHAVIOUR, {**BEHAVIOUR, "labeled_examples": 5})["label_quality"]["hidden"]
    assert not shown(BEHAVIOUR, {**BEHAVIOUR, "labeled_examples": UNKNOWN})["label_quality"]["hidden"]


def test_check_answers_lists_what_applies_with_change_links_that_come_back() -> None:
    stored = {**BEHAVIOUR, "labeled_examples": 0, "knowledge_volume": "none", "label_quality": "mixed"}
    rows = {row["label"]: row for s in view.review_sections(BANK, "tok", stored) for row in s["rows"]}
    assert BANK.questions["label_quality"].label not in rows
    assert BANK.questions["knowledge_churn"].label not in rows
    assert rows[BANK.questions["labeled_examples"].label]["href"] == "/a/tok/data?return=review#q-labeled_examples"
