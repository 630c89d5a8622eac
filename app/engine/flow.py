"""Wizard flow: step order, progress, and parsing submitted answers into typed values.

Unknown is not a default (issue 11): a question left unanswered, or answered "Not sure", is UNKNOWN, never the
question's default; only the gap types (a multi-select question) must be answered. Numbers are read as people
write them: 12,000, 12 000, 500k, 2M, 1.5M, 3B."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from string import ascii_letters
from typing import NoReturn

from . import applies
from .model import UNKNOWN, AnswerValue, Bank, Kind, Question, Step

REVIEW = "review"
RETURN = "return"  # the query parameter and form field of a change made from the review page: return=review
REQUIRED = "Select at least one option."  # the gap types: the one question that must be answered
# k, M and B multiply by a thousand, a million and a billion (case-insensitive: 2m is 2M).
SUFFIXES = {"k": 10**3, "m": 10**6, "b": 10**9}
# Between groups of three digits: a comma, a space or a thin space (U+2009). Never "_" or ".": 1.500 would be
# 1.5 to some readers and 1500 to others, so a point is always a decimal point.
SEPARATORS = ", \u2009"
_GROUPED = re.compile(r"[0-9]{1,3}(?P<sep>[, \u2009])[0-9]{3}(?:(?P=sep)[0-9]{3})*")
_LONGEST = 15  # more digits than any maximum (10^12) has: out of range, never converted (no 10,000-digit int())


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


def asked(bank: Bank, slug: str, answers: Mapping[str, object]) -> tuple[Question, ...]:
    """The questions of a step that the wizard asks: those the known answers do not rule out."""
    return tuple(q for q in bank.step_questions(slug) if applies.applies(q, answers))


def first_incomplete(bank: Bank, answered: Mapping[str, object]) -> str | None:
    """The first step with an unanswered question that applies (None when every step is complete)."""
    for step in bank.steps:
        if any(q.id not in answered for q in asked(bank, step.slug, answered)):
            return step.slug
    return None


def keep_applicable(bank: Bank, slug: str, parsed: Parsed, stored: Mapping[str, object],
                    shown: Iterable[str]) -> Parsed:
    """The answers of a submitted step that are stored. None for a question the submitted answers rule out: its
    stored answer stays, in case the deciding answer changes back. None for a question that was not on the page
    (`shown`: the fields sent and the questions the page says it showed) when it has a stored answer (kept) or now
    surely applies (the wizard asks it next instead of storing "Not sure"); deciding answers that are "Not sure"
    ask nothing more, and it is "Not sure" too."""
    after = {**stored, **parsed.answers}
    on_page = set(shown)
    skip = {q.id for q in bank.step_questions(slug) if q.applies_when and (not applies.applies(q, after) or (
        q.id not in on_page and (q.id in stored or applies.verdict(q, after) is True)))}
    return Parsed({k: v for k, v in parsed.answers.items() if k not in skip},
                  {k: v for k, v in parsed.errors.items() if k not in skip})


def may_open(bank: Bank, slug: str, answered: Mapping[str, object]) -> bool:
    """A step may be opened once every step before it is complete (sequential order)."""
    blocker = first_incomplete(bank, answered)
    if blocker is None:
        return True
    order = slugs(bank) + (REVIEW,)
    return order.index(slug) <= order.index(blocker)


def allows_unknown(question: Question) -> bool:
    """Every question may be answered "Not sure" except a multi-select one (the gap types)."""
    return question.kind is not Kind.MULTI


def parse_step(bank: Bank, slug: str, form: Mapping[str, Sequence[str]]) -> Parsed:
    """Parse the submitted fields of one step; unknown fields and every bad answer are errors. A question left
    unanswered is UNKNOWN, so a submitted step stores every one of its questions."""
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
    """Turn the raw submitted strings for one question into its typed value (UNKNOWN when none is given)."""
    values = [v.strip() for v in raw if v.strip()]
    if question.kind is Kind.MULTI:
        return _parse_multi(question, values)
    if not values:
        return UNKNOWN
    if len(values) > 1:
        raise InvalidAnswer(question.id, "Give one answer only.")
    if values[0].lower() == UNKNOWN:
        return UNKNOWN
    if question.kind is Kind.INT:
        return parse_number(question, values[0])
    if values[0] not in question.option_values():
        raise InvalidAnswer(question.id, f"{values[0]!r} is not one of the options.")
    return values[0]


def check_value(question: Question, value: object) -> AnswerValue:
    """Validate an already-typed value (the JSON API) with the same rules as the form; "unknown" is UNKNOWN."""
    if question.kind is Kind.MULTI:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise InvalidAnswer(question.id, "Give a list of option values; this question cannot be \"unknown\".")
        return _parse_multi(question, value)
    if isinstance(value, str) and value.strip().lower() == UNKNOWN:
        return UNKNOWN
    if question.kind is Kind.INT:
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidAnswer(question.id, f"{_name(question)}: give a whole number (a JSON integer) or "
                                             f"\"unknown\", not {_quoted(value)}.")
        return _in_range(question, value)
    if not isinstance(value, str):
        raise InvalidAnswer(question.id, "Give one option value as text, or \"unknown\".")
    return parse_answer(question, [value])


def check_answers(bank: Bank, answers: Mapping[str, object]) -> tuple[dict[str, AnswerValue], list[dict[str, str]]]:
    """JSON answers (API, CLI): every question typed, UNKNOWN where omitted or "unknown" (the gap types are
    required), and one error per bad field."""
    typed: dict[str, AnswerValue] = {}
    errors = [
        {"field": f"answers.{qid}", "message": "Unknown question id."} for qid in answers if qid not in bank.questions
    ]
    for question in bank.questions.values():
        if question.id not in answers and allows_unknown(question):
            typed[question.id] = UNKNOWN
            continue
        try:
            if question.id not in answers:
                raise InvalidAnswer(question.id, REQUIRED)
            typed[question.id] = check_value(question, answers[question.id])
        except InvalidAnswer as error:
            errors.append({"field": f"answers.{question.id}", "message": error.message})
    return typed, errors


def parse_number(question: Question, text: str) -> int:
    """A whole number as people write it, within the question's bounds: digits with a comma, space or thin space
    between groups of three (12,000; 12 000), optionally a decimal and k, M or B (500k, 1.5M, 3B)."""
    shown = text.strip()
    body, suffix = _split(shown)
    name, quoted = _name(question), _quoted(shown)
    not_a_number = f"{name}: {quoted} is not a number; enter digits, like 12,000, 500k or 2M."
    if suffix and not body:
        raise InvalidAnswer(question.id, not_a_number)
    if suffix and suffix.lower() not in SUFFIXES:
        raise InvalidAnswer(question.id, f"{name}: {quoted} ends in {_quoted(suffix)}, which is not a suffix we know; "
                                         "use k (thousand), M (million) or B (billion), as in 500k or 2M.")
    if body.startswith(("-", "\u2212")):
        raise InvalidAnswer(question.id, f"{name} cannot be negative ({quoted}); "
                                         f"enter a number from {question.minimum:,} to {question.maximum:,}.")
    if body.count(".") > 1:
        raise InvalidAnswer(question.id, f"{name}: {quoted} has more than one decimal point.")
    whole, point, fraction = body.partition(".")
    if not _digits(whole, SEPARATORS) or (point and not _digits(fraction, "")):
        raise InvalidAnswer(question.id, not_a_number)
    if any(c in SEPARATORS for c in whole) and not _GROUPED.fullmatch(whole):
        raise InvalidAnswer(question.id, f"{name}: in {quoted}, put one kind of separator between groups of three "
                                         "digits, as in 12,000 or 12 000; a decimal takes a point, as in 1.5M.")
    if point and not suffix:
        raise InvalidAnswer(question.id, f"{name}: {quoted} is not a whole number; a decimal needs k, M or B "
                                         "after it, as in 1.5M.")
    digits = "".join(c for c in whole if c.isdigit()).lstrip("0") or "0"
    if len(digits) > _LONGEST:
        _out_of_range(question, 10**_LONGEST)
    scale, places = SUFFIXES.get(suffix.lower(), 1), fraction.rstrip("0")
    if 10 ** len(places) > scale:
        raise InvalidAnswer(question.id, f"{name}: {quoted} is not a whole number of {question.unit}.")
    number = int(digits) * scale + int(places or "0") * (scale // 10 ** len(places))
    return _in_range(question, number, f" ({quoted} is {number:,})" if suffix else "")


def _split(text: str) -> tuple[str, str]:
    """The number and its trailing letters: '2M' and '2 M' → ('2', 'M'), '5x' → ('5', 'x'), '120' → ('120', '')."""
    end = len(text)
    while end and text[end - 1] in ascii_letters:
        end -= 1
    body = text[:end]
    return (body[:-1] if end < len(text) and body[-1:].isspace() else body), text[end:]


def _digits(text: str, separators: str) -> bool:
    """True for ASCII digits (and the given separators), at least one digit."""
    return any(c.isdigit() for c in text) and all(c in "0123456789" or c in separators for c in text)


def _in_range(question: Question, number: int, read: str = "") -> int:
    """The number when it lies within the question's bounds; else an error saying what it was read as."""
    if question.minimum <= number <= question.maximum:
        return number
    _out_of_range(question, number, read)


def _out_of_range(question: Question, number: int, read: str = "") -> NoReturn:
    """Raise the out-of-range message: which bound, what the text was read as, the range to enter."""
    problem = ("cannot be negative" if number < 0 else f"must be {question.minimum:,} or more"
               ) if number < question.minimum else f"must be {question.maximum:,} or fewer"
    raise InvalidAnswer(question.id, f"{_name(question)} {problem}{read}; "
                                     f"enter a number from {question.minimum:,} to {question.maximum:,}.")


def _name(question: Question) -> str:
    """How a numeric question is named in its messages: 'Number of examples', 'Number of calls a month'."""
    return "Number of " + question.unit.replace("/", " a ")


def _quoted(value: object) -> str:
    """A typed or JSON value as a message quotes it, cut short: a message names what was wrong, it is no echo."""
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:37] + "..."


def _parse_multi(question: Question, values: Sequence[str]) -> tuple[str, ...]:
    """A multi-select answer: at least one known option, each once, in bank order; never UNKNOWN."""
    if not values:
        raise InvalidAnswer(question.id, REQUIRED)
    if [v.lower() for v in values] == [UNKNOWN]:
        raise InvalidAnswer(question.id, f"{REQUIRED[:-1]}: this question cannot be answered \"Not sure\".")
    unknown = [v for v in values if v not in question.option_values()]
    if unknown:
        raise InvalidAnswer(question.id, f"{unknown[0]!r} is not one of the options.")
    return tuple(v for v in question.option_values() if v in values)
