"""The weight forms (percentages, ranking → ROC, AHP pairwise; direct 0–1 numbers for older clients): parsing,
errors, prefilled values and the rescale an admin sees before saving."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from app.engine import weights as w
from app.web.forms import as_int, first

METHODS = ("percent", "direct", "roc", "ahp")
METHOD_NAMES = {"percent": "Percentages", "direct": "Numbers from 0 to 1", "roc": "Ranking",
                "ahp": "Pairwise comparisons"}
TOTAL_SLACK = 0.05  # percentage points: a total this close to 100 % is used as typed (rounding of one decimal)


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
    typed: dict[str, float] | None = None  # percent mode: what was typed, before it was scaled to 100 %


def parse(fields: Mapping[str, list[str]], axes: Sequence[str], labels: Mapping[str, str]) -> Parsed:
    """Parse whichever method the form carries."""
    method = first(fields, "method", 10)
    values = {name: first(fields, name, 40) for name in fields if name.startswith(("w_", "rank_", "p_"))}
    if method == "percent":
        return _percent(values, axes, labels)
    if method == "direct":
        return _direct(values, axes)
    if method == "roc":
        return _roc(values, axes, labels)
    if method == "ahp":
        return _ahp(values, axes, labels)
    return Parsed("percent", errors={f"w_{axes[0]}": "Choose how to set the weights"}, values=values)


def parse_percent(text: str, label: str) -> tuple[float | None, str]:
    """One percentage typed by an admin ('20', '20 %', '16,9'): (value, '') or (None, the field and the reason)."""
    raw = text.strip().removesuffix("%").strip().replace(",", ".")
    if not raw:
        return None, f"Enter a percentage for {label}, from 0 to 100"
    try:
        value = float(raw)
    except ValueError:
        return None, f"{label} must be a number from 0 to 100, like 25"
    if not math.isfinite(value) or not 0 <= value <= 100:
        return None, f"{label} must be between 0 and 100"
    return value, ""


def _percent(values: dict[str, str], axes: Sequence[str], labels: Mapping[str, str]) -> Parsed:
    """One percentage per axis; scaled to make 100 % (the page shows the scaling, never silently)."""
    parsed, typed = _per_axis(Parsed("percent", values=values), axes,
                              lambda raw, x: parse_percent(raw, labels[x]), "Give at least one axis more than 0 %")
    if parsed.weights:
        parsed.typed = typed
    return parsed


def _direct(values: dict[str, str], axes: Sequence[str]) -> Parsed:
    """One number in [0, 1] per axis, normalised to sum 1."""
    return _per_axis(Parsed("direct", values=values), axes, lambda raw, _: w.parse_weight(raw),
                     "Give at least one axis a weight above 0")[0]


def _per_axis(parsed: Parsed, axes: Sequence[str], parse: Callable[[str, str], tuple[float | None, str]],
              all_zero: str) -> tuple[Parsed, dict[str, float]]:
    """Parse the field of each axis (`w_<axis>`), then normalise what was given (errors by field); returns the
    numbers as typed too."""
    numbers: dict[str, float] = {}
    for x in axes:
        number, problem = parse(parsed.values.get(f"w_{x}", ""), x)
        if problem:
            parsed.errors[f"w_{x}"] = problem
        elif number is not None:
            numbers[x] = number
    if not parsed.errors:
        try:
            parsed.weights = w.normalise(numbers)
        except ValueError:
            parsed.errors[f"w_{axes[0]}"] = all_zero
    return parsed, numbers


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
            f"Your pairwise judgements contradict each other too much (inconsistency {result.cr:.3f}; it must be "
            f"below 0.10). Revisit {labels[a]} versus {labels[b]} first: it disagrees most with the others"
        )
    else:
        parsed.weights = result.weights
    return parsed


def nearest_judgment(ratio: float) -> str:
    """The Saaty choice closest (on a log scale) to a weight ratio."""
    return min(w.SAATY_CHOICES, key=lambda c: abs(math.log(float(w.parse_judgment(c) or 1)) - math.log(ratio)))


def prefill(weights: Mapping[str, float], axes: Sequence[str], matrix: Any = None) -> dict[str, str]:
    """Form values that show given weights in every form: percentages, ranks, and the stored AHP matrix when there
    is one."""
    values = {f"w_{x}": share(weights[x] * 100) for x in axes}
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


def share(value: float) -> str:
    """A percentage with at most one decimal: 16.949 → '16.9', 20.0 → '20'."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


@dataclass(frozen=True)
class Rescale:
    """What percentages typed become: the total, whether they were scaled to make 100 %, and per axis
    (field, label, typed, used), formatted."""

    total: str
    scaled: bool
    rows: list[tuple[str, str, str, str]]

    @property
    def used(self) -> dict[str, str]:
        """Field → the share used, like '16.9'."""
        return {f: used for f, _, _, used in self.rows}


def rescale(typed: Mapping[str, float], axes: Sequence[str], labels: Mapping[str, str]) -> Rescale | None:
    """The scaling of typed percentages to 100 % (None when they are all zero: nothing can be scaled)."""
    total = math.fsum(typed[x] for x in axes)
    if total <= 0:
        return None
    rows = [(f"w_{x}", labels[x], share(typed[x]), share(typed[x] / total * 100)) for x in axes]
    return Rescale(share(total), abs(total - 100) > TOTAL_SLACK, rows)


def rescale_of_values(values: Mapping[str, str], axes: Sequence[str], labels: Mapping[str, str]) -> Rescale | None:
    """The rescale of the percentages a form shows (None when one of them is not a valid percentage)."""
    typed = {x: parse_percent(values.get(f"w_{x}", ""), labels[x])[0] for x in axes}
    numbers = {x: v for x, v in typed.items() if v is not None}
    return rescale(numbers, axes, labels) if len(numbers) == len(axes) else None


def total_sentence(found: Rescale | None) -> str:
    """The line under the percentages (static/admin.js writes the same sentences as the admin types)."""
    if found is None:
        return "Total: — (enter a number from 0 to 100 for each axis, at least one above 0)."
    if not found.scaled:
        return f"Total: {found.total} %. The shares are used as typed."
    return f"Total: {found.total} %. Each share is scaled to make 100 %: “used” beside each axis is what counts."


def roc_shares(n: int) -> list[str]:
    """The shares ranks 1…n get, as percentages ('40.8', '24.2', …)."""
    return [share(x * 100) for x in w.roc_vector(n)]
