"""The axes a result was scored on, named so that every name reads in the scoring direction (higher is better)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# Axis names that read in the scoring direction (higher is better on every axis): "Risk" 9/10 read as risky.
SCORING_NAMES = {"data": "Data ready", "cost": "Low recurring cost", "risk": "Low risk", "change": "Easy to undo"}


def result_axes(result: Mapping[str, Any]) -> list[dict[str, str]]:
    """The axes the result was scored on, in its order, with label and help. A report draws them from its own
    snapshot, never from today's axes.toml: results made before an axis was added still show the axes they have.
    (A payload without its axes list falls back to the keys of its weights.)"""
    listed = result.get("axes") or [{"key": key} for key in result.get("weights", {})]
    return [{"key": a["key"], "label": SCORING_NAMES.get(a["key"]) or a.get("label") or a["key"].title(),
             "help": a.get("help", "")} for a in listed]
