"""What the wizard templates show, computed from the bank and stored state (no HTTP, no SQL)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.engine import flow
from app.engine.model import UNKNOWN, Bank, Kind, Question

NOT_SURE = "Not sure"  # how an UNKNOWN answer reads on every page and export, never as the default it is scored at
EXPIRY_CHOICES = ((7, "in 7 days"), (30, "in 30 days"), (90, "in 90 days"), (180, "in 180 days"), (0, "never"))


def display_values(stored: Mapping[str, Any]) -> dict[str, list[str]]:
    """Stored typed answers as the lists of strings the form controls compare against: numbers as the team reads
    them (12,000), UNKNOWN as itself (the "Not sure" radio; an empty number field). Nothing for an unsaved question:
    a step shows no default, pre-selected or pre-filled (issue 11)."""
    shown: dict[str, list[str]] = {}
    for qid, value in stored.items():
        if isinstance(value, (list, tuple)):
            shown[qid] = [str(v) for v in value]
        elif isinstance(value, int) and not isinstance(value, bool):
            shown[qid] = [f"{value:,}"]
        else:
            shown[qid] = [str(value)]
    return shown


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
    """A stored answer in words: option labels, a number with its unit, or "Not sure"."""
    if value is None:
        return "Not answered"
    if value == UNKNOWN and question.kind is not Kind.MULTI:
        return NOT_SURE
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
                {
                    "label": q.label, "answer": answer_text(q, stored.get(q.id)),
                    "href": f"/a/{token}/{step.slug}#q-{q.id}",
                }
                for q in bank.step_questions(step.slug)
            ],
        }
        for step in bank.steps
    ]


def labels(bank: Bank) -> dict[str, str]:
    """Question id → label, for the error summary."""
    return {qid: q.label for qid, q in bank.questions.items()}


def step_context(
    bank: Bank, assessment: Any, stored: Mapping[str, Any], token: str, slug: str, values: Mapping[str, list[str]],
    *, errors: Mapping[str, str], notice: str, saved: bool, idem: str, edit_url: str,
) -> dict[str, Any]:
    """What a step page shows: its questions with their values and errors, the stepper, progress and saved state."""
    step = bank.step(slug)
    progress = flow.progress(bank, step)
    previous = flow.previous_slug(bank, slug)
    return {
        "assessment": assessment, "step": step, "questions": bank.step_questions(slug), "current": values,
        "errors": errors, "labels": labels(bank), "sources": bank.sources, "notice": notice,
        "progress": progress, "action": f"/a/{token}/{slug}", "version": assessment.version, "idem": idem,
        "back_href": f"/a/{token}/{previous}" if previous else "", "extra_template": "",
        "stepper": stepper(bank, token, slug, set(stored)), "oob": False,
        "saved_at": assessment.updated_at if assessment.version else None,
        "edit_url": edit_url, "manage_href": f"/a/{token}/manage",
        "announce": ("There is a problem: " if errors else ("Saved. " if saved else "")) + progress,
    }


def review_context(bank: Bank, assessment: Any, token: str, stored: Mapping[str, Any]) -> dict[str, Any]:
    """What the check-answers page shows: every answer with a Change link, how many are "Not sure", and the
    finish form."""
    return {
        "assessment": assessment, "sections": review_sections(bank, token, stored),
        "not_sure": sum(1 for q in bank.questions if stored.get(q) == UNKNOWN),
        "stepper": stepper(bank, token, flow.REVIEW, set(stored)), "oob": False,
        "finish_action": f"/a/{token}/finish", "finish_label": "Get the recommendation",
        "version": assessment.version, "expiry_choices": EXPIRY_CHOICES,
        "back_href": f"/a/{token}/{flow.slugs(bank)[-1]}",
    }
