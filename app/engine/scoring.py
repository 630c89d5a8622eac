"""Score one set of answers (decision-model.md §6.5): the static part (static.py), cost, totals, ranking, then
sensitivity and explanations."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple

from . import cases, explain, sensitivity, tuning, unknowns
from .axes import COST
from .cost import (
    CostInputs,
    PerCall,
    Preset,
    break_even,
    cost_lines,
    cost_scores,
    monthly_costs,
    per_call,
)
from .model import UNKNOWN, Answers, AnswerValue, Core, Kind
from .rules import APPROACHES, Knowledge
from .sensitivity import Outcome
from .static import Static, cached_static, static_part
from .static import _normalise as _normalise  # re-exported: tests check it on its own

ENGINE_VERSION = "1.0.0"
ORDER = {a: i for i, a in enumerate(APPROACHES)}


class CostPart(NamedTuple):
    """Step 5 for one set of answers: the cost model's inputs, per-call figures, monthly costs, LoRA's hosting
    mode and the cost scores."""

    inputs: CostInputs
    per_call: PerCall
    costs: dict[str, float]
    mode: str
    scores: dict[str, float]


CostMemo = dict[tuple[Any, ...], CostPart]  # by what the cost model reads: see _cost_part()


@dataclass(frozen=True)
class Result:
    """A full recommendation: the scored core, cost figures, sensitivity and explanations."""

    engine_version: str
    rules_version: str
    core: Core
    weights: Mapping[str, float]
    preset: Preset
    per_call: PerCall
    break_even: Mapping[str, float | None]
    lines: Mapping[str, Any]
    sensitivity: sensitivity.Sensitivity
    explanation: explain.Explanation
    unknowns: tuple[unknowns.Unknown, ...]
    neighbours: tuple[cases.Neighbour, ...]
    neighbours_agree: bool
    knowledge: Knowledge = field(repr=False, compare=False)
    tuned: Mapping[str, Any] = field(default_factory=dict)  # where the tuned approaches are costed (tuning.py)


def score(
    knowledge: Knowledge,
    answers: Answers,
    weights: Mapping[str, float] | None = None,
    prices: Preset | None = None,
    assumptions: Mapping[str, float] | None = None,
    exclude_case: str | None = None,
) -> Result:
    """Score the answers and explain the recommendation (deterministic, no I/O). A question left out of
    `answers`, or answered UNKNOWN, is scored at its default and probed at its other values (unknowns.py). The
    published cases most like the answers come along (never `exclude_case`: eval scores a case without itself)."""
    k = knowledge
    filled = fill_answers(k, answers)
    unknown = unknowns.unknown_ids(tuple(k.bank.questions.values()), answers)
    w = check_weights(k, weights)
    preset = prices or k.presets[k.default_preset]
    static = static_part(k, filled, record=True)
    # The counterfactuals re-score ~50 variants of these answers and read only each one's primary (outcome()):
    # most share the cost part (few answers feed the cost model) and numeric probes in one interval share the
    # static part, so both are memoised for this call.
    statics: dict[tuple[Any, ...], Static] = {}
    costs: CostMemo = {}
    core, pc, inp = finish(k, static, w, preset, assumptions, costs)
    def rescore(a: dict[str, AnswerValue]) -> sensitivity.Outcome:
        return outcome(k, cached_static(k, a, statics), a, w, preset, assumptions, costs)

    sens = sensitivity.analyse(
        k, core, w, rescore=rescore, recost=lambda a: outcome(k, static, a, w, preset, assumptions, costs),
        unknown=frozenset(unknown),
    )
    probes = unknowns.probe(k.bank.questions, unknown, filled, core.primary, lambda a: _decided(core, rescore(a)))
    conf = k.rules.confidence
    label = unknowns.capped(sens.label, probes, conf.numbers, "High", "Medium")
    near = cases.neighbours(k.cases, answers, int(conf.numbers["neighbours"]), exclude_case)
    agree = cases.agree(near, core.primary, int(conf.numbers["neighbours_to_agree"]))
    sens = replace(sens, label=label if agree else lowered(label))
    values, modes = tuning.costing_values(k, preset), tuning.hosting(k, preset, core.lora_mode, inp)
    be = break_even(values, pc, inp)
    closed = not k.providers[preset.provider].tuning_open
    train_on = tuning.train_on(core.primary, core.companion, modes)
    text = explain.explain(k, core, w, preset, pc, be, closed, train_on=train_on)
    lines = cost_lines(values, pc, inp, k.chart_calls)
    return Result(ENGINE_VERSION, k.rules.version, core, w, preset, pc, be, lines, sens, text, probes, near, agree, k,
                  tuning.tuned_dict(k, preset, modes))


def lowered(label: str) -> str:
    """One confidence level down, when the published cases most like the team's chose differently (issue 11)."""
    return "Low" if label == "Medium" else "Medium" if label.startswith("High") else label


def _decided(base: Core, new: sensitivity.Outcome) -> tuple[str, str | None]:
    """A re-scored variant's primary and the gate behind its change."""
    return new.primary, sensitivity.via(base, new)


def evaluate(
    k: Knowledge, answers: Answers, weights: Mapping[str, float] | None = None,
    prices: Preset | None = None, assumptions: Mapping[str, float] | None = None,
) -> Core:
    """Score without sensitivity or explanations (used for counterfactuals and tests)."""
    preset = prices or k.presets[k.default_preset]
    static = static_part(k, fill_answers(k, answers), record=True)
    return finish(k, static, check_weights(k, weights), preset, assumptions)[0]


def fill_answers(k: Knowledge, answers: Answers) -> dict[str, AnswerValue]:
    """Validate the answers; unanswered and UNKNOWN questions take their defaults (reading 18), the value they
    are scored at before unknowns.probe() tries the others."""
    unknown = sorted(set(answers) - set(k.bank.questions))
    if unknown:
        raise ValueError(f"unknown questions: {unknown}")
    filled: dict[str, AnswerValue] = {}
    for q in k.bank.questions.values():
        value = answers.get(q.id, q.default)
        if value == UNKNOWN and q.kind is not Kind.MULTI:
            value = q.default
        if q.kind is Kind.MULTI:
            chosen = [value] if isinstance(value, str) else list(value or ())  # type: ignore[arg-type]
            if not chosen or set(chosen) - set(q.option_values()):
                raise ValueError(f"{q.id}: choose at least one of {list(q.option_values())}")
            filled[q.id] = tuple(v for v in q.option_values() if v in chosen)
        elif q.kind is Kind.INT:
            if isinstance(value, bool) or not isinstance(value, int) or not q.minimum <= value <= q.maximum:
                raise ValueError(f"{q.id}: must be a whole number from {q.minimum} to {q.maximum}")
            filled[q.id] = value
        elif value not in q.option_values():
            raise ValueError(f"{q.id}: {value!r} is not one of {list(q.option_values())}")
        else:
            filled[q.id] = value
    return filled


def check_weights(k: Knowledge, weights: Mapping[str, float] | None) -> dict[str, float]:
    """Weights by axis, in axes.toml order: every axis, non-negative, summing to 1 (default: axes.toml)."""
    if weights is None:
        return k.default_weights()
    w = {str(getattr(key, "value", key)): float(v) for key, v in weights.items()}
    if sorted(w) != sorted(k.axis_keys) or min(w.values()) < 0 or abs(sum(w.values()) - 1) > 1e-6:
        raise ValueError(f"weights must give each of {list(k.axis_keys)} a non-negative weight, summing to 1")
    return {x: w[x] for x in k.axis_keys}


def finish(
    k: Knowledge, st: Static, weights: Mapping[str, float], preset: Preset, overrides: Mapping[str, float] | None,
    memo: CostMemo | None = None,
) -> tuple[Core, PerCall, CostInputs]:
    """Steps 5 (cost), 6 and 8–10 of §6.5: cost scores, totals, ranking, primary and companion."""
    cost = _cost_part(k, st.answers, st.flags, preset, overrides, {} if memo is None else memo)
    scores = {ap: {**st.scores[ap], COST: cost.scores[ap]} for ap in APPROACHES}
    totals, ranking = _rank(k, st, weights, cost.scores)
    primary = _primary(st, totals, ranking)
    others = [ap for ap in ranking if ap != primary]
    companion = next((ap for ap in others if ap != "INTEGRATION"), None) if st.forced and st.wants_companion else None
    core = Core(
        st.answers, scores, st.max_raw_fit, totals, cost.costs, cost.mode, st.gates, st.blocked, st.combos, ranking,
        primary, companion, others[0] if others else None, st.forced_by, st.contributions, st.clamped, st.ignored,
    )
    return core, cost.per_call, cost.inputs


def outcome(
    k: Knowledge, st: Static, answers: Mapping[str, AnswerValue], weights: Mapping[str, float], preset: Preset,
    overrides: Mapping[str, float] | None, memo: CostMemo,
) -> Outcome:
    """The primary of a variant and the gates behind it, all a counterfactual reads (finish() without the
    Core): a forced primary needs neither costs nor a ranking. `st` may be shared with other answers in the
    same numeric intervals (cached_static), so the cost model reads `answers`."""
    if st.forced is not None:
        return Outcome(st.forced, st.forced_by, st.blocked)
    totals, ranking = _rank(k, st, weights, _cost_part(k, answers, st.flags, preset, overrides, memo).scores)
    return Outcome(_primary(st, totals, ranking), st.forced_by, st.blocked)


def _cost_part(
    k: Knowledge, a: Mapping[str, AnswerValue], flags: Mapping[str, bool], preset: Preset,
    overrides: Mapping[str, float] | None, memo: CostMemo,
) -> CostPart:
    """Step 5's cost, kept in `memo` between calls with the same prices and overrides by exactly what the cost
    model reads (five answers and the cost flags): most counterfactuals change none of them."""
    question = k.rules.ladder.question
    key = (
        a["fixed_prompt_tokens"], a["monthly_calls"], a[question], a["knowledge_volume"], a["knowledge_churn"],
        *flags.values(),
    )
    part = memo.get(key)
    if part is None:
        v, fixed = tuning.costing_values(k, preset), float(a["fixed_prompt_tokens"])  # type: ignore[arg-type]
        inp = CostInputs(
            float(a["monthly_calls"]), fixed, float(a[question]),  # type: ignore[arg-type]
            str(a["knowledge_volume"]), str(a["knowledge_churn"]),
            flags["hosted_allowed"], flags["self_host_allowed"], flags["full_in_house"],
            hosted_tuning=tuning.tuned_host(k, preset) is not None,
        )
        pc = per_call(v, fixed, flags["frequent_retrain"], overrides)
        costs, mode = monthly_costs(v, pc, inp)
        part = memo[key] = CostPart(inp, pc, costs, mode, cost_scores(costs, v["materiality"]))
    return part


def _rank(
    k: Knowledge, st: Static, weights: Mapping[str, float], cs: Mapping[str, float],
) -> tuple[dict[str, float], tuple[str, ...]]:
    """Step 6 and 8: weighted totals; the feasible approaches by rounded total, ties in the fixed order.

    The scored axes are added in axes.toml order and cost last: float sums depend on the order."""
    scored = [(x, weights[x]) for x in k.scored_axes]
    totals = {ap: 10 * (sum([wx * s[x] for x, wx in scored]) + weights[COST] * cs[ap]) for ap, s in st.scores.items()}
    places = int(k.rules.confidence.numbers["tie_decimals"])
    ranking = tuple(
        sorted((ap for ap in APPROACHES if not st.blocked[ap]), key=lambda ap: (-round(totals[ap], places), ORDER[ap]))
    )
    return totals, ranking


def _primary(st: Static, totals: Mapping[str, float], ranking: tuple[str, ...]) -> str:
    """Step 9: the forced outcome, else the first feasible, else (all blocked) the highest total."""
    return st.forced or (ranking[0] if ranking else max(APPROACHES, key=lambda ap: totals[ap]))


def result_to_dict(result: Result) -> dict[str, Any]:
    """The result as JSON-ready data (str, int, float, bool, None, list, dict only)."""
    k, core, sens, text = result.knowledge, result.core, result.sensitivity, result.explanation
    unknown = {u.question for u in result.unknowns}
    return {
        "engine_version": result.engine_version, "rules_version": result.rules_version,
        "primary": core.primary, "companion": core.companion, "runner_up": core.runner_up,
        "forced_by": core.forced_by, "confidence": explain.confidence_dict(k, sens), "dominant": sens.dominant,
        "weights": dict(result.weights), "axes": [{"key": a.key, "label": a.label, "help": a.help} for a in k.axes],
        "approaches": [explain.approach_dict(k, core, a) for a in APPROACHES], "ranking": list(core.ranking),
        "gates": [explain.gate_dict(k, core, g) for g in core.gates],
        "combos": [explain.combo_dict(k, c) for c in core.combos],
        "weight_flips": explain.flip_dicts(k, sens),
        "reasons_subject": text.subject, "reasons_versus": text.versus,
        "reasons_for": text.reasons_for, "reasons_against": text.reasons_against,
        "counterfactuals": explain.counterfactual_dicts(k, core, sens),
        "advisories": text.advisories, "next_steps": text.next_steps,
        "cost": {**explain.cost_dict(k, core, result.preset, result.per_call, result.break_even, result.lines),
                 "tuned": dict(result.tuned)},
        "axis_text": text.axis_text, "ignored_questions": list(core.ignored),
        "answers": {
            q: UNKNOWN if q in unknown else list(v) if isinstance(v, tuple) else v for q, v in core.answers.items()
        },
        "unknowns": unknowns.unknown_dicts(k.bank.questions, k.rules.labels, result.unknowns),
        "neighbours": [cases.neighbour_dict(n) for n in result.neighbours],
        "neighbours_agree": result.neighbours_agree,
        "contributions": [explain.contribution_dict(c) for c in core.contributions],
    }
