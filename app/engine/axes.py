"""Load and validate axes.toml: the six comparison axes with their labels, help and default weights."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .model import Axis, AxisInfo

AXES = tuple(x.value for x in Axis)


def parse_axes(raw: Mapping[str, Any], sources: Mapping[str, Any], problems: list[str]) -> tuple[AxisInfo, ...]:
    """Validate axes.toml: the six axes once each, labels, help, weights summing to 1."""
    axes = []
    for item in raw.get("axes", []):
        key, weight = str(item.get("key")), item.get("weight")
        if key not in AXES:
            problems.append(f"axes: unknown axis {key!r}")
        if not item.get("label") or not item.get("help") or not isinstance(weight, (int, float)) or weight < 0:
            problems.append(f"axis {key!r}: needs a label, help and a non-negative weight")
            weight = 0.0
        if not item.get("sources") or any(t not in sources for t in item.get("sources", [])):
            problems.append(f"axis {key!r}: missing or unknown source tags")
        axes.append(AxisInfo(key, str(item.get("label")), str(item.get("help")), float(weight), tuple(item.get("sources", []))))
    if sorted(a.key for a in axes) != sorted(AXES):
        problems.append(f"axes: must define each of {', '.join(AXES)} exactly once")
    if abs(sum(a.weight for a in axes) - 1) > 1e-6:
        problems.append("axes: default weights must sum to 1")
    return tuple(sorted(axes, key=lambda a: AXES.index(a.key) if a.key in AXES else len(AXES)))
