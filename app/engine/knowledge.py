"""The loaded knowledge (rules.py builds it): the bank, the validated rules, the axes, price presets and providers.

Everything that depends on which axes exist asks a Knowledge (axis_keys, scored_axes, complete_weights): no
module keeps its own list of axes, so adding one to axes.toml reaches every part of the app.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

from .axes import COST
from .cases import Library
from .cost import Preset, Provider
from .model import AxisInfo, Bank, ComboRule, Condition, DeltaRule, GateRule, Kind, Ladder, Notice, Text
from .reasons import Reasons


@dataclass(frozen=True)
class Confidence:
    """Monte-Carlo settings and the thresholds of the confidence label (§6.6)."""

    numbers: Mapping[str, float]
    axis_order: tuple[str, ...]
    rule_based: str
    only_feasible: str


@dataclass(frozen=True)
class Rules:
    """Everything in rules.toml, validated and with its conditions compiled."""

    version: str
    labels: Mapping[str, str]
    static: Mapping[str, Mapping[str, Text]]
    base: Mapping[str, Mapping[str, float]]
    ladder: Ladder
    deltas: Mapping[tuple[str, str], DeltaRule]
    ignored: Mapping[str, tuple[Condition, str]]
    combos: tuple[ComboRule, ...]
    gates: tuple[GateRule, ...]
    advisories: tuple[Notice, ...]
    next_steps: tuple[Notice, ...]
    axis_text: Mapping[str, Mapping[str, str]]
    phrases: Mapping[str, Mapping[str, str]]
    confidence: Confidence
    cost_rules: Mapping[str, Condition]
    referenced: frozenset[str]
    breakpoints: Mapping[str, tuple[float, ...]]
    choices: tuple[str, ...]


@dataclass(frozen=True)
class Knowledge:
    """The bank plus validated rules, axes, price presets, provider availability and the case library."""

    bank: Bank
    rules: Rules
    axes: tuple[AxisInfo, ...]
    presets: Mapping[str, Preset]
    default_preset: str
    providers: Mapping[str, Provider]
    chart_calls: tuple[float, ...]
    cases: Library = Library()  # the published-case library (cases.py), validated with the other files
    reasons: Reasons = Reasons()  # the reason sentences by approach and side (reasons.toml), checked against the rules

    def default_weights(self) -> dict[str, float]:
        """The default weight of every axis (axes.toml)."""
        return {a.key: a.weight for a in self.axes}

    @cached_property
    def axis_keys(self) -> tuple[str, ...]:
        """Every axis key in axes.toml order: the report's order, and the order weighted sums add them in."""
        return tuple(a.key for a in self.axes)

    @cached_property
    def scored_axes(self) -> tuple[str, ...]:
        """The axes the rules score (base matrix, ladder, deltas): every axis but cost, in axes.toml order."""
        return tuple(x for x in self.axis_keys if x != COST)

    def complete_weights(self, stored: Mapping[str, float]) -> dict[str, float]:
        """A stored weight set (a published version, the draft) over today's axes.

        A set saved before an axis was added lacks it: that axis takes its default weight and the others share the
        rest in their stored proportions, so an admin's choices among the older axes survive. Keys of axes no longer
        defined are dropped. A set over exactly today's axes comes back unchanged, bit for bit."""
        keys = self.axis_keys
        if set(stored) == set(keys):
            return {x: float(stored[x]) for x in keys}
        defaults = self.default_weights()
        known = {x: float(stored[x]) for x in keys if x in stored}
        total = math.fsum(known.values())
        if total <= 0:
            return defaults
        share = 1 - math.fsum(defaults[x] for x in keys if x not in known)
        return {x: known[x] * share / total if x in known else defaults[x] for x in keys}

    @cached_property
    def choice_rules(self) -> tuple[tuple[str, Condition | None, Mapping[str, DeltaRule]], ...]:
        """Each choice question in bank order, its `ignored` condition and its delta rule per option: built
        once, as scoring walks it for every counterfactual (a frozen instance never goes stale)."""
        r = self.rules
        return tuple(
            (q.id, r.ignored[q.id][0] if q.id in r.ignored else None,
             {o: r.deltas[(q.id, o)] for o in q.option_values() if (q.id, o) in r.deltas})
            for q in self.bank.questions.values() if q.kind is not Kind.INT
        )
