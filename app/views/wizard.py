"""What the wizard templates show, computed from the bank and stored state (no HTTP, no SQL)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from app.engine import applies, flow
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


def stepper(bank: Bank, token: str, current: str, answered: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One entry per step (and the review page): label, link, state and whether it may be opened."""
    items = []
    for step in bank.steps:
        complete = all(q.id in answered for q in flow.asked(bank, step.slug, answered))
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
    """The check-your-answers page: each step's questions that apply, with the answer and a Change link that comes
    back here."""
    return [
        {
            "number": step.number, "title": step.title,
            "rows": [
                {
                    "label": q.label, "answer": answer_text(q, stored.get(q.id)),
                    "href": f"/a/{token}/{step.slug}?{flow.RETURN}={flow.REVIEW}#q-{q.id}",
                }
                for q in flow.asked(bank, step.slug, stored)
            ],
        }
        for step in bank.steps
    ]


def step_questions(bank: Bank, slug: str, stored: Mapping[str, Any],
                   answers: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The questions a step shows. One that answers on earlier steps rule out is left out; one that answers on
    this step decide carries its open conditions for the browser, and starts hidden unless `answers` (what the page
    shows now) make it apply. A deciding answer not given yet hides it; "Not sure" shows it."""
    here = set(bank.step(slug).question_ids)
    earlier = {k: v for k, v in stored.items() if k not in here}
    shown = []
    for q in bank.step_questions(slug):
        open_conditions = applies.residual(q, earlier)
        if open_conditions is None:
            continue
        visible = applies.verdict(q, answers) is True or (
            applies.verdict(q, answers) is None and applies.deciders(q) & here <= set(answers))
        shown.append({"question": q, "applies": json.dumps(open_conditions) if open_conditions else "",
                      "hidden": bool(open_conditions) and not visible})
    return shown


def labels(bank: Bank) -> dict[str, str]:
    """Question id → label, for the error summary."""
    return {qid: q.label for qid, q in bank.questions.items()}


def step_context(
    bank: Bank, assessment: Any, stored: Mapping[str, Any], token: str, slug: str, values: Mapping[str, list[str]],
    *, errors: Mapping[str, str], notice: str, saved: bool, idem: str, edit_url: str,
    answers: Mapping[str, Any] | None = None, returning: bool = False,
) -> dict[str, Any]:
    """What a step page shows: its questions with their values and errors, the stepper, progress and saved state.
    `answers` are the typed answers the page shows (default: the stored ones); `returning` is a change made from
    the check-answers page, which saving goes back to."""
    step = bank.step(slug)
    progress = flow.progress(bank, step)
    previous = flow.previous_slug(bank, slug)
    back = f"/a/{token}/{flow.REVIEW}" if returning else (f"/a/{token}/{previous}" if previous else "")
    return {
        "assessment": assessment, "step": step, "current": values, "returning": returning,
        "questions": step_questions(bank, slug, stored, stored if answers is None else answers),
        "submit_label": "Save and return to check answers" if returning else "Save and continue",
        "back_label": "Back to check answers" if returning else "Back",
        "errors": errors, "labels": labels(bank), "sources": bank.sources, "notice": notice,
        "progress": progress, "action": f"/a/{token}/{slug}", "version": assessment.version, "idem": idem,
        "back_href": back, "extra_template": "",
        "stepper": stepper(bank, token, slug, stored), "oob": False,
        "saved_at": assessment.updated_at if assessment.version else None,
        "edit_url": edit_url, "manage_href": f"/a/{token}/manage",
        "announce": ("There is a problem: " if errors else ("Saved. " if saved else "")) + progress,
    }


def review_context(bank: Bank, assessment: Any, token: str, stored: Mapping[str, Any]) -> dict[str, Any]:
    """What the check-answers page shows: every answer with a Change link, how many are "Not sure", and the
    finish form."""
    return {
        "assessment": assessment, "sections": review_sections(bank, token, stored),
        "not_sure": sum(1 for step in bank.steps for q in flow.asked(bank, step.slug, stored)
                        if stored.get(q.id) == UNKNOWN),
        "stepper": stepper(bank, token, flow.REVIEW, stored), "oob": False,
        "finish_action": f"/a/{token}/finish", "finish_label": "Get the recommendation",
        "version": assessment.version, "expiry_choices": EXPIRY_CHOICES,
        "back_href": f"/a/{token}/{flow.slugs(bank)[-1]}",
    }


def result_entry(result: Any, names: Mapping[str, str], base: str) -> dict[str, Any]:
    """One stored result as the team pages show it: its id, when, and the recommendation in words, not codes."""
    return {"id": result.id, "created_at": result.created_at, "anchor": f"result-{result.id}",
            "recommendation": names.get(result.recommendation, result.recommendation),
            "manage_href": f"{base}/manage#result-{result.id}", "links_action": f"{base}/links"}
