"""Enums and frozen dataclasses shared by the engine: approaches, axes, the question bank."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Mapping, Union

AnswerValue = Union[str, int, tuple[str, ...]]
Answers = Mapping[str, AnswerValue]


class Approach(str, Enum):
    """The six outcomes, in the tie-break order of decision-model.md §6.9 reading 9."""

    PROMPT = "PROMPT"
    RAG = "RAG"
    LORA = "LORA"
    FT_FULL = "FT_FULL"
    HYBRID = "HYBRID"
    INTEGRATION = "INTEGRATION"


class Axis(str, Enum):
    """The six comparison axes (decision-model.md §6.1)."""

    FIT = "fit"
    DATA = "data"
    SPEED = "speed"
    COST = "cost"
    RISK = "risk"
    CHANGE = "change"


class Kind(str, Enum):
    """How a question is answered."""

    SINGLE = "single"
    MULTI = "multi"
    INT = "int"


@dataclass(frozen=True)
class Option:
    """One choice of a single- or multi-select question."""

    value: str
    label: str


@dataclass(frozen=True)
class Question:
    """One question of the bank (decision-model.md §6.2)."""

    id: str
    step: str
    order: int
    kind: Kind
    label: str
    help: str
    why: str
    sources: tuple[str, ...]
    options: tuple[Option, ...] = ()
    default: AnswerValue | None = None
    unit: str = ""
    minimum: int = 0
    maximum: int = 0

    def option_values(self) -> tuple[str, ...]:
        """The allowed option values, in display order."""
        return tuple(o.value for o in self.options)

    def option_label(self, value: str) -> str:
        """The label of one option value (the value itself when unknown)."""
        return next((o.label for o in self.options if o.value == value), value)


@dataclass(frozen=True)
class Step:
    """One wizard step: a slug, a title and its questions in order."""

    slug: str
    title: str
    intro: str
    number: int
    question_ids: tuple[str, ...]


@dataclass(frozen=True)
class Source:
    """A cited source: its tag, title and address."""

    tag: str
    title: str
    url: str


@dataclass(frozen=True)
class Bank:
    """The validated question bank: steps, questions and the sources they cite."""

    version: str
    steps: tuple[Step, ...]
    questions: Mapping[str, Question]
    sources: Mapping[str, Source] = field(default_factory=dict)

    def step(self, slug: str) -> Step:
        """The step with this slug (KeyError when unknown)."""
        for step in self.steps:
            if step.slug == slug:
                return step
        raise KeyError(slug)

    def step_questions(self, slug: str) -> tuple[Question, ...]:
        """The questions of one step, in order."""
        return tuple(self.questions[q] for q in self.step(slug).question_ids)

    def defaults(self) -> dict[str, AnswerValue]:
        """The default answer of every question that has one."""
        return {q.id: q.default for q in self.questions.values() if q.default is not None}
