"""Axis-weight elicitation (decision-model.md §4.1, §4.3, §6.1): direct numbers, ROC ranks, AHP; fast re-ranking."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from .axes import COST, FIT

# Saaty's random consistency index for n = 1…10 [D1].
RANDOM_INDEX = (0.0, 0.0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49)
CR_LIMIT = 0.10
FIT_WARNING = 0.25
SAATY_CHOICES = tuple(f"1/{k}" for k in range(9, 1, -1)) + tuple(str(k) for k in range(1, 10))
POWER_TOLERANCE = 1e-12
MAX_ITERATIONS = 100_000


@dataclass(frozen=True)
class Ahp:
    """The outcome of one AHP elicitation: priorities, λmax, CI, CR and the worst pair."""

    weights: dict[str, float]
    lambda_max: float
    ci: float
    cr: float
    worst_pair: tuple[str, str]

    @property
    def consistent(self) -> bool:
        """Saaty's acceptance rule: CR below 0.10."""
        return self.cr < CR_LIMIT


def parse_weight(text: str) -> tuple[float | None, str]:
    """One weight typed by an admin: a finite number in [0, 1]; (value, '') or (None, problem)."""
    raw = text.strip().replace(",", ".")
    if not raw:
        return None, "Enter a weight from 0 to 1"
    try:
        value = float(raw)
    except ValueError:
        return None, "Enter a number from 0 to 1, like 0.25"
    if not math.isfinite(value) or not 0 <= value <= 1:
        return None, "Enter a number from 0 to 1"
    return value, ""


def normalise(values: Mapping[str, float]) -> dict[str, float]:
    """Scale non-negative weights so they sum to 1 (ValueError when they are all zero)."""
    total = math.fsum(values.values())
    if not math.isfinite(total) or total <= 0:
        raise ValueError("at least one weight must be above zero")
    return {key: value / total for key, value in values.items()}


def roc_vector(n: int) -> list[float]:
    """Rank-order-centroid weights for ranks 1…n: w_i = (1/n) Σ_{k=i..n} 1/k."""
    if n < 1:
        raise ValueError("need at least one rank")
    return [math.fsum(1 / k for k in range(i, n + 1)) / n for i in range(1, n + 1)]


def roc_weights(ranking: Sequence[str]) -> dict[str, float]:
    """ROC weights for axes listed from most to least important."""
    if len(set(ranking)) != len(ranking):
        raise ValueError("each axis must have its own rank")
    return dict(zip(ranking, roc_vector(len(ranking))))


def parse_judgment(text: str) -> float | None:
    """A Saaty-scale judgment '1'…'9' or '1/2'…'1/9' as a number (None when not on the scale)."""
    raw = text.strip()
    return float(Fraction(raw)) if raw in SAATY_CHOICES else None


def judgment_label(value: float) -> str:
    """The scale text of a judgment: 3 → '3', 1/3 → '1/3'."""
    return str(round(value)) if value >= 1 else f"1/{round(1 / value)}"


def pairs(axes: Sequence[str]) -> list[tuple[str, str]]:
    """The n(n−1)/2 comparisons, row by row: (a, b) asks how much more important a is than b."""
    return [(a, b) for i, a in enumerate(axes) for b in axes[i + 1:]]


def build_matrix(axes: Sequence[str], judgments: Mapping[tuple[str, str], float]) -> list[list[float]]:
    """The reciprocal pairwise matrix from the upper-triangle judgments."""
    index = {axis: i for i, axis in enumerate(axes)}
    matrix = [[1.0] * len(axes) for _ in axes]
    for (a, b), value in judgments.items():
        if not math.isfinite(value) or value <= 0:
            raise ValueError(f"judgment {a}/{b} must be positive")
        matrix[index[a]][index[b]], matrix[index[b]][index[a]] = value, 1 / value
    return matrix


def principal_eigenvector(matrix: Sequence[Sequence[float]]) -> tuple[list[float], float]:
    """The principal eigenvector (summing to 1) by power iteration to 1e-12, and λmax."""
    n = len(matrix)
    vector = [1 / n] * n
    for _ in range(MAX_ITERATIONS):
        product = [math.fsum(row[j] * vector[j] for j in range(n)) for row in matrix]
        total = math.fsum(product)
        following = [x / total for x in product]
        done = max(abs(a - b) for a, b in zip(following, vector)) < POWER_TOLERANCE
        vector = following
        if done:
            break
    product = [math.fsum(row[j] * vector[j] for j in range(n)) for row in matrix]
    return vector, math.fsum(p / v for p, v in zip(product, vector)) / n


def consistency_ratio(lambda_max: float, n: int) -> tuple[float, float]:
    """CI = (λmax − n)/(n − 1) and CR = CI/RI(n) (CR = 0 when RI is 0)."""
    if n < 3:
        return 0.0, 0.0
    ci = (lambda_max - n) / (n - 1)
    return ci, ci / RANDOM_INDEX[n - 1]


def most_inconsistent_pair(matrix: Sequence[Sequence[float]], vector: Sequence[float]) -> tuple[int, int]:
    """The upper-triangle pair whose judgment strays most from w_i/w_j (largest max(ε, 1/ε), ε = a_ij·w_j/w_i)."""
    def stray(i: int, j: int) -> float:
        ratio = matrix[i][j] * vector[j] / vector[i]
        return max(ratio, 1 / ratio)

    n = len(matrix)
    return max(((i, j) for i in range(n) for j in range(i + 1, n)), key=lambda p: stray(*p))


def ahp(axes: Sequence[str], judgments: Mapping[tuple[str, str], float]) -> Ahp:
    """AHP priorities of the axes with their consistency check and the most inconsistent pair."""
    matrix = build_matrix(axes, judgments)
    vector, lambda_max = principal_eigenvector(matrix)
    ci, cr = consistency_ratio(lambda_max, len(axes))
    i, j = most_inconsistent_pair(matrix, vector)
    return Ahp(dict(zip(axes, vector)), lambda_max, ci, cr, (axes[i], axes[j]))


def fit_too_low(weights: Mapping[str, float], threshold: float = FIT_WARNING) -> bool:
    """The guard-rail of §6.1: warn when fit carries less than a quarter of the weight."""
    return weights.get(FIT, 0.0) < threshold


def totals_under(payload: Mapping[str, Any], weights: Mapping[str, float], axes: Sequence[str]) -> dict[str, float]:
    """Each approach's total (0–100) under other weights, from a stored result's per-axis scores."""
    ranked = compact(payload, axes)
    vector = weight_vector(weights, axes)
    return {a: _total(row, vector) for a, row in zip(ranked.ids, ranked.scores)}


@dataclass(frozen=True)
class Ranked:
    """What re-ranking needs of a stored result: ids, blocked flags, scores (non-cost axes, then cost),
    forced primary."""

    ids: tuple[str, ...]
    blocked: tuple[bool, ...]
    scores: tuple[tuple[float, ...], ...]
    forced: str | None


def score_order(axes: Sequence[str]) -> list[str]:
    """The axes in the engine's summation order: every scored axis, then cost."""
    return [x for x in axes if x != COST] + [COST]


def compact(payload: Mapping[str, Any], axes: Sequence[str]) -> Ranked:
    """The Ranked form of a result payload (its 'approaches', 'forced_by' and 'primary')."""
    order = score_order(axes)
    rows = payload["approaches"]
    return Ranked(
        tuple(str(r["id"]) for r in rows), tuple(bool(r["blocked"]) for r in rows),
        tuple(tuple(float(r["scores"][x]) for x in order) for r in rows),
        str(payload["primary"]) if payload.get("forced_by") else None,
    )


def rank_inputs(payload: Mapping[str, Any], axes: Sequence[str]) -> dict[str, Any]:
    """What compact() reads of a payload, slim and quick to decode: the axis order, forced_by, and one
    [id, blocked, *scores in that order] per approach (None where the payload lacks a value)."""
    order = score_order(axes)
    return {"axes": order, "forced_by": payload.get("forced_by"), "approaches": [
        [r.get("id"), r.get("blocked"), *[(r.get("scores") or {}).get(x) for x in order]]
        for r in payload.get("approaches", [])]}


def ranked_from_inputs(inputs: Mapping[str, Any], primary: str, axes: Sequence[str]) -> Ranked:
    """compact() of a result from its rank_inputs (scores reordered when they were stored in another axis order)."""
    order, stored, rows = score_order(axes), inputs["axes"], inputs["approaches"]
    for row in rows:
        if len(row) != len(stored) + 2 or None in row:
            raise ValueError("an approach lacks its id, blocked flag or a score")
    if stored == order:
        scores = tuple([tuple(r[2:]) for r in rows])
    else:
        at = [2 + stored.index(x) for x in order]
        scores = tuple([tuple([r[i] for i in at]) for r in rows])
    return Ranked(tuple([r[0] for r in rows]), tuple([r[1] for r in rows]), scores,
                  primary if inputs["forced_by"] else None)


def weight_vector(weights: Mapping[str, float], axes: Sequence[str]) -> tuple[float, ...]:
    """Weights in score_order."""
    return tuple(weights[x] for x in score_order(axes))


def _total(scores: Sequence[float], vector: Sequence[float]) -> float:
    """10 · (Σ scored w·s + w_cost·s_cost), summed in the engine's order so ties round the same way."""
    return 10 * (sum([w * s for w, s in zip(vector[:-1], scores[:-1])]) + vector[-1] * scores[-1])


def primary_of(ranked: Ranked, vector: Sequence[float], tie_decimals: int) -> str:
    """Steps 6–9 of §6.5 on a Ranked result: forced stays; else the best unblocked total (ties by order)."""
    if ranked.forced is not None:
        return ranked.forced
    totals = [_total(row, vector) for row in ranked.scores]
    open_ = [i for i, blocked in enumerate(ranked.blocked) if not blocked]
    if not open_:
        return ranked.ids[max(range(len(totals)), key=lambda i: totals[i])]
    return ranked.ids[min(open_, key=lambda i: (-round(totals[i], tie_decimals), i))]


def primary_under(
    payload: Mapping[str, Any], weights: Mapping[str, float], *, axes: Sequence[str], tie_decimals: int
) -> str:
    """The primary a stored result would get under other weights: scores and gates do not depend on weights.

    Mirrors steps 6–9 of §6.5: a forced outcome (G1) stays; otherwise the best unblocked total, ties by
    approach order; when every approach is blocked, the best total overall.
    """
    return primary_of(compact(payload, axes), weight_vector(weights, axes), tie_decimals)
