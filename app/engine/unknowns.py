"""Answers the team does not know yet (issue 11): scored at the specification's default, then probed.

An unknown answer is not a default. It is scored at the question's default (the specification's reading of "no
information"), and then re-scored at every other value, one unknown at a time, like the counterfactuals of §6.7c:
every option of a single-select question, and for a number a ladder of representative values across its range.
When one of those values changes the primary, the recommendation depends on something the team does not know
yet, and the confidence label cannot be High. This is the imprecise-input idea of §6.7(d) (DecideIT,
Entscheidungsnavi), checked one answer at a time instead of sampled."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .model import UNKNOWN, Answers, AnswerValue, Kind, Question

# Representative numbers: each decade from 1 to a trillion, and 0 (a number's range may start there).
DECADES = (0, *(10**e for e in range(13)))
Primary = Callable[[dict[str, AnswerValue]], tuple[str, str | None]]


@dataclass(frozen=True)
class Alternative:
    """One value of an unknown answer that gives another primary (via a gate, when one is responsible)."""

    answer: AnswerValue
    primary: str
    via: str | None


@dataclass(frozen=True)
class Unknown:
    """One question the team did not answer: the value it was scored at, and the values that change the primary."""

    question: str
    scored_as: AnswerValue
    alternatives: tuple[Alternative, ...]


def unknown_ids(questions: Sequence[Question], answers: Answers) -> tuple[str, ...]:
    """The questions, in bank order, that the answers leave out or mark as UNKNOWN."""
    return tuple(q.id for q in questions if answers.get(q.id, UNKNOWN) == UNKNOWN)


def probe_values(question: Question) -> tuple[AnswerValue, ...]:
    """The values an unknown answer is re-scored at: every option, or representative numbers in range."""
    if question.kind is Kind.SINGLE:
        return tuple(question.option_values())
    if question.kind is Kind.INT:
        return tuple(n for n in DECADES if question.minimum <= n <= question.maximum)
    raise ValueError(f"{question.id}: a multi-select question cannot be unknown")


def probe(
    questions: Mapping[str, Question], unknown: Sequence[str], scored: Mapping[str, AnswerValue], primary: str,
    outcome: Primary,
) -> tuple[Unknown, ...]:
    """Re-score each unknown at its other values, one at a time; `outcome(answers)` gives (primary, gate)."""
    found = []
    for qid in unknown:
        alternatives = []
        for value in probe_values(questions[qid]):
            if value == scored[qid]:
                continue
            new, via = outcome({**scored, qid: value})
            if new != primary:
                alternatives.append(Alternative(value, new, via))
        found.append(Unknown(qid, scored[qid], tuple(alternatives)))
    return tuple(found)


def capped(label: str, unknowns: Sequence[Unknown], limits: Mapping[str, float], high: str, medium: str) -> str:
    """The confidence label, lowered to Medium when High rests on unknown answers: one of them changes the
    primary, or more of them are unknown than `max_unknown_for_high` (one at a time cannot see them move
    together)."""
    if not label.startswith(high):
        return label
    depends = any(u.alternatives for u in unknowns)
    if depends or len(unknowns) > limits["max_unknown_for_high"]:
        return medium
    return label


def unknown_dicts(
    questions: Mapping[str, Question], labels: Mapping[str, str], probes: Sequence[Unknown],
) -> list[dict[str, Any]]:
    """The probes as JSON-ready dicts; each that changes the primary carries its sentence for the report:
    '<question>: if <answer>, <approach>; if …'."""
    out = []
    for u in probes:
        q = questions[u.question]
        alternatives = [
            {"answer": a.answer, "answer_label": _answer_label(q, a.answer), "primary": a.primary,
             "primary_label": labels[a.primary], "via": a.via}
            for a in u.alternatives
        ]
        text = "; ".join(f"if {a['answer_label']}, {a['primary_label']}" for a in alternatives)
        out.append({
            "question": q.id, "question_label": q.label, "scored_as": u.scored_as,
            "scored_as_label": _answer_label(q, u.scored_as), "depends": bool(alternatives),
            "alternatives": alternatives, "text": f"{q.label}: {text}" if alternatives else "",
        })
    return out


def _answer_label(question: Question, value: AnswerValue) -> str:
    """An option's label, or a number with its unit ('10,000 examples')."""
    if isinstance(value, int):
        return f"{value:,} {question.unit}".strip()
    return question.option_label(str(value))
