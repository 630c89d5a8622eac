"""Turn a scored core into words: reasons, gates, advisories, next steps, the per-axis text (§6.7–6.8)."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from .axes import COST, FIT
from .cost import PerCall, Preset
from .model import AnswerValue, Context, Contribution, Core, Question
from .reasons import COST_MODEL, LADDER, side_of
from .rules import APPROACHES, Knowledge
from .sensitivity import Counterfactual, Sensitivity

Json = dict[str, Any]


@dataclass(frozen=True)
class Explanation:
    """Everything the report says in words, as JSON-ready lists and dicts."""

    subject: str
    versus: str | None
    reasons_for: list[Json]
    reasons_against: list[Json]
    advisories: list[Json]
    next_steps: list[str]
    axis_text: dict[str, dict[str, str]]


def explain(
    k: Knowledge, core: Core, weights: Mapping[str, float], preset: Preset, pc: PerCall,
    be: Mapping[str, float | None], closed: bool, train_on: str = "on your own or rented GPUs",
) -> Explanation:
    """Reasons for and against, advisories, next steps and the per-axis sentences."""
    subject = (core.companion or core.primary) if core.forced_by else core.primary
    versus = (
        next((a for a in core.ranking if a not in (core.primary, subject)), None) if core.forced_by else core.runner_up
    )
    found = sorted(_reasons(k, core, weights, subject, versus, preset), key=lambda r: -r["points"])
    ctx = Context(core.answers, primary=core.primary, companion=core.companion, provider_closed=closed)
    companion = k.rules.labels.get(core.companion or "", "")
    return Explanation(
        subject, versus,
        [r for r in found if r["points"] > 1e-9][:3],
        [r for r in reversed(found) if r["points"] < -1e-9][:2],
        [{"id": n.id, "text": n.text, "sources": list(n.sources)} for n in k.rules.advisories if n.when(ctx)],
        [n.text.format(companion=companion, as_of=preset.as_of, train_on=train_on)
         for n in k.rules.next_steps if n.when(ctx)],
        axis_sentences(k, core, preset, be),
    )


def _reasons(
    k: Knowledge, core: Core, weights: Mapping[str, float], subject: str, versus: str | None, preset: Preset
) -> list[Json]:
    """Group recorded deltas by question or rule into points on the subject-vs-versus gap (reading 30); each
    reason is worded for the subject and the side its points argue (reasons.toml)."""
    groups: dict[str, Json] = {}
    for c in core.contributions:
        sign = 1 if c.approach == subject else -1 if c.approach == versus else 0
        if sign == 0 or c.delta == 0:
            continue
        step = (10 * c.delta / core.max_raw_fit if core.max_raw_fit > 0 else 0.0) if c.axis == FIT else c.delta
        g = groups.setdefault(c.group, {"points": 0.0, "options": {}, "clamped": False, "approach": subject})
        g["points"] += sign * 10 * weights[c.axis] * step
        g["options"][c.option] = g["options"].get(c.option, 0.0) + sign * 10 * weights[c.axis] * step
        g["clamped"] = g["clamped"] or (c.approach, c.axis) in core.clamped
    out = [_reason(k, core, gid, g) for gid, g in groups.items() if abs(g["points"]) > 1e-9]  # none smaller is shown
    if versus is not None:
        points = 10 * weights[COST] * (core.scores[subject][COST] - core.scores[versus][COST])
        out.append(_cost_reason(k, core, {"points": points, "clamped": False, "approach": subject}, preset))
    return out


def _reason(k: Knowledge, core: Core, gid: str, g: Json) -> Json:
    """One reason: the question, the answer and its label, the points, the sentence for its approach and side."""
    r, said, who = k.rules, k.reasons, (g["approach"], side_of(g["points"]))
    combo = next((c for c in r.combos if c.id == gid), None)
    if combo is not None:
        text, sources = said.sentence(gid, *who), combo.sources + said.sources(gid)
        return _item(gid, combo.name, None, combo.name, g, text, sources, "combination")
    question, answer = k.bank.questions[gid], core.answers[gid]
    if gid == r.ladder.question:
        band = _band(k, answer)
        label, note = f"{answer:,} examples ({r.ladder.labels[band]})", r.ladder.notes[band]
        text = f"{said.sentence(LADDER, *who)} That is {note.text}."
        return _item(gid, question.label, answer, label, g, text, note.sources + said.sources(LADDER), "answer")
    options = [o for o, p in g["options"].items() if p * g["points"] > 0]  # those arguing its side (multi-select)
    label = "; ".join(question.option_label(o) for o in options)
    text = " ".join(said.sentence(f"{gid}={o}", *who) for o in options)
    sources = tuple(t for o in options for t in r.deltas[(gid, o)].sources + said.sources(f"{gid}={o}"))
    return _item(gid, question.label, answer, label, g, text, sources, "answer")


def _item(
    question: str, qlabel: str, answer: AnswerValue | None, alabel: str, g: Json, grounding: str,
    sources: tuple[str, ...], kind: str,
) -> Json:
    """Assemble a reason dict."""
    note = " (a score hit its 0–10 limit, so the effect is smaller)" if g["clamped"] else ""
    return {
        "question": question, "question_label": qlabel,
        "answer": list(answer) if isinstance(answer, tuple) else answer, "answer_label": alabel,
        "points": round(g["points"], 3), "text": f"{qlabel} — {alabel}: {grounding}{note}",
        "sources": list(dict.fromkeys(sources)), "kind": kind, "approach": g["approach"], "side": side_of(g["points"]),
    }


def _cost_reason(k: Knowledge, core: Core, g: Json, preset: Preset) -> Json:
    """The cost-score difference as one reason ('recurring cost model'), worded for its approach and side."""
    calls, fixed = core.answers["monthly_calls"], core.answers["fixed_prompt_tokens"]
    who = (g["approach"], side_of(g["points"]))
    said = k.reasons.sentence(COST_MODEL, *who).format(calls=f"{calls:,}", fixed=f"{fixed:,}")
    text = f"{said} ({preset.name} prices, {preset.as_of})"
    label = f"{calls:,} calls/month, {fixed:,} fixed prompt tokens"
    sources = preset.sources + k.reasons.sources(COST_MODEL)
    return _item("cost_model", "Recurring cost model", calls, label, g, text, sources, "cost")


def _band(k: Knowledge, examples: AnswerValue) -> int:
    """The data-ladder band of an example count."""
    assert isinstance(examples, int)
    return bisect_right(k.rules.ladder.bounds, examples)


def approx(x: float) -> str:
    """A number rounded to two significant figures, with thousands separators."""
    if x < 100:
        return f"{round(x):,}"
    return f"{int(round(x, 2 - len(str(int(x))))):,}"


def axis_sentences(
    k: Knowledge, core: Core, preset: Preset, be: Mapping[str, float | None],
) -> dict[str, dict[str, str]]:
    """For every approach and axis, the §6.8 text tailored to the team's answers. An axis with no template (one
    added to axes.toml with its base scores only) shows the approach's static text, or else the axis help."""
    facts = _facts(k, core, preset, be)
    helps = {a.key: a.help for a in k.axes}
    out: dict[str, dict[str, str]] = {}
    for a in APPROACHES:
        out[a] = {}
        for x in k.axis_keys:
            table = k.rules.axis_text.get(x)
            if table is None:
                out[a][x] = f"{k.rules.static[a][x].text}." if x in k.rules.static[a] else helps[x]
                continue
            own = {
                "static": k.rules.static[a][x].text, "score": f"{core.scores[a][x]:.1f}",
                "monthly": f"${core.costs[a]:,.0f}",
            }
            out[a][x] = table.get(a, table["default"]).format(**facts, **own)
    return out


def _facts(k: Knowledge, core: Core, preset: Preset, be: Mapping[str, float | None]) -> dict[str, str]:
    """The answer-derived words the per-axis templates may use."""
    a, p = core.answers, k.rules.phrases
    gaps = a["gap_types"]
    assert isinstance(gaps, tuple)
    band = _band(k, a[k.rules.ladder.question])
    hosted = be.get("hosted")
    cost = p["report"]
    return {
        "gaps": ", ".join(k.bank.questions["gap_types"].option_label(g).split(":")[0].lower() for g in gaps),
        "examples": f"{a[k.rules.ladder.question]:,}", "quality": p["label_quality"][str(a["label_quality"])],
        "band": k.rules.ladder.labels[band], "band_note": k.rules.ladder.notes[band].text,
        "eval": p["eval_set"][str(a["eval_set"])], "volume": p["knowledge_volume"][str(a["knowledge_volume"])],
        "churn": p["knowledge_churn"][str(a["knowledge_churn"])],
        "sensitivity": p["data_sensitivity"][str(a["data_sensitivity"])],
        "time": p["time_to_first_version"][str(a["time_to_first_version"])],
        "ml": p["ml_capacity"][str(a["ml_capacity"])],
        "switch": p["model_switch_likelihood"][str(a["model_switch_likelihood"])],
        "calls": f"{a['monthly_calls']:,}", "fixed": f"{a['fixed_prompt_tokens']:,}",
        "preset": f"{preset.name}, {preset.as_of}", "mode": cost[core.lora_mode],
        "provider": provider_status(k, preset),
        "break_even": cost["break_even_hosted"].format(calls=approx(hosted)) if hosted else cost["break_even_never"],
    }


def provider_status(k: Knowledge, preset: Preset) -> str:
    """Whether the preset's provider still takes tuning customers, with its dated events (§3.5)."""
    provider = k.providers[preset.provider]
    state = "still takes" if provider.tuning_open else "no longer takes"
    events = "; ".join(f"{date}: {text.rstrip('.')}" for date, text in provider.events)
    return (f"{provider.name}, the price preset's provider, {state} new tuning customers"
            + (f" ({events})" if events else ""))


def counterfactual_dicts(k: Knowledge, core: Core, sens: Sensitivity) -> list[Json]:
    """Counterfactuals in words: 'with eval_set = none → PROMPT (G2)', 'above ≈ 6,900 calls/month …'."""
    return [_counterfactual(k, k.bank.questions[c.question], core, c) for c in sens.counterfactuals]


def _counterfactual(k: Knowledge, q: Question, core: Core, c: Counterfactual) -> Json:
    """One counterfactual as a dict with its sentence."""
    phrases, approach = k.rules.phrases["report"], k.rules.labels[c.new_primary]
    if c.threshold is not None:
        label = f"{c.threshold:,.0f} {q.unit}"
    elif isinstance(c.answer, tuple):
        before = core.answers[q.id]
        assert isinstance(before, tuple)
        label = q.option_label(next(v for v in q.option_values() if (v in c.answer) != (v in before)))
    else:
        label = q.option_label(str(c.answer))
    value = approx(c.threshold) if c.threshold is not None else ""
    text = phrases[f"counterfactual_{c.change}"].format(
        answer=label, question=q.label, value=value, unit=q.unit, approach=approach
    )
    if c.via:
        gate = next(g for g in k.rules.gates if g.id == c.via)
        text += phrases["counterfactual_via"].format(gate=gate.id, name=gate.name)
    return {
        "question": q.id, "question_label": q.label,
        "answer": list(c.answer) if isinstance(c.answer, tuple) else c.answer, "answer_label": label,
        "change": c.change, "new_primary": c.new_primary, "via": c.via,
        "text": text, "threshold": c.threshold,
    }


def flip_dicts(k: Knowledge, sens: Sensitivity) -> list[Json]:
    """Weight flips with their sentence ('if Fit weighed 0.22 instead of 0.30, PROMPT would win')."""
    labels = {a.key: a.label for a in k.axes}
    template = k.rules.phrases["report"]["flip"]
    return [
        {
            "axis": f.axis, "weight": f.weight, "flip_weight": f.flip_weight, "delta": f.delta,
            "new_primary": f.new_primary,
            "text": template.format(
                axis=labels[f.axis], flip=f"{f.flip_weight:.2f}", weight=f"{f.weight:.2f}",
                approach=k.rules.labels[f.new_primary],
            ),
        }
        for f in sens.flips
    ]


def contribution_dict(c: Contribution) -> dict[str, Any]:
    """One recorded delta, for tracing every number back to an answer and a source."""
    return {
        "group": c.group, "question": c.question, "option": c.option, "approach": c.approach,
        "axis": c.axis, "delta": c.delta, "sources": list(c.sources),
    }


def confidence_dict(k: Knowledge, sens: Sensitivity) -> dict[str, Any]:
    """The confidence block: label, margin, relative margin, stability (and its draw count), smallest weight
    flip, and the rules' wording for a winner no weight change can alter."""
    keys = ("label", "margin", "relative_margin", "stability", "min_flip", "dominant")
    block = {key: getattr(sens, key) for key in keys}
    block["draws"] = int(k.rules.confidence.numbers["mc_draws"])
    block["dominant_text"] = k.rules.phrases["report"]["dominant"]
    return block


def approach_dict(k: Knowledge, core: Core, a: str) -> dict[str, Any]:
    """One approach's row: label, total, axis scores, whether and why it is blocked."""
    gates = {g.id: g for g in k.rules.gates}
    return {
        "id": a, "label": k.rules.labels[a], "total": core.totals[a], "scores": dict(core.scores[a]),
        "monthly_cost": core.costs[a], "blocked": bool(core.blocked[a]), "blocked_by": list(core.blocked[a]),
        "gate_texts": [gates[g].text for g in core.blocked[a]],
    }


def gate_dict(k: Knowledge, core: Core, gid: str) -> dict[str, Any]:
    """A fired gate: its text, sources, what it blocks and what it forces."""
    g = next(g for g in k.rules.gates if g.id == gid)
    blocks = [a for a in APPROACHES if gid in core.blocked[a]]
    return {"id": gid, "name": g.name, "text": g.text, "sources": list(g.sources), "blocks": blocks, "forces": g.forces}


def combo_dict(k: Knowledge, cid: str) -> dict[str, Any]:
    """An applied combination rule."""
    c = next(c for c in k.rules.combos if c.id == cid)
    return {"id": cid, "name": c.name, "text": c.grounding, "sources": list(c.sources)}


def cost_dict(
    k: Knowledge, core: Core, p: Preset, pc: PerCall, be: Mapping[str, float | None], lines: Mapping[str, Any]
) -> Json:
    """Preset, the per-call assumptions used, monthly costs, break-even volumes, chart lines."""
    a, provider = core.answers, k.providers[p.provider]
    examples = min(float(a["labeled_examples"]), p.values["max_train_examples"])  # type: ignore[arg-type]
    return {
        "preset": {
            "id": p.id, "name": p.name, "as_of": p.as_of, "provider": p.provider, "note": p.note,
            "provider_name": provider.name, "tuning_open": provider.tuning_open, "sources": list(p.sources),
        },
        "assumptions": {
            **asdict(pc), "monthly_calls": a["monthly_calls"], "fixed_prompt_tokens": a["fixed_prompt_tokens"],
            "training_examples": examples, "parameters": dict(p.values),
        },
        "monthly": dict(core.costs), "lora_mode": core.lora_mode,
        "break_even": dict(be), "lines": dict(lines),
    }
