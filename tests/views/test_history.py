"""The history of saves in words: who, which step, which answers changed from what to what."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from app.engine.knowledge import Knowledge
from app.views.history import SOMEONE, changed_answers, save_entries


@dataclass
class Saved:
    step: str
    contributor: str | None
    changes: dict[str, Any] | None
    created_at: datetime = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)


def test_a_save_reads_as_who_changed_which_answers(knowledge: Knowledge) -> None:
    data = knowledge.bank.steps[2]
    entries = save_entries(knowledge.bank, [
        Saved(data.slug, "Ana", {"labeled_examples": [500, 5000],
                                 "gap_types": [["behavior"], ["behavior", "knowledge"]]}),
        Saved("api", None, None),
    ])
    assert entries[0]["who"] == "Ana" and entries[0]["step"] == data.title
    examples = knowledge.bank.questions["labeled_examples"]
    assert entries[0]["changes"][0] == {"question": examples.label, "before": f"500 {examples.unit}",
                                        "after": f"5,000 {examples.unit}"}
    assert "Knowledge" in entries[0]["changes"][1]["after"]
    assert entries[1] == {"who": SOMEONE, "when": Saved.created_at, "step": "the JSON API", "changes": [],
                          "known": False}


def test_only_answers_that_change_are_recorded() -> None:
    before = {"labeled_examples": 500, "gap_types": ["knowledge", "behavior"], "eval_set": "none"}
    after = {"labeled_examples": 500, "gap_types": ["behavior", "knowledge"], "eval_set": "100plus", "new": "x"}
    assert changed_answers(before, after) == {"eval_set": ["none", "100plus"], "new": [None, "x"]}
