"""The three weight forms (direct numbers, ranking → ROC, AHP pairwise): parsing, errors and prefilled values."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from app.engine import weights as w
from app.web.forms import as_int, first

METHODS = ("direct", "roc", "ahp")


@dataclass
class Parsed:
    """One submitted weights form: the method, the resulting weights (None on errors) and what to re-render."""

    method: str
    weights: dict[str, float] | None = None
    matrix: list[list[float]] | None = None
    cr: float | None = None
    errors: dict[str, str] = field(default_factory=dict)
    values: dict[str, str] = field(default_factory=dict)
    worst: tuple[str, str] | None = None


def parse(fields: Mapping[str, list[str]], axes: Sequence[str], labels: Mapping[str, str]) -> Parsed:
    """Parse whichever method the form carries."""
    method = first(fields, "method", 10)
    values = {name: first(fields, name, 40) for name in fields if name.startswith(("w_", "rank_", "p_"))}
    if method == "direct":
        return _direct(values, axes)
    if method == "roc":
        return _roc(values, axes, labels)
    if method == "ahp":
        return _ahp(values, axes, labels)
    return Parsed("direct", errors={f"w_{axes[0]}": "Choose how to set the weights"}, values=values)


def _direct(values: dict[str, str], axes: Sequence[str]) -> Parsed:
    """One number in [0, 1] per axis, normalised to sum 1."""
    parsed, out = Parsed("direct", values=values), {}
    for x in axes:
        number, problem = w.parse_weight(values.get(f"w_{x}", ""))
        if problem:
            parsed.errors[f"w_{x}"] = problem
        elif number is not None:
            out[x] = number
    if not parsed.errors:
        try:
            parsed.weights = w.normalise(out)
        except ValueError:
            parsed.errors[f"w_{axes[0]}"] = "Give at least one axis a weight above 0"
    return parsed


def _roc(values: dict[str, str], axes: Sequence[str], labels: Mapping[str, str]) -> Parsed:
    """Each axis a distinct rank 1…n; weights by rank-order centroid."""
    parsed, n = Parsed("roc", values=values), len(axes)
    ranks = {x: as_int(values.get(f"rank_{x}", "")) for x in axes}
    for x, rank in ranks.items():
        if not 1 <= rank <= n:
            parsed.errors[f"rank_{x}"] = f"Choose a rank from 1 to {n} for {labels[x]}"
        elif list(ranks.values()).count(rank) > 1:
            parsed.errors[f"rank_{x}"] = f"Rank {rank} is given to more than one axis: give {labels[x]} its own rank"
    if not parsed.errors:
        parsed.weights = w.roc_weights(sorted(axes, key=lambda x: ranks[x]))
    return parsed


def _ahp(values: dict[str, str], axes: Sequence[str], labels: Mapping[str, str]) -> Parsed:
    """n(n−1)/2 judgments on Saaty's scale; refuse CR ≥ 0.10 and name the most inconsistent pair."""
    parsed, judgments = Parsed("ahp", values=values), {}
    for a, b in w.pairs(axes):
        value = w.parse_judgment(values.get(f"p_{a}_{b}", ""))
        if value is None:
            parsed.errors[f"p_{a}_{b}"] = f"Choose how {labels[a]} compares with {labels[b]}"
        else:
            judgments[(a, b)] = value
    if parsed.errors:
        return parsed
    result = w.ahp(axes, judgments)
    parsed.matrix, parsed.cr, parsed.worst = w.build_matrix(axes, judgments), result.cr, result.worst_pair
    if not result.consistent:
        a, b = result.worst_pair
        parsed.errors[f"p_{a}_{b}"] = (
            f"The comparisons are inconsistent (consistency ratio {result.cr:.3f}; it must be below 0.10). "
            f"Revisit {labels[a]} versus {labels[b]} first: it strays most from the others"
        )
    else:
        parsed.weights = result.weights
    return parsed


def nearest_judgment(ratio: float) -> str:
    """The Saaty choice closest (on a log scale) to a weight ratio."""
    return min(w.SAATY_CHOICES, key=lambda c: abs(math.log(float(w.parse_judgment(c) or 1)) - math.log(ratio)))


def prefill(weights: Mapping[str, float], axes: Sequence[str], matrix: Any = None) -> dict[str, str]:
    """Form values that show given weights in all three forms (the stored AHP matrix when there is one)."""
    values = {f"w_{x}": f"{weights[x]:.3f}" for x in axes}
    order = sorted(axes, key=lambda x: (-weights[x], axes.index(x)))
    values |= {f"rank_{x}": str(order.index(x) + 1) for x in axes}
    for i, a in enumerate(axes):
        for j in range(i + 1, len(axes)):
            b = axes[j]
            if isinstance(matrix, list) and len(matrix) == len(axes):
                values[f"p_{a}_{b}"] = w.judgment_label(float(matrix[i][j]))
            else:
                ratio = weights[a] / weights[b] if weights[a] > 0 and weights[b] > 0 else 1.0
                values[f"p_{a}_{b}"] = nearest_judgment(ratio)
    return values
