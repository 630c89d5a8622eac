"""Enums and frozen dataclasses shared by the engine: approaches, the question bank, rules and axis info.

The axes are no enum: they are data (axes.toml, loaded by axes.py)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Union

AnswerValue = Union[str, int, tuple[str, ...]]
Answers = Mapping[str, AnswerValue]
# A question the team has not answered, or answered "Not sure" (every question but the gap types allows it).
# Stored and exported as this string; the engine scores it at the question's default and probes the others.
UNKNOWN = "unknown"


class Approach(str, Enum):
    """The six outcomes, in the tie-break order of decision-model.md §6.9 reading 9."""

    PROMPT = "PROMPT"
    RAG = "RAG"
    LORA = "LORA"
    FT_FULL = "FT_FULL"
    HYBRID = "HYBRID"
    INTEGRATION = "INTEGRATION"


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
class Requirement:
    """One condition of a question's "applies when" (questions.toml): a test of one answer, or any of several."""

    question: str = ""
    op: str = ""
    values: tuple[str, ...] = ()
    number: int = 0
    any: tuple[Requirement, ...] = ()


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
    applies_when: tuple[Requirement, ...] = ()  # all must hold for the wizard to ask it; empty: always asked

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


# ---------------------------------------------------------------- knowledge (rules, prices)


@dataclass
class Context:
    """What a rule condition can look at: the answers and what scoring decided so far."""

    answers: Mapping[str, AnswerValue]
    combos: set[str] = field(default_factory=set)
    gate_blocks: dict[str, frozenset[str]] = field(default_factory=dict)
    primary: str | None = None
    companion: str | None = None
    provider_closed: bool = False


Condition = Callable[[Context], bool]


@dataclass(frozen=True)
class Effect:
    """One score change: approach, axis and the delta."""

    approach: str
    axis: str
    delta: float


@dataclass(frozen=True)
class DeltaRule:
    """The deltas of one answer option, with the sentence and sources that ground them."""

    question: str
    option: str
    effects: tuple[Effect, ...]
    grounding: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class ComboRule:
    """A combination rule (R1–R6): a condition over several answers and its deltas."""

    id: str
    name: str
    when: Condition
    effects: tuple[Effect, ...]
    grounding: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Block:
    """Approaches a gate blocks, unless an extra condition holds."""

    approaches: tuple[str, ...]
    unless: Condition | None = None


@dataclass(frozen=True)
class GateRule:
    """A hard gate (G0–G7): forces an outcome or blocks approaches."""

    id: str
    name: str
    when: Condition
    blocks: tuple[Block, ...]
    forces: str | None
    companion_when: Condition | None
    text: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Notice:
    """An advisory or a next step: shown when its condition holds."""

    id: str
    when: Condition
    text: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Ladder:
    """The data ladder: band bounds, per-approach data scores, band notes."""

    question: str
    axis: str
    bounds: tuple[int, ...]
    scores: Mapping[str, tuple[float, ...]]
    labels: tuple[str, ...]
    notes: tuple[Text, ...]


@dataclass(frozen=True)
class Text:
    """A sentence with its sources."""

    text: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class AxisInfo:
    """One axis: key, report label, help text, default weight, sources."""

    key: str
    label: str
    help: str
    weight: float
    sources: tuple[str, ...]


# ---------------------------------------------------------------- scoring output


@dataclass(frozen=True)
class Contribution:
    """One recorded score change: which rule, answer, approach, axis and delta."""

    group: str
    question: str
    option: str
    approach: str
    axis: str
    delta: float
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Core:
    """The scored state of one set of answers, before explanations and sensitivity."""

    answers: Mapping[str, AnswerValue]
    scores: Mapping[str, Mapping[str, float]]
    max_raw_fit: float
    totals: Mapping[str, float]
    costs: Mapping[str, float]
    lora_mode: str
    gates: tuple[str, ...]
    blocked: Mapping[str, tuple[str, ...]]
    combos: tuple[str, ...]
    ranking: tuple[str, ...]
    primary: str
    companion: str | None
    runner_up: str | None
    forced_by: str | None
    contributions: tuple[Contribution, ...] = ()
    clamped: frozenset[tuple[str, str]] = frozenset()
    ignored: tuple[str, ...] = ()
