"""Wizard flow: step order, progress, and parsing submitted answers into typed values."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from .model import AnswerValue, Bank, Kind, Question, Step

REVIEW = "review"


class InvalidAnswer(ValueError):
    """One answer failed validation; the message says why in plain words."""

    def __init__(self, question_id: str, message: str) -> None:
        super().__init__(f"{question_id}: {message}")
        self.question_id = question_id
        self.message = message


@dataclass(frozen=True)
class Parsed:
    """The typed answers of one submitted step, and the message for each invalid field."""

    answers: dict[str, AnswerValue] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def slugs(bank: Bank) -> tuple[str, ...]:
    """Every step slug, in wizard order."""
    return tuple(s.slug for s in bank.steps)


def next_slug(bank: Bank, slug: str) -> str:
    """The slug after this one; the last step leads to the review page."""
    order = slugs(bank)
    index = order.index(slug)
    return order[index + 1] if index + 1 < len(order) else REVIEW


def previous_slug(bank: Bank, slug: str) -> str | None:
    """The slug before this one (the last step before review); None on the first step."""
    order = slugs(bank)
    index = len(order) if slug == REVIEW else order.index(slug)
    return order[index - 1] if index > 0 else None


def progress(bank: Bank, step: Step) -> str:
    """The progress text used in the title, the stepper and the live region."""
    return f"Step {step.number} of {len(bank.steps)} — {step.title}"


def first_incomplete(bank: Bank, answered: Iterable[str]) -> str | None:
    """The first step with an unanswered question (None when every step is complete)."""
    done = set(answered)
    for step in bank.steps:
        if not set(step.question_ids) <= done:
            return step.slug
    return None


def may_open(bank: Bank, slug: str, answered: Iterable[str]) -> bool:
    """A step may be opened once every step before it is complete (sequential order)."""
    blocker = first_incomplete(bank, answered)
    if blocker is None:
        return True
    order = slugs(bank) + (REVIEW,)
    return order.index(slug) <= order.index(blocker)


def parse_step(bank: Bank, slug: str, form: Mapping[str, Sequence[str]]) -> Parsed:
    """Parse the submitted fields of one step; unknown fields and every bad answer are errors."""
    questions = {q.id: q for q in bank.step_questions(slug)}
    parsed = Parsed()
    for name in form:
        if name not in questions:
            parsed.errors[name] = f"Unknown question id {name!r} for this step."
    for question in questions.values():
        try:
            parsed.answers[question.id] = parse_answer(question, form.get(question.id, ()))
        except InvalidAnswer as error:
            parsed.errors[question.id] = error.message
    return parsed


def parse_answer(question: Question, raw: Sequence[str]) -> AnswerValue:
    """Turn the raw submitted strings for one question into its typed value."""
    values = [v.strip() for v in raw if v.strip()]
    if question.kind is Kind.MULTI:
        return _parse_multi(question, values)
    if not values:
        raise InvalidAnswer(question.id, _missing_message(question))
    if len(values) > 1:
        raise InvalidAnswer(question.id, "Give one answer only.")
    if question.kind is Kind.INT:
        return _parse_int(question, values[0])
    if values[0] not in question.option_values():
        raise InvalidAnswer(question.id, f"{values[0]!r} is not one of the options.")
    return values[0]


def check_value(question: Question, value: object) -> AnswerValue:
    """Validate an already-typed value (the JSON API) with the same rules as the form."""
    if question.kind is Kind.MULTI:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise InvalidAnswer(question.id, "Give a list of option values.")
        return _parse_multi(question, value)
    if question.kind is Kind.INT:
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidAnswer(question.id, f"Enter a whole number of {question.unit}.")
        return _parse_int(question, str(value))
    if not isinstance(value, str):
        raise InvalidAnswer(question.id, "Give one option value as text.")
    return parse_answer(question, [value])


def check_answers(bank: Bank, answers: Mapping[str, object]) -> tuple[dict[str, AnswerValue], list[dict[str, str]]]:
    """JSON answers (API, CLI): typed values over the defaults, and one error per bad field."""
    typed: dict[str, AnswerValue] = {}
    errors = [
        {"field": f"answers.{qid}", "message": "Unknown question id."} for qid in answers if qid not in bank.questions
    ]
    for question in bank.questions.values():
        if question.id not in answers:
            if question.default is None:
                errors.append({"field": f"answers.{question.id}", "message": _missing_message(question)})
            continue
        try:
            typed[question.id] = check_value(question, answers[question.id])
        except InvalidAnswer as error:
            errors.append({"field": f"answers.{question.id}", "message": error.message})
    return {**bank.defaults(), **typed}, errors


def _parse_multi(question: Question, values: Sequence[str]) -> tuple[str, ...]:
    """A multi-select answer: at least one known option, each once, in bank order."""
    if not values:
        raise InvalidAnswer(question.id, _missing_message(question))
    unknown = [v for v in values if v not in question.option_values()]
    if unknown:
        raise InvalidAnswer(question.id, f"{unknown[0]!r} is not one of the options.")
    return tuple(v for v in question.option_values() if v in values)


def _parse_int(question: Question, text: str) -> int:
    """A whole number within the question's bounds; thousands separators are accepted."""
    cleaned = text.replace(",", "").replace("_", "").replace(" ", "")
    if not cleaned.lstrip("-").isdigit() or not cleaned.isascii():
        raise InvalidAnswer(question.id, f"Enter a whole number of {question.unit}, in digits (for example 1,200).")
    number = int(cleaned)
    if not question.minimum <= number <= question.maximum:
        raise InvalidAnswer(
            question.id,
            f"Enter a number from {question.minimum:,} to {question.maximum:,} {question.unit}.",
        )
    return number


def _missing_message(question: Question) -> str:
    """The message for a required answer that was left out."""
    if question.kind is Kind.MULTI:
        return "Select at least one option."
    if question.kind is Kind.INT:
        return f"Enter the number of {question.unit}."
    return "Select an option."
