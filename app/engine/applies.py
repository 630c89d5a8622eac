"""When a question applies: its "applies when" conditions (questions.toml), read, checked and evaluated.

A question that does not apply is not asked, and its stored answer is kept (ux.md: answers on skipped questions are
kept, never silently deleted). Only a known answer can rule a question out: one not given yet, or "Not sure", never
skips anything. The conditions use rules.toml's answer vocabulary (in, not_in, has_any, has_none, min, below, any)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .model import UNKNOWN, Kind, Question, Requirement

# Which kind of question each test reads.
OPS = {"in": Kind.SINGLE, "not_in": Kind.SINGLE, "has_any": Kind.MULTI, "has_none": Kind.MULTI,
       "min": Kind.INT, "below": Kind.INT}
Verdict = bool | None  # None: the answers that decide it are not known (yet)


def requirements(raw: Any, where: str, problems: list[str]) -> tuple[Requirement, ...]:
    """The `applies_when` list of one question as requirements; what is malformed goes to problems."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        problems.append(f"{where}: applies_when must be a list of conditions")
        return ()
    return tuple(_requirement(item, where, problems) for item in raw)


def _requirement(raw: Any, where: str, problems: list[str]) -> Requirement:
    """One condition: {q, <op> = value} or {any = [conditions]}."""
    if isinstance(raw, dict) and set(raw) == {"any"} and isinstance(raw["any"], list) and raw["any"]:
        return Requirement(any=tuple(_requirement(r, where, problems) for r in raw["any"]))
    ops = [k for k in raw if k in OPS] if isinstance(raw, dict) else []
    if not isinstance(raw, dict) or len(ops) != 1 or set(raw) != {"q", ops[0]}:
        problems.append(f"{where}: bad applies_when condition {raw!r}")
        return Requirement()
    op, arg = ops[0], raw[ops[0]]
    if OPS[op] is Kind.INT:
        if isinstance(arg, bool) or not isinstance(arg, int):
            problems.append(f"{where}: {op!r} needs a whole number")
            return Requirement()
        return Requirement(question=str(raw["q"]), op=op, number=arg)
    if not isinstance(arg, list) or not arg:
        problems.append(f"{where}: {op!r} needs a list of option values")
        return Requirement()
    return Requirement(question=str(raw["q"]), op=op, values=tuple(str(v) for v in arg))


def problems_of(questions: Mapping[str, Question]) -> list[str]:
    """What is wrong with the conditions across the bank: unknown or later questions, wrong kinds, bad options."""
    found: list[str] = []
    for question in questions.values():
        for requirement in _flat(question.applies_when):
            decider = questions.get(requirement.question)
            where = f"question {question.id!r} applies_when"
            if decider is None or decider.order >= question.order:
                found.append(f"{where}: {requirement.question!r} is not a question asked before it")
            elif decider.kind is not OPS[requirement.op]:
                found.append(f"{where}: {requirement.op!r} does not apply to {decider.id!r}")
            else:
                found += [f"{where}: {decider.id} has no option {v!r}" for v in requirement.values
                          if v not in decider.option_values()]
    return found


def _flat(items: tuple[Requirement, ...]) -> list[Requirement]:
    """Every answer test, `any` groups opened up."""
    leaves: list[Requirement] = []
    for r in items:
        leaves += _flat(r.any) if r.any else [r] if r.op else []
    return leaves


def verdict(question: Question, answers: Mapping[str, Any]) -> Verdict:
    """True when the question applies, False when the known answers rule it out, None when that is not known."""
    return _all(tuple(_holds(r, answers) for r in question.applies_when))


def applies(question: Question, answers: Mapping[str, Any]) -> bool:
    """Ask it unless the known answers rule it out."""
    return verdict(question, answers) is not False


def deciders(question: Question) -> frozenset[str]:
    """The questions whose answers decide whether this one applies."""
    return frozenset(r.question for r in _flat(question.applies_when))


def residual(question: Question, answers: Mapping[str, Any]) -> list[dict[str, Any]] | None:
    """The conditions still open once the given answers are applied, as plain data for the browser (None when the
    given answers rule the question out; [] when they settle that it applies)."""
    left: list[dict[str, Any]] = []
    for requirement in question.applies_when:
        part = _residual(requirement, answers)
        if part is False:
            return None
        if part is not True:
            left.append(part)
    return left


def _residual(r: Requirement, answers: Mapping[str, Any]) -> bool | dict[str, Any]:
    """One requirement with the given answers applied: True, False, or what remains open."""
    if r.any:
        parts = [_residual(p, answers) for p in r.any]
        if any(p is True for p in parts):
            return True
        open_parts = [p for p in parts if isinstance(p, dict)]
        return {"any": open_parts} if open_parts else False
    held = _holds(r, answers)
    if held is not None:
        return held
    return {"q": r.question, "op": r.op, "values": list(r.values), "number": r.number}


def _all(verdicts: tuple[Verdict, ...]) -> Verdict:
    """Three-valued AND: False wins, then unknown."""
    return False if False in verdicts else (None if None in verdicts else True)


def _holds(r: Requirement, answers: Mapping[str, Any]) -> Verdict:
    """Whether one requirement holds for the answers (None when its answer is missing or "Not sure")."""
    if r.any:
        parts = tuple(_holds(p, answers) for p in r.any)
        return True if True in parts else (None if None in parts else False)
    value = answers.get(r.question)
    if value is None or value == UNKNOWN:
        return None
    if r.op == "min":
        return int(value) >= r.number
    if r.op == "below":
        return int(value) < r.number
    if r.op in ("in", "not_in"):
        return (value in r.values) == (r.op == "in")
    chosen = set(value)
    return bool(chosen & set(r.values)) == (r.op == "has_any")
