"""The answer-dependent part of a scoring (decision-model.md §6.5 steps 2–5 and 7): scores, gates, cost flags.

It depends neither on weights nor on prices, so the counterfactuals of one scoring share it where they can."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .axes import FIT
from .model import AnswerValue, Context, Contribution, Effect
from .rules import APPROACHES, Knowledge


@dataclass(frozen=True)
class Static:
    """The answer-dependent part of a scoring that does not depend on weights or prices."""

    answers: Mapping[str, AnswerValue]
    scores: Mapping[str, Mapping[str, float]]
    max_raw_fit: float
    gates: tuple[str, ...]
    blocked: Mapping[str, tuple[str, ...]]
    forced_by: str | None
    forced: str | None
    wants_companion: bool
    combos: tuple[str, ...]
    flags: Mapping[str, bool]
    contributions: tuple[Contribution, ...]
    clamped: frozenset[tuple[str, str]]
    ignored: tuple[str, ...]


def static_part(k: Knowledge, answers: Mapping[str, AnswerValue], record: bool) -> Static:
    """Steps 2–5 and 7 of §6.5: everything except cost, totals and ranking.

    Deltas are added in bank order, then combination rules in rules order: the float sums depend on it."""
    r, ctx = k.rules, Context(answers)
    scores = {a: dict(r.base[a]) for a in APPROACHES}
    out: list[Contribution] | None = [] if record else None
    _ladder(k, answers, scores, out)
    ignored = []
    for qid, skip, options in k.choice_rules:
        if skip is not None and skip(ctx):
            ignored.append(qid)
            continue
        value = answers[qid]
        for option in value if isinstance(value, tuple) else (value,):
            rule = options.get(str(option))
            if rule is not None:
                _apply(rule.effects, scores)
                if out is not None:
                    out += _recorded(rule.effects, qid, qid, rule.option, rule.sources)
    for combo in r.combos:
        if combo.when(ctx):
            ctx.combos.add(combo.id)
            _apply(combo.effects, scores)
            if out is not None:
                out += _recorded(combo.effects, combo.id, "", "", combo.sources)
    max_fit, clamped = _normalise(scores)
    gates, forced_by, forced, wants = _gates(k, ctx)
    blocked: dict[str, tuple[str, ...]] = dict.fromkeys(APPROACHES, ())
    for g in gates:  # fired gates in order, so each approach lists its blockers in gate order
        for a in ctx.gate_blocks[g]:
            blocked[a] += (g,)
    flags = {name: cond(ctx) for name, cond in r.cost_rules.items()}
    return Static(
        answers, scores, max_fit, gates, blocked, forced_by, forced, wants, tuple(sorted(ctx.combos)),
        flags, tuple(out or ()), frozenset(clamped), tuple(ignored),
    )


def cached_static(k: Knowledge, answers: Mapping[str, AnswerValue], memo: dict[tuple[Any, ...], Static]) -> Static:
    """static_part, shared between answers that differ only inside one numeric interval of the rules.

    Its `answers` are those it was first made for: whoever needs the exact numbers (the cost model) must
    read them from `answers`."""
    # The answers with each number the rules compare replaced by its interval. Numbers no rule compares are
    # only read by the cost model: they stay as they are (a finer key, never a wrong one).
    bands = {q: bisect_right(points, answers[q]) for q, points in k.rules.breakpoints.items()}
    key = tuple({**answers, **bands}.values())
    hit = memo.get(key)
    if hit is None:
        hit = memo[key] = static_part(k, answers, record=False)
    return hit


def _ladder(
    k: Knowledge, answers: Mapping[str, AnswerValue], scores: dict[str, dict[str, float]],
    out: list[Contribution] | None,
) -> None:
    """Step 2: the data ladder replaces the data score of the fine-tuning approaches."""
    lad = k.rules.ladder
    n = answers[lad.question]
    band = bisect_right(lad.bounds, n)
    for ap, values in lad.scores.items():
        if out is not None:
            delta = values[band] - scores[ap][lad.axis]
            out.append(Contribution(lad.question, lad.question, str(n), ap, lad.axis, delta, lad.notes[band].sources))
        scores[ap][lad.axis] = values[band]


def _apply(effects: tuple[Effect, ...], scores: dict[str, dict[str, float]]) -> None:
    """Add deltas to the scores."""
    for e in effects:
        scores[e.approach][e.axis] += e.delta


def _recorded(
    effects: tuple[Effect, ...], group: str, question: str, option: str, sources: tuple[str, ...]
) -> list[Contribution]:
    """The contributions of applied effects, for the explanation (only the scored answers record them)."""
    return [Contribution(group, question, option, e.approach, e.axis, e.delta, sources) for e in effects]


def _normalise(scores: dict[str, dict[str, float]]) -> tuple[float, set[tuple[str, str]]]:
    """Step 5: max-normalise fit over all approaches (reading 10); clamp every other scored axis (the keys of
    the base matrix, so a new axis is clamped too) to [0, 10]."""
    top = max(s[FIT] for s in scores.values())
    clamped = set()
    for ap, s in scores.items():
        s[FIT] = 10 * max(0.0, s[FIT]) / top if top > 0 else 0.0
        for x in s:
            if x != FIT and not 0 <= s[x] <= 10:
                clamped.add((ap, x))
                s[x] = min(10.0, max(0.0, s[x]))
    return top, clamped


def _gates(k: Knowledge, ctx: Context) -> tuple[tuple[str, ...], str | None, str | None, bool]:
    """Step 7: run the gates in order; record what each fired gate blocks. The first forcing gate decides the
    forced outcome and whether a companion is wanted."""
    fired, forced_by, forced, wants = [], None, None, False
    for g in k.rules.gates:
        if not g.when(ctx):
            continue
        fired.append(g.id)
        ctx.gate_blocks[g.id] = frozenset(
            a for b in g.blocks if b.unless is None or not b.unless(ctx) for a in b.approaches
        )
        if g.forces is not None and forced_by is None:
            forced_by, forced, wants = g.id, g.forces, g.companion_when is not None and g.companion_when(ctx)
    return tuple(fired), forced_by, forced, wants
