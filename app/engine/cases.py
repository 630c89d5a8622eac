"""The case library (app/data/cases/*.jsonl): published cases as evidence, their validation, and "teams like yours".

One case a line, a JSON object: id, title, organisation, date, source_url (http or https; a specification
scenario names its seed article file instead), source_title, source_kind, border (one of BORDERS), what_they_did,
how_it_went, expected (an approach), acceptable (approaches, expected among them), answers (the team's answers at
decision time, "unknown" where a source gives nothing; every question but gap_types may be unknown or left out),
estimated (the questions whose answers are estimates) and notes. casefile.py checks every line and loading lists
every problem at once (BankError), so a broken library stops the app at start-up like any other knowledge file.

Similarity. Two sets of answers are compared question by question, over the questions BOTH sides know (left out
or "unknown" on either side: skipped, neither alike nor unlike), and the similarity is the plain mean of those
per-question scores (Gower's coefficient), each in [0, 1]:

- multi-select (gap_types): Jaccard, |A ∩ B| / |A ∪ B|;
- single-select whose options are ordered in the bank (none < under_100m < …, days < weeks < quarter):
  1 − |i − j| / (n − 1), i and j the options' places among n;
- single-select without an order (failure_mode: its options are kinds of failure, not degrees): 1 if equal, else 0;
- numbers: 1 − |log10(1 + a) − log10(1 + b)| / log10(1 + max), max the question's bank maximum (orders of
  magnitude matter, not raw differences: 500 and 5,000 examples differ as much as 5,000 and 50,000).

Every question weighs the same. No principled reason to weigh one above another survived scrutiny: the engine's
own weighting of the answers lives in the rules, and copying it here would make the neighbours echo the rules
instead of checking them. No shared known question gives similarity 0. A case is never its own neighbour (exclude
its id); ties go to the smaller id. The cases' answers are encoded once at load time, so a query encodes the team's
answers once and compares two flat rows per case.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .bank import DATA_DIR, BankError
from .casefile import BORDERS, Case, parse_cases, unique_ids
from .model import UNKNOWN, Bank, Kind, Question

__all__ = [
    "BORDERS", "Case", "Library", "Neighbour", "build_library", "load_cases", "neighbour_dict", "neighbours",
    "read_case_file",
]
UNORDERED = frozenset({"failure_mode"})  # single-selects whose options are kinds, not degrees
# How one question is compared (see the module docstring).
MULTI, ORDERED, NOMINAL, NUMBER = "multi", "ordered", "nominal", "number"


@dataclass(frozen=True)
class Neighbour:
    """A similar case: its similarity and how many questions both sides know."""

    case: Case
    similarity: float
    shared: int


Row = tuple[Any, ...]  # one value per compared question, None where unknown
Plan = tuple[str, str, Mapping[str, float] | None, float]  # question id, how compared, option places, log scale


@dataclass(frozen=True)
class Column:
    """One question over every case, for neighbours(): which cases know it, their encoded answers, and (for a
    single-select) each case's score against every option a team may give, worked out at load time."""

    how: str
    known: tuple[int, ...]
    values: tuple[Any, ...]
    table: Mapping[Any, tuple[float, ...]]


@dataclass(frozen=True, repr=False)
class Library:
    """The validated cases, with their answers encoded once for neighbours()."""

    cases: tuple[Case, ...] = ()
    plan: tuple[Plan, ...] = field(default=(), repr=False)
    rows: tuple[Row, ...] = field(default=(), repr=False, compare=False)
    columns: tuple[Column, ...] = field(default=(), repr=False, compare=False)

    def __len__(self) -> int:
        return len(self.cases)

    def __repr__(self) -> str:  # a Knowledge in an assertion message shows the count, not 90 cases' text
        return f"Library({len(self.cases)} cases)"

    def __iter__(self) -> Iterator[Case]:
        return iter(self.cases)

    def encode(self, answers: Mapping[str, Any]) -> Row:
        """The answers as one row: a frozenset, a position in [0, 1], an option or None (unknown) per question."""
        return tuple(_encode(answers.get(qid, UNKNOWN), how, places, scale) for qid, how, places, scale in self.plan)


def build_library(bank: Bank, cases: Sequence[Case]) -> Library:
    """The library over this bank: a comparison plan per question, every case's answers encoded, and the columns."""
    plan = tuple(_plan(q) for q in bank.questions.values())
    rows = tuple(Library((), plan).encode(c.answers) for c in cases)
    columns = []
    for i, (_, how, places, _) in enumerate(plan):
        values = tuple(row[i] for row in rows)
        table: dict[Any, tuple[float, ...]] = {}
        for option in places or {}:
            x = _encode(option, how, places, 0.0)
            table[x] = tuple(0.0 if y is None else _score(how, x, y) for y in values)
        columns.append(Column(how, tuple(int(y is not None) for y in values), values, table))
    return Library(tuple(cases), plan, rows, tuple(columns))


def _plan(q: Question) -> Plan:
    if q.kind is Kind.MULTI:
        return q.id, MULTI, None, 0.0
    if q.kind is Kind.INT:
        return q.id, NUMBER, None, math.log10(1 + q.maximum) if q.maximum > 0 else 0.0
    values = q.option_values()
    if q.id in UNORDERED:
        return q.id, NOMINAL, {v: 0.0 for v in values}, 0.0
    return q.id, ORDERED, {v: i / max(1, len(values) - 1) for i, v in enumerate(values)}, 0.0


def _encode(value: Any, how: str, places: Mapping[str, float] | None, scale: float) -> Any:
    """One answer, ready to compare; an unknown (or, from an unchecked caller, an invalid) answer is None."""
    if value == UNKNOWN or value is None:
        return None
    if how == MULTI:
        chosen = frozenset([value] if isinstance(value, str) else value)
        return chosen or None
    if how == NUMBER:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return None
        return math.log10(1 + max(0.0, float(value))) / scale if scale else 0.0
    if places is None or value not in places:
        return None
    return value if how == NOMINAL else places[value]


def _score(how: str, x: Any, y: Any) -> float:
    """One question's similarity of two known, encoded answers."""
    if how == MULTI:
        return len(x & y) / len(x | y)
    if how == NOMINAL:
        return 1.0 if x == y else 0.0
    return 1.0 - min(1.0, abs(float(x) - float(y)))


def similarity(plan: Sequence[Plan], a: Row, b: Row) -> tuple[float, int]:
    """The Gower-style similarity of two encoded rows and the number of questions both know (the definition;
    neighbours() computes the same sums column by column)."""
    total, shared = 0.0, 0
    for (_, how, _, _), x, y in zip(plan, a, b):
        if x is not None and y is not None:
            shared += 1
            total += _score(how, x, y)
    return (total / shared if shared else 0.0), shared


def answer_similarity(cases: Library, a: Mapping[str, Any], b: Mapping[str, Any]) -> float:
    """The similarity of two sets of answers (as neighbours() measures it)."""
    return similarity(cases.plan, cases.encode(a), cases.encode(b))[0]


def neighbours(
    cases: Library, answers: Mapping[str, Any], k: int = 3, exclude: str | None = None
) -> tuple[Neighbour, ...]:
    """The k cases most similar to the answers, most similar first (ties: smaller id); never the case `exclude`.

    Column by column: a question the team knows adds each case's score (0 where the case does not know it) and
    its known flag; summed per case in bank order, as similarity() does, so both give the same floats."""
    scores, knowns = [], []
    for column, x in zip(cases.columns, cases.encode(answers)):
        if x is None:
            continue
        knowns.append(column.known)
        if column.table:
            scores.append(column.table[x])
        else:
            scores.append(tuple(0.0 if y is None else _score(column.how, x, y) for y in column.values))
    n = len(cases.cases)
    totals = [sum(t) for t in zip(*scores)] if scores else [0.0] * n
    shared = [sum(t) for t in zip(*knowns)] if knowns else [0] * n
    ranked = (
        (-round(total / both if both else 0.0, 12), case.id, total / both if both else 0.0, both, case)
        for case, total, both in zip(cases.cases, totals, shared) if case.id != exclude
    )
    return tuple(Neighbour(c, sim, both) for _, _, sim, both, c in heapq.nsmallest(k, ranked))


def neighbour_dict(n: Neighbour) -> dict[str, Any]:
    """One neighbour as JSON-ready data for a result snapshot: who, what they did, how it went, the link."""
    c = n.case
    return {
        "id": c.id, "title": c.title, "organisation": c.organisation, "date": c.date, "source_url": c.source_url,
        "source_title": c.source_title, "source_kind": c.source_kind, "border": c.border,
        "what_they_did": c.what_they_did, "how_it_went": c.how_it_went, "expected": c.expected,
        "acceptable": list(c.acceptable), "similarity": n.similarity, "shared": n.shared,
    }


# ---------------------------------------------------------------- loading


def load_cases(bank: Bank, data_dir: Path = DATA_DIR, problems: list[str] | None = None) -> Library:
    """Read and validate every cases/*.jsonl of the data directory; problems go to `problems` (else: BankError)."""
    found: list[str] = [] if problems is None else problems
    folder = data_dir / "cases"
    files = sorted(folder.glob("*.jsonl")) if folder.is_dir() else []
    if not files:
        found.append("cases: no case library (cases/*.jsonl)")
    cases = []
    for path in files:
        cases += parse_cases(path.read_text(encoding="utf-8").splitlines(), bank, f"cases/{path.name}", found)
    unique_ids(cases, found)
    if problems is None and found:
        raise BankError(found)
    return build_library(bank, cases)


def read_case_file(path: Path, bank: Bank) -> Library:
    """A file for `tunewise eval`: the library's format, or the fixtures' (id, expected, acceptable, answers)."""
    problems: list[str] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise BankError([f"{path}: cannot read it ({error})"]) from error
    cases = parse_cases(lines, bank, str(path), problems, strict=False)
    unique_ids(cases, problems)
    if not cases and not problems:
        problems.append(f"{path}: no cases")
    if problems:
        raise BankError(problems)
    return build_library(bank, cases)


def agree(near: Sequence[Neighbour], primary: str, needed: int) -> bool:
    """Whether enough of the nearest cases list `primary` among their acceptable outcomes (an empty library
    cannot disagree)."""
    if not near:
        return True
    return sum(primary in n.case.acceptable for n in near) >= min(needed, len(near))
