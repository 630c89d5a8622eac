"""Two stored results side by side (a result and its variant, or one assessment before and after a re-evaluation):
primaries, confidence, totals and axis scores with their deltas, the answers that differ, the cost at each side's
volume, and where the points moved when the recommendation changed.

Everything comes from the two snapshots as stored, so a comparison of old results reads the same tomorrow. The
context is plain JSON data: the page formats it and the .json twin returns it as is."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from app.engine.model import Bank
from app.views import charts
from app.views.decision import decision_view
from app.views.report import approach_labels
from app.views.wizard import answer_text

SIDES = ("a", "b")
MOVED = 0.05  # points: smaller moves of an axis are rounding, not a reason


def compare_context(a: Mapping[str, Any], b: Mapping[str, Any], bank: Bank, today: date) -> dict[str, Any]:
    """Everything the compare page and its JSON twin show, from two snapshots (and their recorded decisions)."""
    ra, rb = a["result"], b["result"]
    labels = {**approach_labels(ra), **approach_labels(rb)}
    axes = shared_axes(ra, rb)
    return {
        "a": side(a, labels, today), "b": side(b, labels, today),
        "cost_rows": [{"id": x, "label": labels.get(x, x)} for x in dict.fromkeys((ra["primary"], rb["primary"]))],
        "same_recommendation": (ra["primary"], ra.get("companion")) == (rb["primary"], rb.get("companion")),
        "axes": axes,
        "approaches": approach_rows(ra, rb, labels, axes),
        "answers": changed_answers(bank, a.get("answers") or ra.get("answers", {}),
                                   b.get("answers") or rb.get("answers", {})),
        "drivers": drivers(ra, rb, labels, axes),
        "settings": changed_settings(a, b, {x["key"]: x["label"] for x in axes}),
    }


def side(snapshot: Mapping[str, Any], labels: Mapping[str, str], today: date) -> dict[str, Any]:
    """One side's headline: who, when, the recommendation, its confidence, its cost at the side's volume and what
    the team decided about it."""
    result = snapshot["result"]
    primary, companion = result["primary"], result.get("companion")
    costs = {x["id"]: x.get("monthly_cost") for x in result.get("approaches", [])}
    return {
        "team": snapshot.get("team", ""), "title": snapshot.get("title", ""),
        "created_at": snapshot.get("created_at"),
        "primary": primary, "primary_label": labels.get(primary, primary),
        "companion": companion, "companion_label": labels.get(companion, companion) if companion else None,
        "confidence": result.get("confidence", {}).get("label"),
        "rule_based": bool(result.get("forced_by")),
        "monthly_calls": monthly_calls(result),
        "monthly_cost": costs.get(primary),
        "monthly_costs": costs,
        "rules_version": snapshot.get("rules_version") or result.get("rules_version"),
        "decision": decision_view(snapshot.get("decision"), labels, today),
    }


def monthly_calls(result: Mapping[str, Any]) -> float | None:
    """The volume the result's costs were computed at."""
    assumed = result.get("cost", {}).get("assumptions", {})
    calls = assumed.get("monthly_calls", result.get("answers", {}).get("monthly_calls"))
    return calls if isinstance(calls, (int, float)) else None


def shared_axes(ra: Mapping[str, Any], rb: Mapping[str, Any]) -> list[dict[str, str]]:
    """The axes of the newer side in its order, then any the other side alone has (results may differ in axes)."""
    seen = {x["key"]: x for x in charts.result_axes(rb)}
    for x in charts.result_axes(ra):
        seen.setdefault(x["key"], x)
    return [{"key": x["key"], "label": x["label"]} for x in seen.values()]


def approach_rows(ra: Mapping[str, Any], rb: Mapping[str, Any], labels: Mapping[str, str],
                  axes: Sequence[Mapping[str, str]]) -> list[dict[str, Any]]:
    """Every approach: total and each axis score on both sides with the change; the two recommendations first."""
    by_side = [{x["id"]: x for x in r.get("approaches", [])} for r in (ra, rb)]
    first = [ra["primary"], rb["primary"]]
    ids = list(dict.fromkeys([*first, *rb.get("ranking", []), *by_side[1], *by_side[0]]))
    rows = []
    for approach in ids:
        pair = [found.get(approach) for found in by_side]
        rows.append({
            "id": approach, "label": labels.get(approach, approach),
            "recommended": [r["primary"] == approach for r in (ra, rb)],
            "blocked": [bool(p and p.get("blocked")) for p in pair],
            **change([p and p.get("total") for p in pair], "total"),
            "scores": [{"key": x["key"], "label": x["label"],
                        **change([p and p.get("scores", {}).get(x["key"]) for p in pair], "score")} for x in axes],
        })
    return rows


def change(pair: Sequence[float | None], name: str) -> dict[str, float | None]:
    """{name_a, name_b, delta}: the delta only when both sides have a value."""
    a, b = pair
    return {f"{name}_a": a, f"{name}_b": b, "delta": b - a if a is not None and b is not None else None}


def changed_answers(bank: Bank, a: Mapping[str, Any], b: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The answers that differ, in questionnaire order: the question, both answers as stored and in words."""
    rows = []
    for step in bank.steps:
        for qid in step.question_ids:
            before, after = a.get(qid), b.get(qid)
            if _comparable(before) == _comparable(after):
                continue
            q = bank.questions[qid]
            rows.append({"question": qid, "label": q.label, "step": step.title, "a": before, "b": after,
                         "a_text": answer_text(q, before), "b_text": answer_text(q, after)})
    return rows


def _comparable(value: Any) -> Any:
    """Multi-choice answers compare as sets: the order the boxes were ticked in is not a difference."""
    return tuple(sorted(value)) if isinstance(value, (list, tuple)) else value


def drivers(ra: Mapping[str, Any], rb: Mapping[str, Any], labels: Mapping[str, str],
            axes: Sequence[Mapping[str, str]]) -> dict[str, Any]:
    """Why the recommendation changed: the rules that rule an approach out or in, and the axes whose weighted
    points moved the gap between the old and the new recommendation (total = 10 × Σ weight × score)."""
    old, new = ra["primary"], rb["primary"]
    if old == new:
        return {"changed": False, "gates": [], "axes": []}
    found = [{x["id"]: x for x in r.get("approaches", [])} for r in (ra, rb)]
    gates = []
    if found[1].get(old, {}).get("blocked"):
        gates.append({"approach": labels.get(old, old), "ruled": "out", "texts": found[1][old].get("gate_texts", [])})
    if found[0].get(new, {}).get("blocked"):
        gates.append({"approach": labels.get(new, new), "ruled": "in", "texts": found[0][new].get("gate_texts", [])})
    moves = [_axis_move(x, found, (ra, rb), old, new) for x in axes]
    moved = sorted((m for m in moves if m is not None and abs(m["points"]) >= MOVED), key=lambda m: -abs(m["points"]))
    return {"changed": True, "old": labels.get(old, old), "new": labels.get(new, new), "gates": gates,
            "axes": moved}


def _axis_move(axis: Mapping[str, str], found: Sequence[Mapping[str, Any]], results: Sequence[Mapping[str, Any]],
               old: str, new: str) -> dict[str, Any] | None:
    """How much one axis moved the gap (new − old recommendation) from side a to side b, in total points;
    positive: towards the new recommendation. None when a side lacks the axis or either approach."""
    gaps = []
    for approaches, result in zip(found, results):
        weight = result.get("weights", {}).get(axis["key"])
        scores = [approaches.get(x, {}).get("scores", {}).get(axis["key"]) for x in (new, old)]
        if weight is None or None in scores:
            return None
        gaps.append(10 * weight * (scores[0] - scores[1]))
    return {"key": axis["key"], "label": axis["label"], "points": gaps[1] - gaps[0]}


def changed_settings(
    a: Mapping[str, Any], b: Mapping[str, Any], axis_labels: Mapping[str, str]
) -> list[dict[str, Any]]:
    """What differs besides the answers: the weights, the rules, the engine and the price preset."""
    rows = []
    wa, wb = (s.get("weights") or s["result"].get("weights", {}) for s in (a, b))
    if wa != wb:
        rows.append({"what": "Weights", "a": _weights_text(wa, axis_labels), "b": _weights_text(wb, axis_labels)})
    for key, what in (("rules_version", "Rules"), ("engine_version", "Engine")):
        va, vb = (s.get(key) or s["result"].get(key) for s in (a, b))
        if va != vb:
            rows.append({"what": what, "a": va, "b": vb})
    pa, pb = (_preset_text(s) for s in (a, b))
    if pa != pb:
        rows.append({"what": "Prices", "a": pa, "b": pb})
    return rows


def _weights_text(weights: Mapping[str, float], axis_labels: Mapping[str, str]) -> str:
    """'Fit 30 %, Data 20 %, …'."""
    return ", ".join(f"{axis_labels.get(axis, axis)} {round(100 * w)} %" for axis, w in weights.items())


def _preset_text(snapshot: Mapping[str, Any]) -> str:
    """'name (prices as of date)' of a snapshot's price preset."""
    preset = snapshot["result"].get("cost", {}).get("preset", {})
    return f"{preset.get('name', '?')} (prices as of {preset.get('as_of', '?')})" if preset else "—"


TOKEN_IN_LINK = re.compile(r"(?:^|/r/)([A-Za-z0-9_-]{43})(?:\.json|\.md)?/?(?:[?#].*)?$")


def view_token_in(text: str) -> str | None:
    """The view token in a pasted report link (full URL, path or the bare token); None if there is none."""
    found = TOKEN_IN_LINK.search(text.strip())
    return found.group(1) if found else None
