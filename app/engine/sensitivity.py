"""Confidence (§6.6): margin, weight-flip distances, seeded Monte-Carlo stability; counterfactuals (§6.7c)."""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import compress
from typing import NamedTuple, Union

from .model import AnswerValue, Core, Kind, Question
from .rules import APPROACHES, Knowledge


class Outcome(NamedTuple):
    """What a counterfactual reads of a re-scored variant: its primary and the gates behind it."""

    primary: str
    forced_by: str | None
    blocked: Mapping[str, tuple[str, ...]]


Decided = Union[Core, Outcome]
Rescore = Callable[[dict[str, AnswerValue]], Outcome]


@dataclass(frozen=True)
class WeightFlip:
    """Changing one axis weight to flip_weight makes new_primary overtake the primary."""

    axis: str
    weight: float
    flip_weight: float
    delta: float
    new_primary: str


@dataclass(frozen=True)
class Counterfactual:
    """One answer change that changes the primary (via a gate, when one is responsible)."""

    question: str
    answer: AnswerValue
    change: str
    new_primary: str
    via: str | None
    threshold: float | None


@dataclass(frozen=True)
class Sensitivity:
    """The confidence label, its inputs, the weight flips and the counterfactuals."""

    label: str
    margin: float | None
    relative_margin: float | None
    stability: float | None
    min_flip: float | None
    dominant: bool
    flips: tuple[WeightFlip, ...]
    counterfactuals: tuple[Counterfactual, ...]


def analyse(
    k: Knowledge, core: Core, weights: Mapping[str, float], rescore: Rescore, recost: Rescore,
    unknown: frozenset[str] = frozenset(),
) -> Sensitivity:
    """Confidence and counterfactuals for one scored core (rule-based under G1, reading 8). Questions in `unknown`
    get no counterfactuals: unknowns.probe() re-scores them instead."""
    conf = k.rules.confidence
    cost_only = {q.id for q in k.bank.questions.values() if q.kind is Kind.INT} - k.rules.referenced
    known = tuple(q for q in k.bank.questions.values() if q.id not in unknown)
    counter = tuple(counterfactuals(known, core, rescore, recost, cost_only))
    if core.forced_by is not None:
        return Sensitivity(conf.rule_based, None, None, None, None, False, (), counter)
    if core.runner_up is None:
        return Sensitivity(conf.only_feasible, None, None, None, None, True, (), counter)
    margin = core.totals[core.primary] - core.totals[core.runner_up]
    relative = margin / core.totals[core.primary] if core.totals[core.primary] else None
    flips = tuple(sorted(weight_flips(core.scores, weights, core.primary, core.runner_up), key=lambda f: abs(f.delta)))
    n, axes = conf.numbers, k.axis_keys
    w = tuple(weights[x] for x in axes)
    draws = dirichlet(w, int(n["mc_draws"]), n["mc_alpha"], int(n["mc_seed"]), conf.axis_order, axes)
    stable = stability(core.scores, core.ranking, core.primary, draws, axes)
    min_flip = abs(flips[0].delta) if flips else None
    confidence = label(n, margin, stable, min_flip)
    return Sensitivity(confidence, margin, relative, stable, min_flip, not flips, flips, counter)


def label(n: Mapping[str, float], margin: float, stable: float, min_flip: float | None) -> str:
    """High / Medium / Low from margin, stability and the smallest weight flip (§6.6)."""
    flip_ok = min_flip is None or min_flip >= n["high_flip"]
    if margin >= n["high_margin"] and stable >= n["high_stability"] and flip_ok:
        return "High"
    if margin >= n["medium_margin"] and stable >= n["medium_stability"]:
        return "Medium"
    return "Low"


def weight_flips(
    scores: Mapping[str, Mapping[str, float]], weights: Mapping[str, float], top: str, run: str
) -> list[WeightFlip]:
    """Closed-form δ* per axis for the primary against the runner-up (readings 11, 23).

    The axes are those `weights` names, in its order (check_weights gives axes.toml order): sums add in that order."""
    t_top = sum(weights[x] * scores[top][x] for x in weights)
    t_run = sum(weights[x] * scores[run][x] for x in weights)
    flips = []
    for x in weights:
        w = weights[x]
        if w >= 1:
            continue
        d_top = scores[top][x] - (t_top - w * scores[top][x]) / (1 - w)
        d_run = scores[run][x] - (t_run - w * scores[run][x]) / (1 - w)
        if d_run == d_top:
            continue
        delta = (t_top - t_run) / (d_run - d_top)
        if -1e-9 <= w + delta <= 1 + 1e-9:
            flip = min(1.0, max(0.0, w + delta))
            flips.append(WeightFlip(x, w, flip, flip - w, run))
    return flips


@lru_cache(maxsize=64)
def dirichlet(
    weights: tuple[float, ...], draws: int, alpha: float, seed: int, order: tuple[str, ...], axes: tuple[str, ...]
) -> tuple[tuple[float, ...], ...]:
    """Dirichlet(α·w) weight vectors from random.Random(seed), drawn in `order` (reading 21); `weights` and each
    vector follow `axes`."""
    rng = random.Random(seed)
    slots = [axes.index(x) for x in order]
    out = []
    for _ in range(draws):
        g = [0.0] * len(axes)
        for i in slots:
            if weights[i] > 0:
                g[i] = rng.gammavariate(alpha * weights[i], 1.0)
        total = sum(g)
        out.append(tuple(x / total for x in g))
    return tuple(out)


def stability(
    scores: Mapping[str, Mapping[str, float]], ranking: Sequence[str], primary: str,
    draws: Sequence[tuple[float, ...]], axes: Sequence[str],
) -> float:
    """Share of draws (weight vectors over `axes`) in which the primary stays first among feasible approaches
    (reading 12)."""
    p = [scores[primary][x] for x in axes]
    alive = list(draws)
    wins = _wins(len(axes))
    for rival in ranking:
        if rival == primary or not alive:
            continue
        d = [pi - scores[rival][x] for pi, x in zip(p, axes)]
        first = APPROACHES.index(primary) < APPROACHES.index(rival)
        if min(d) >= 0 and first:
            continue
        alive = list(compress(alive, wins(d, -1e-9 if first else 1e-9, alive)))
    return len(alive) / len(draws)


Wins = Callable[[Sequence[float], float, Sequence[tuple[float, ...]]], list[bool]]


@cache
def _wins(n: int) -> Wins:
    """For n axes, wins(d, limit, draws): for each draw w, whether w0*d0 + … + w(n-1)*d(n-1) > limit.

    The sum is written out term by term, generated once per axis count: this is the hot loop of a scoring (up to
    five rivals × 2,000 draws), and the unrolled form runs over twice as fast as a loop or a column-wise sum, while
    adding the terms left to right as before. Only the integer n enters the generated source."""
    ws, ds = ", ".join(f"w{i}" for i in range(n)), ", ".join(f"d{i}" for i in range(n))
    terms = " + ".join(f"w{i} * d{i}" for i in range(n))
    source = f"def wins(d, limit, draws):\n    {ds}, = d\n    return [{terms} > limit for {ws}, in draws]\n"
    scope: dict[str, Wins] = {}
    exec(compile(source, f"<sensitivity wins over {n} axes>", "exec"), scope)
    return scope["wins"]


def counterfactuals(
    questions: Sequence[Question], base: Core, rescore: Rescore, recost: Rescore, cost_only: set[str]
) -> list[Counterfactual]:
    """Every single answer change that changes the primary (readings 13, 14)."""
    out: list[Counterfactual] = []
    for q in questions:
        if q.kind is Kind.SINGLE:
            for option in q.option_values():
                if option != base.answers[q.id]:
                    out += _try(q.id, option, "set", base, rescore)
        elif q.kind is Kind.MULTI:
            out += _toggles(q, base, rescore)
        else:
            out += _numeric(q, base, recost if q.id in cost_only else rescore)
    return out


def _with(base: Core, qid: str, value: AnswerValue) -> dict[str, AnswerValue]:
    """The base answers with one answer replaced."""
    answers = dict(base.answers)
    answers[qid] = value
    return answers


def _try(qid: str, value: AnswerValue, change: str, base: Core, rescore: Rescore) -> list[Counterfactual]:
    """Re-score one changed answer; report it when the primary changes."""
    new = rescore(_with(base, qid, value))
    if new.primary == base.primary:
        return []
    return [Counterfactual(qid, value, change, new.primary, via(base, new), None)]


def _toggles(q: Question, base: Core, rescore: Rescore) -> list[Counterfactual]:
    """Toggle each option of a multi-select answer, never leaving it empty (reading 13)."""
    current = base.answers[q.id]
    assert isinstance(current, tuple)
    out = []
    for option in q.option_values():
        chosen = tuple(v for v in q.option_values() if (v in current) != (v == option))
        if chosen:
            out += _try(q.id, chosen, "remove" if option in current else "add", base, rescore)
    return out


def _numeric(q: Question, base: Core, rescore: Rescore) -> list[Counterfactual]:
    """Bisect towards each end that changes the primary, for the first changing value (reading 14)."""
    current = base.answers[q.id]
    assert isinstance(current, int)
    out = []
    for end, change in ((q.minimum, "below"), (q.maximum, "above")):
        hit: Decided = rescore(_with(base, q.id, end)) if end != current else base
        if hit.primary == base.primary:
            continue
        same, differs = current, end
        while _apart(same, differs):
            mid = _middle(same, differs)
            probe = rescore(_with(base, q.id, mid))
            if probe.primary == base.primary:
                same = mid
            else:
                differs, hit = mid, probe
        out.append(Counterfactual(q.id, differs, change, hit.primary, via(base, hit), float(differs)))
    return out


def _apart(same: int, differs: int) -> bool:
    """Bisection goes on while the two ends are more than 1 and more than 0.1 % apart."""
    gap = abs(differs - same)
    return gap > 1 and gap > 0.001 * min(abs(same), abs(differs))


def _middle(same: int, differs: int) -> int:
    """The geometric midpoint when both ends are positive (thresholds span decades), else the mean."""
    low, high = sorted((same, differs))
    mid = int((low * high) ** 0.5) if low > 0 else (low + high) // 2
    return min(max(mid, low + 1), high - 1)


def via(base: Decided, new: Decided) -> str | None:
    """The gate behind a change of primary, if any (choice C6 in rules.toml)."""
    if new.forced_by is not None and new.forced_by != base.forced_by:
        return new.forced_by
    if new.blocked[base.primary]:
        return new.blocked[base.primary][0]
    freed = [g for g in base.blocked[new.primary] if g not in new.blocked[new.primary]]
    if freed:
        return freed[0]
    return base.forced_by if base.forced_by is not None and new.forced_by is None else None
