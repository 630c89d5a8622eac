"""Load and validate axes.toml: the comparison axes, in report order, with their labels, help and default weights.

The axes are data. Adding one takes an [[axes]] table in axes.toml and a base score per approach in rules.toml;
weights, normalisation, sensitivity, the report, the exports and the admin forms all follow from the list loaded
here. Two keys play fixed parts in the engine, so axes.toml must define them: FIT is max-normalised over the
approaches instead of clamped (reading 10), and COST is computed by the cost model (no base score, no deltas).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .model import AxisInfo

FIT, COST = "fit", "cost"
# Keys become form field names (w_<key>, rank_<key>, p_<a>_<b>): no underscore, so p_<a>_<b> names one pair only.
KEY = re.compile(r"[a-z][a-z0-9]*")


def parse_axes(raw: Mapping[str, Any], sources: Mapping[str, Any], problems: list[str]) -> tuple[AxisInfo, ...]:
    """Validate axes.toml: each axis once (fit and cost among them), labels, help, weights summing to 1."""
    axes = []
    for item in raw.get("axes", []):
        key, weight = str(item.get("key")), item.get("weight")
        if not KEY.fullmatch(key):
            problems.append(f"axes: key {key!r} must be lower-case letters and digits, starting with a letter")
        if not item.get("label") or not item.get("help") or not isinstance(weight, (int, float)) or weight < 0:
            problems.append(f"axis {key!r}: needs a label, help and a non-negative weight")
            weight = 0.0
        if not item.get("sources") or any(t not in sources for t in item.get("sources", [])):
            problems.append(f"axis {key!r}: missing or unknown source tags")
        label, text, tags = str(item.get("label")), str(item.get("help")), tuple(item.get("sources", []))
        axes.append(AxisInfo(key, label, text, float(weight), tags))
    keys = [a.key for a in axes]
    problems += [f"axes: {key!r} is defined more than once" for key in sorted({k for k in keys if keys.count(k) > 1})]
    problems += [f"axes: must define the {key!r} axis" for key in (FIT, COST) if key not in keys]
    if abs(sum(a.weight for a in axes) - 1) > 1e-6:
        problems.append("axes: default weights must sum to 1")
    return tuple(axes)
