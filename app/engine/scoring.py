"""Score one set of answers (decision-model.md §6.5): base, ladder, deltas, rules, gates, ranking."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from . import explain, sensitivity
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
from .model import Answers, AnswerValue, Context, Contribution, Core, Effect, Kind
from .rules import APPROACHES, AXES, Knowledge

ENGINE_VERSION = "1.0.0"
ORDER = {a: i for i, a in enumerate(APPROACHES)}
NON_FIT = tuple(x for x in AXES if x not in ("fit", "cost"))
SCORED = tuple(x for x in AXES if x != "cost")


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
    knowledge: Knowledge = field(repr=False, compare=False)


def score(
    knowledge: Knowledge,
    answers: Answers,
    weights: Mapping[str, float] | None = None,
    prices: Preset | None = None,
    assumptions: Mapping[str, float] | None = None,
) -> Result:
    """Score the answers and explain the recommendation (deterministic, no I/O)."""
    k = knowledge
    filled = fill_answers(k, answers)
    w = check_weights(k, weights)
    preset = prices or k.presets[k.default_preset]
    static = static_part(k, filled, record=True)
    core, pc, inp = finish(k, static, w, preset, assumptions)
    memo: dict[tuple[Any, ...], Static] = {}
    sens = sensitivity.analyse(
        k, core, w,
        rescore=lambda a: finish(k, cached_static(k, a, memo), w, preset, assumptions)[0],
        recost=lambda a: finish(k, replace(static, answers=a), w, preset, assumptions)[0],
    )
    be = break_even(preset.values, pc, inp)
    closed = not k.providers[preset.provider].tuning_open
    text = explain.explain(k, core, w, preset, pc, be, closed)
    lines = cost_lines(preset.values, pc, inp, k.chart_calls)
    return Result(ENGINE_VERSION, k.rules.version, core, w, preset, pc, be, lines, sens, text, k)


def evaluate(
    k: Knowledge, answers: Answers, weights: Mapping[str, float] | None = None,
    prices: Preset | None = None, assumptions: Mapping[str, float] | None = None,
) -> Core:
    """Score without sensitivity or explanations (used for counterfactuals and tests)."""
    preset = prices or k.presets[k.default_preset]
    static = static_part(k, fill_answers(k, answers), record=True)
    return finish(k, static, check_weights(k, weights), preset, assumptions)[0]


def fill_answers(k: Knowledge, answers: Answers) -> dict[str, AnswerValue]:
    """Validate the answers and fill unanswered questions with their defaults (reading 18)."""
    unknown = sorted(set(answers) - set(k.bank.questions))
    if unknown:
        raise ValueError(f"unknown questions: {unknown}")
    filled: dict[str, AnswerValue] = {}
    for q in k.bank.questions.values():
        value = answers.get(q.id, q.default)
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
    """Weights by axis: all six axes, non-negative, summing to 1 (default: axes.toml)."""
    if weights is None:
        return k.default_weights()
    w = {str(getattr(key, "value", key)): float(v) for key, v in weights.items()}
    if sorted(w) != sorted(AXES) or min(w.values()) < 0 or abs(sum(w.values()) - 1) > 1e-6:
        raise ValueError(f"weights must give each of {list(AXES)} a non-negative weight, summing to 1")
    return {x: w[x] for x in AXES}


def static_part(k: Knowledge, answers: Mapping[str, AnswerValue], record: bool) -> Static:
    """Steps 2–5 and 7 of §6.5: everything except cost, totals and ranking."""
    r, ctx = k.rules, Context(answers)
    scores = {a: dict(r.base[a]) for a in APPROACHES}
    out: list[Contribution] | None = [] if record else None
    _ladder(k, answers, scores, out)
    ignored = []
    for q in k.bank.questions.values():
        if q.kind is Kind.INT:
            continue
        skip = r.ignored.get(q.id)
        if skip is not None and skip[0](ctx):
            ignored.append(q.id)
            continue
        value = answers[q.id]
        for option in value if isinstance(value, tuple) else (value,):
            rule = r.deltas.get((q.id, str(option)))
            if rule is not None:
                _apply(rule.effects, scores, out, (q.id, q.id, rule.option, rule.sources))
    for combo in r.combos:
        if combo.when(ctx):
            ctx.combos.add(combo.id)
            _apply(combo.effects, scores, out, (combo.id, "", "", combo.sources))
    max_fit, clamped = _normalise(scores)
    gates, forced_by, wants = _gates(k, ctx)
    blocked = {a: tuple(g for g in gates if a in ctx.gate_blocks[g]) for a in APPROACHES}
    forced = next((g.forces for g in r.gates if g.id == forced_by), None)
    flags = {name: cond(ctx) for name, cond in r.cost_rules.items()}
    return Static(
        answers, scores, max_fit, gates, blocked, forced_by, forced, wants, tuple(sorted(ctx.combos)),
        flags, tuple(out or ()), frozenset(clamped), tuple(ignored),
    )


def cached_static(k: Knowledge, answers: Mapping[str, AnswerValue], memo: dict[tuple[Any, ...], Static]) -> Static:
    """static_part, shared between answers that differ only inside one numeric interval of the rules."""
    key = tuple(
        bisect_right(k.rules.breakpoints.get(q, ()), v) if isinstance(v, int) else v
        for q, v in answers.items()
    )
    hit = memo.get(key)
    if hit is None:
        hit = memo[key] = static_part(k, answers, record=False)
    return replace(hit, answers=answers)


def finish(
    k: Knowledge, st: Static, weights: Mapping[str, float], preset: Preset, overrides: Mapping[str, float] | None
) -> tuple[Core, PerCall, CostInputs]:
    """Steps 5 (cost), 6 and 8–10 of §6.5: cost scores, totals, ranking, primary and companion."""
    v, a = preset.values, st.answers
    fixed = float(a["fixed_prompt_tokens"])  # type: ignore[arg-type]
    pc = per_call(v, fixed, st.flags["frequent_retrain"], overrides)
    inp = CostInputs(
        float(a["monthly_calls"]), fixed, float(a[k.rules.ladder.question]),  # type: ignore[arg-type]
        str(a["knowledge_volume"]), str(a["knowledge_churn"]),
        st.flags["hosted_allowed"], st.flags["self_host_allowed"], st.flags["full_in_house"],
    )
    costs, mode = monthly_costs(v, pc, inp)
    cs = cost_scores(costs, v["materiality"])
    scores = {ap: {**st.scores[ap], "cost": cs[ap]} for ap in APPROACHES}
    scored = [(x, weights[x]) for x in SCORED]
    totals = {ap: 10 * (sum([wx * s[x] for x, wx in scored]) + weights["cost"] * cs[ap]) for ap, s in st.scores.items()}
    places = int(k.rules.confidence.numbers["tie_decimals"])
    ranking = tuple(sorted((ap for ap in APPROACHES if not st.blocked[ap]), key=lambda ap: (-round(totals[ap], places), ORDER[ap])))
    primary = st.forced or (ranking[0] if ranking else max(APPROACHES, key=lambda ap: totals[ap]))
    others = [ap for ap in ranking if ap != primary]
    companion = next((ap for ap in others if ap != "INTEGRATION"), None) if st.forced and st.wants_companion else None
    core = Core(
        a, scores, st.max_raw_fit, totals, costs, mode, st.gates, st.blocked, st.combos, ranking, primary,
        companion, others[0] if others else None, st.forced_by, st.contributions, st.clamped, st.ignored,
    )
    return core, pc, inp


def _ladder(k: Knowledge, answers: Mapping[str, AnswerValue], scores: dict[str, dict[str, float]], out: list[Contribution] | None) -> None:
    """Step 2: the data ladder replaces the data score of the fine-tuning approaches."""
    lad = k.rules.ladder
    n = answers[lad.question]
    band = bisect_right(lad.bounds, n)
    for ap, values in lad.scores.items():
        if out is not None:
            delta = values[band] - scores[ap][lad.axis]
            out.append(Contribution(lad.question, lad.question, str(n), ap, lad.axis, delta, lad.notes[band].sources))
        scores[ap][lad.axis] = values[band]


def _apply(
    effects: tuple[Effect, ...], scores: dict[str, dict[str, float]], out: list[Contribution] | None,
    origin: tuple[str, str, str, tuple[str, ...]],
) -> None:
    """Add deltas to the scores and, when recording, remember each one."""
    for e in effects:
        scores[e.approach][e.axis] += e.delta
    if out is not None:
        group, question, option, sources = origin
        out.extend(Contribution(group, question, option, e.approach, e.axis, e.delta, sources) for e in effects)


def _normalise(scores: dict[str, dict[str, float]]) -> tuple[float, set[tuple[str, str]]]:
    """Step 5: clamp non-fit axes to [0, 10]; max-normalise fit over all six (reading 10)."""
    top = max(s["fit"] for s in scores.values())
    clamped = set()
    for ap, s in scores.items():
        s["fit"] = 10 * max(0.0, s["fit"]) / top if top > 0 else 0.0
        for x in NON_FIT:
            if not 0 <= s[x] <= 10:
                clamped.add((ap, x))
                s[x] = min(10.0, max(0.0, s[x]))
    return top, clamped


def _gates(k: Knowledge, ctx: Context) -> tuple[tuple[str, ...], str | None, bool]:
    """Step 7: run the gates in order; record what each fired gate blocks."""
    fired, forced_by, wants = [], None, False
    for g in k.rules.gates:
        if not g.when(ctx):
            continue
        fired.append(g.id)
        ctx.gate_blocks[g.id] = frozenset(a for b in g.blocks if b.unless is None or not b.unless(ctx) for a in b.approaches)
        if g.forces is not None and forced_by is None:
            forced_by, wants = g.id, g.companion_when is not None and g.companion_when(ctx)
    return tuple(fired), forced_by, wants


def result_to_dict(result: Result) -> dict[str, Any]:
    """The result as JSON-ready data (str, int, float, bool, None, list, dict only)."""
    k, core, sens, text = result.knowledge, result.core, result.sensitivity, result.explanation
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
        "advisories": text.advisories, "next_steps": text.next_steps, "cost": explain.cost_dict(k, core, result.preset, result.per_call, result.break_even, result.lines),
        "axis_text": text.axis_text, "ignored_questions": list(core.ignored),
        "answers": {q: list(v) if isinstance(v, tuple) else v for q, v in core.answers.items()},
        "contributions": [explain.contribution_dict(c) for c in core.contributions],
    }
