"""What the wizard templates show, computed from the bank and stored state (no HTTP, no SQL)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.engine import flow
from app.engine.model import Bank, Kind, Question


def display_values(stored: Mapping[str, Any]) -> dict[str, list[str]]:
    """Stored typed answers as the lists of strings the form controls compare against."""
    shown: dict[str, list[str]] = {}
    for qid, value in stored.items():
        if isinstance(value, (list, tuple)):
            shown[qid] = [str(v) for v in value]
        elif isinstance(value, int) and not isinstance(value, bool):
            shown[qid] = [f"{value:,}"]
        else:
            shown[qid] = [str(value)]
    return shown


def with_defaults(bank: Bank, stored: Mapping[str, Any]) -> dict[str, Any]:
    """Stored answers over the bank's defaults: what a step shows before it is first saved."""
    return {**bank.defaults(), **stored}


def stepper(bank: Bank, token: str, current: str, answered: set[str]) -> list[dict[str, Any]]:
    """One entry per step (and the review page): label, link, state and whether it may be opened."""
    items = []
    for step in bank.steps:
        complete = set(step.question_ids) <= answered
        state = "current" if step.slug == current else ("completed" if complete else "not started")
        items.append({
            "label": f"{step.number}. {step.title}", "href": f"/a/{token}/{step.slug}",
            "state": state, "reachable": flow.may_open(bank, step.slug, answered),
        })
    review_state = "current" if current == flow.REVIEW else "not started"
    items.append({
        "label": "Check answers", "href": f"/a/{token}/{flow.REVIEW}", "state": review_state,
        "reachable": flow.first_incomplete(bank, answered) is None,
    })
    return items


def answer_text(question: Question, value: Any) -> str:
    """A stored answer in words: option labels, or a number with its unit."""
    if value is None:
        return "Not answered"
    if question.kind is Kind.INT:
        return f"{int(value):,} {question.unit}"
    if question.kind is Kind.MULTI:
        return "; ".join(question.option_label(v) for v in value)
    return question.option_label(str(value))


def review_sections(bank: Bank, token: str, stored: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The check-your-answers page: each step's questions with the answer and a Change link."""
    return [
        {
            "number": step.number, "title": step.title,
            "rows": [
                {"label": q.label, "answer": answer_text(q, stored.get(q.id)), "href": f"/a/{token}/{step.slug}#q-{q.id}"}
                for q in bank.step_questions(step.slug)
            ],
        }
        for step in bank.steps
    ]


def labels(bank: Bank) -> dict[str, str]:
    """Question id → label, for the error summary."""
    return {qid: q.label for qid, q in bank.questions.items()}
