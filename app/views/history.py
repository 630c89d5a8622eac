"""Who changed what (issue 13): the questionnaire saves in words, for the manage page and the conflict page."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, Protocol

from app.engine.model import Bank
from app.views.wizard import answer_text

SOMEONE = "Someone with the edit link"
NOT_IN_A_STEP = {"api": "the JSON API"}


class Save(Protocol):
    """What a stored save (store/models.Submission) offers."""

    @property
    def step(self) -> str: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def contributor(self) -> str | None: ...
    @property
    def changes(self) -> Mapping[str, Any] | None: ...


def save_entries(bank: Bank, saves: Iterable[Save]) -> list[dict[str, Any]]:
    """Each save: who, when, which step, and the answers it changed (question, before, after, in words)."""
    titles = {s.slug: s.title for s in bank.steps} | NOT_IN_A_STEP
    out = []
    for save in saves:
        changed = []
        for qid, (before, after) in (save.changes or {}).items():
            q = bank.questions.get(qid)
            if q is not None:
                changed.append({"question": q.label, "before": answer_text(q, before), "after": answer_text(q, after)})
        out.append({"who": save.contributor or SOMEONE, "when": save.created_at,
                    "step": titles.get(save.step, save.step), "changes": changed, "known": save.changes is not None})
    return out


def changed_answers(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """question → [before, after] for each answer a save changes (None: not answered before)."""
    return {qid: [before.get(qid), value] for qid, value in after.items() if _same(before.get(qid)) != _same(value)}


def _same(value: Any) -> Any:
    """Multi-choice answers compare as sets; form values and stored values compare alike."""
    return tuple(sorted(map(str, value))) if isinstance(value, (list, tuple)) else value


def meanwhile_sentences(entries: Iterable[Mapping[str, Any]]) -> list[str]:
    """What others saved since a page was opened, as sentences for the conflict notice (oldest first)."""
    out = []
    for entry in reversed(list(entries)):
        what = "; ".join(f"{c['question']} {c['before']} → {c['after']}" for c in entry["changes"])
        out.append(f"Meanwhile {entry['who']} saved “{entry['step']}”" + (f": {what}." if what else "."))
    return out
