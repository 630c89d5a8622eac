"""Checks shared by the data loaders, and the compiler of rules.toml's condition vocabulary."""

from __future__ import annotations

import string
from collections.abc import Mapping
from typing import Any

from .model import Approach, Bank, Condition, Kind, Text

APPROACHES = tuple(a.value for a in Approach)
OPS = ("in", "not_in", "has_any", "has_none", "has_other", "min", "below")


class Checker:
    """Compiles condition tables into predicates and checks small pieces of the data files.

    Every problem found is appended to one list, so that loading can report all of them at once.
    """

    def __init__(self, bank: Bank, sources: Mapping[str, Any], problems: list[str]) -> None:
        self.bank, self.sources, self.problems = bank, sources, problems
        self.combos: set[str] = set()
        self.gates: set[str] = set()
        self.referenced: set[str] = set()
        self.thresholds: dict[str, set[float]] = {}

    def when(self, raw: Any, where: str) -> Condition:
        """Compile a list of conditions (a conjunction)."""
        if not isinstance(raw, list):
            self.problems.append(f"{where}: `when` must be a list of conditions")
            return lambda c: False
        return _all([self.cond(r, where) for r in raw])

    def cond(self, raw: Any, where: str) -> Condition:
        """Compile one condition of the vocabulary documented at the top of rules.toml."""
        if not isinstance(raw, dict):
            self.problems.append(f"{where}: a condition must be a table")
            return lambda c: False
        if "any" in raw:
            alternatives = tuple(self.cond(r, where) for r in raw["any"])
            return lambda c: any(p(c) for p in alternatives)
        if "combo" in raw:
            cid = str(raw["combo"])
            if cid not in self.combos:
                self.problems.append(f"{where}: unknown or later combination rule {cid!r}")
            return lambda c: cid in c.combos
        if "free_of" in raw:
            return self.free_of(raw, where)
        for key in ("recommended_in", "primary_in"):
            if key in raw:
                wanted = frozenset(self.approaches(raw[key], where))
                both = key == "recommended_in"
                return lambda c: c.primary in wanted or (both and c.companion in wanted)
        if "companion" in raw:
            flag = bool(raw["companion"])
            return lambda c: (c.companion is not None) == flag
        if "provider_closed" in raw:
            closed = bool(raw["provider_closed"])
            return lambda c: c.provider_closed == closed
        return self.answer_cond(raw, where)

    def free_of(self, raw: Mapping[str, Any], where: str) -> Condition:
        """At least one approach is blocked by none of the listed earlier gates."""
        gates = tuple(str(g) for g in raw["free_of"])
        self.problems += [f"{where}: unknown or later gate {g!r}" for g in gates if g not in self.gates]
        apps = self.approaches(raw.get("approaches"), where)
        return lambda c: any(all(a not in c.gate_blocks.get(g, ()) for g in gates) for a in apps)

    def answer_cond(self, raw: Mapping[str, Any], where: str) -> Condition:
        """A condition on one answer: in / not_in / has_any / has_none / has_other / min / below."""
        q, ops = str(raw.get("q")), [k for k in raw if k in OPS]
        question = self.bank.questions.get(q)
        if question is None or len(ops) != 1 or len(raw) != 2:
            self.problems.append(f"{where}: bad condition {raw!r}")
            return lambda c: False
        self.referenced.add(q)
        op, arg = ops[0], raw[ops[0]]
        kind = {"in": Kind.SINGLE, "not_in": Kind.SINGLE, "min": Kind.INT, "below": Kind.INT}.get(op, Kind.MULTI)
        if question.kind is not kind:
            self.problems.append(f"{where}: {op!r} does not apply to {q!r}")
        if kind is Kind.INT:
            n = self.number(arg, where)
            self.thresholds.setdefault(q, set()).add(n)
            return (lambda c: c.answers[q] >= n) if op == "min" else (lambda c: c.answers[q] < n)  # type: ignore[operator]
        values = frozenset(str(v) for v in arg)
        self.problems += [f"{where}: {q} has no option {v!r}" for v in sorted(values - set(question.option_values()))]
        return _choice(q, op, values)

    def approaches(self, raw: Any, where: str) -> list[str]:
        """A list of known approach ids."""
        items = [str(a) for a in raw] if isinstance(raw, list) else []
        self.problems += [f"{where}: unknown approach {a!r}" for a in items if a not in APPROACHES]
        if not items:
            self.problems.append(f"{where}: needs a list of approaches")
        return items

    def number(self, raw: Any, where: str) -> float:
        """A number (not a boolean)."""
        if isinstance(raw, bool) or not isinstance(raw, (int, float)):
            self.problems.append(f"{where}: must be a number")
            return 0.0
        return float(raw)


    def text(self, raw: Any, where: str) -> Text:
        """A {text, sources} pair: non-empty text, known source tags."""
        raw = raw if isinstance(raw, dict) else {}
        tags = raw.get("sources")
        if not str(raw.get("text") or "").strip():
            self.problems.append(f"{where}: missing text")
        if not isinstance(tags, list) or not tags:
            self.problems.append(f"{where}: names no source")
            tags = []
        self.problems += [f"{where}: unknown source tag {t!r}" for t in tags if t not in self.sources]
        return Text(str(raw.get("text") or ""), tuple(str(t) for t in tags))

    def placeholders(self, template: str, allowed: set[str], where: str) -> None:
        """A template may only use the listed placeholders."""
        used = {name for _, name, _, _ in string.Formatter().parse(template) if name}
        self.problems += [f"{where}: unknown placeholder {{{n}}}" for n in sorted(used - allowed)]

    def exact(self, raw: Mapping[str, Any], keys: tuple[str, ...], where: str) -> None:
        """A table must have exactly these keys."""
        self.problems += [f"{where}: missing {k!r}" for k in keys if k not in raw]
        self.problems += [f"{where}: unknown {k!r}" for k in raw if k not in keys]

    def known_questions(self, raw: Mapping[str, Any], where: str) -> None:
        """Every key of a table is a question id."""
        self.problems += [f"{where}: unknown question {q!r}" for q in raw if q not in self.bank.questions]

    def unique(self, ident: str, seen: set[str], what: str) -> None:
        """Ids are unique; record the id as defined."""
        if ident in seen:
            self.problems.append(f"duplicate {what} {ident!r}")
        seen.add(ident)


def _all(parts: list[Condition]) -> Condition:
    """A conjunction, unrolled for the short lists rules use (scoring runs it often)."""
    if not parts:
        return lambda c: True
    if len(parts) == 1:
        return parts[0]
    first, rest = parts[0], _all(parts[1:])
    return lambda c: first(c) and rest(c)


def _choice(q: str, op: str, values: frozenset[str]) -> Condition:
    """A compiled condition on a single- or multi-select answer."""
    if op == "in":
        return lambda c: c.answers[q] in values
    if op == "not_in":
        return lambda c: c.answers[q] not in values
    if op == "has_any":
        return lambda c: not values.isdisjoint(c.answers[q])  # type: ignore[arg-type]
    if op == "has_none":
        return lambda c: values.isdisjoint(c.answers[q])  # type: ignore[arg-type]
    return lambda c: any(v not in values for v in c.answers[q])  # type: ignore[union-attr]
