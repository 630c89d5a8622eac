"""What the report templates show, built from one immutable result snapshot (no HTTP, no SQL, no engine calls).

``report_context(snapshot, bank)`` turns the stored snapshot (answers, weights, prices, versions and the
dict of ``result_to_dict``) into plain values for templates/report/page.html. Formatting of single numbers
is left to the template filters; sentences that combine several values are built here, once, so that the
HTML page and the Markdown decision record (templates/exports/decision-record.md.j2, rendered by
app/web/exports.py) say the same thing.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from app.engine.model import Bank
from app.views import charts
from app.views.charts_bars import cost_bars
from app.views.decision import decision_view
from app.views.evidence import teams_like_yours, unknown_answers
from app.views.format import count_word, number, percent
from app.views.report_appendix import answer_sections, cited_sources, versions
from app.views.report_compare import comparison
from app.views.report_cost import cost_section
from app.views.report_summary import gate_in_words, levers, rule_names, summary

RULE_BASED = "rule-based"
ONLY_FEASIBLE = "High (only feasible option)"


def report_context(snapshot: Mapping[str, Any], bank: Bank, today: date | None = None) -> dict[str, Any]:
    """Everything templates/report/page.html needs, from one snapshot (and the team's recorded decision on it)."""
    result = snapshot["result"]
    labels = approach_labels(result)
    created = parse_time(snapshot.get("created_at"))
    preset = preset_of(snapshot)
    rows = approach_rows(result, labels)
    radar_ids = radar_series(result)
    axes = axes_of(result, snapshot.get("weights") or result.get("weights", {}))
    cost, why_reasons, evidence = cost_section(result, labels, preset), reasons(result, labels), teams_like_yours(
        result, labels)
    return {
        "team": snapshot.get("team", ""),
        "title": snapshot.get("title", ""),
        "created_at": created,
        "expires_at": parse_time(snapshot.get("expires_at")),
        "newer_exists": bool(snapshot.get("newer_exists")),
        "headline": headline(result, labels),
        "og": og_meta(snapshot, result, labels),
        "axes": axes, "axes_word": count_word(len(axes)),
        "approaches": rows,
        "blocked": [r for r in rows if r["blocked"]],
        "gates": result.get("gates", []),
        "combos": result.get("combos", []),
        "radar": charts.radar(result, radar_ids, labels),
        "cost": cost, "cost_bars": cost_bars(cost["rows"], cost.get("calls"), result["primary"]),
        "cost_chart": charts.cost_chart(result, labels),
        "reasons": why_reasons,
        "unknown": unknown_answers(result),
        "evidence": evidence,
        "changes": changes(result, labels),
        "summary": summary(result, labels, why_reasons, cost, evidence),
        "compare": comparison(rows, axes),
        "levers": levers(result, labels),
        "advisories": result.get("advisories", []),
        "next_steps": result.get("next_steps", []),
        "answer_sections": answer_sections(bank, snapshot.get("answers") or result.get("answers", {}), result),
        "sources": cited_sources(bank, result),
        "versions": versions(snapshot, result, preset, created),
        "decision": decision_view(snapshot.get("decision"), labels, today or date.today()),
        "origin_title": snapshot.get("origin_title"),
    }


# ---------------------------------------------------------------- helpers


def approach_labels(result: Mapping[str, Any]) -> dict[str, str]:
    """Approach id → its name in words, as the rules label it in the result."""
    return {a["id"]: a.get("label") or a["id"] for a in result.get("approaches", [])}


def parse_time(value: Any) -> datetime | None:
    """An ISO 8601 string (or datetime) as an aware UTC datetime; naive values are taken as UTC."""
    if value is None or value == "":
        return None
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def preset_of(snapshot: Mapping[str, Any]) -> dict[str, Any]:
    """The price preset: the snapshot's, completed by the copy inside the result's cost block."""
    inner = dict(snapshot["result"].get("cost", {}).get("preset", {}))
    inner.update({k: v for k, v in (snapshot.get("prices") or {}).items() if v is not None})
    return inner


def dominant(confidence: Mapping[str, Any]) -> str:
    """The rules' sentence for a winner that no weight change can alter."""
    return upper_first(str(confidence["dominant_text"])) + "."


def upper_first(text: str) -> str:
    """'if Fit weighed …' → 'If Fit weighed …'."""
    return text[:1].upper() + text[1:]


def headline(result: Mapping[str, Any], labels: Mapping[str, str]) -> dict[str, Any]:
    """The recommendation in words, its confidence and the sentence that explains the confidence."""
    primary, companion, runner = result["primary"], result.get("companion"), result.get("runner_up")
    conf = result.get("confidence", {})
    label = conf.get("label", "")
    forced = result.get("forced_by")
    gate = next((g for g in result.get("gates", []) if g["id"] == forced), None)
    kind = (
        "rule_based" if forced else "only_feasible" if label == ONLY_FEASIBLE else "low" if label == "Low" else "scored"
    )
    recommendation = labels[primary]
    if companion:
        recommendation += f", then address the language part with {labels[companion]}"
    detail: list[str] = []
    if kind == "rule_based":
        name = rule_names(result, [str(forced)])
        detail.append(f"Rule-based: {name} makes {labels[primary]} the recommendation whatever the scores; "
                      "no margin, stability or weight flips apply.")
        if companion:
            detail.append(f"{labels[companion]} is the best feasible model approach for the rest of the gap.")
    elif kind == "only_feasible":
        detail.append(f"Every other approach is blocked by a gate, so {labels[primary]} is the only feasible option.")
    else:
        margin, relative, stability = conf.get("margin"), conf.get("relative_margin"), conf.get("stability")
        if margin is not None and runner:
            text = f"Margin: {margin:.1f} points over {labels[runner]}"
            if relative is not None:
                text += f" ({percent(relative)} of the winner's total)"
            detail.append(text + ".")
        if stability is not None:
            detail.append(f"Stability: first in {percent(stability)} of {number(conf['draws'])} weight draws.")
        if conf.get("min_flip") is not None:
            detail.append(f"Smallest weight change that flips it: {conf['min_flip']:.2f}.")
        elif conf.get("dominant") or result.get("dominant"):
            detail.append(dominant(conf))
    return {
        "primary": primary, "primary_label": labels[primary], "recommendation": recommendation,
        "companion": companion, "companion_label": labels.get(companion or "", ""),
        "runner_up": runner, "runner_up_label": labels.get(runner or "", ""),
        "forced_by": forced, "gate": gate, "kind": kind,
        "confidence": label, "confidence_text": "rule-based" if kind == "rule_based" else label,
        "two_options": kind == "low" and bool(runner),
        "detail": detail,
    }


def og_meta(snapshot: Mapping[str, Any], result: Mapping[str, Any], labels: Mapping[str, str]) -> dict[str, str]:
    """Open Graph text that names the recommendation only: never answers, scores or costs."""
    conf = result.get("confidence", {}).get("label", "")
    text = f"Recommendation: {labels[result['primary']]}"
    if result.get("companion"):
        text += f" with {labels[result['companion']]}"
    return {"title": f"Tunewise decision: {snapshot.get('title', '')}", "description": f"{text} (confidence {conf})"}


def axes_of(result: Mapping[str, Any], weights: Mapping[str, float]) -> list[dict[str, Any]]:
    """The result's own axes in report order, with label, help and weight."""
    return [{**a, "weight": weights.get(a["key"])} for a in charts.result_axes(result)]


def approach_rows(result: Mapping[str, Any], labels: Mapping[str, str]) -> list[dict[str, Any]]:
    """One row per approach: recommended first, then by ranking, then the blocked ones by total."""
    ranking = list(result.get("ranking", []))
    gates = {g["id"]: g for g in result.get("gates", [])}
    texts = result.get("axis_text", {})
    keys = [a["key"] for a in charts.result_axes(result)]

    def place(a: Mapping[str, Any]) -> tuple[int, float]:
        if a["id"] == result["primary"]:
            return (0, 0.0)
        if a["id"] == result.get("companion"):
            return (1, 0.0)
        return (2 + (ranking.index(a["id"]) if a["id"] in ranking else len(ranking)), -a["total"])

    rows = []
    for a in sorted(result.get("approaches", []), key=place):
        status = _status(result, a)
        blocked_by = [{"id": g, "name": gates.get(g, {}).get("name", ""), "text": t}
                      for g, t in zip(a.get("blocked_by", []), a.get("gate_texts", []))]
        rows.append({
            "id": a["id"], "label": labels[a["id"]], "total": a["total"], "monthly_cost": a.get("monthly_cost"),
            "blocked": bool(a.get("blocked")), "blocked_by": blocked_by,
            "status": status,
            "cells": [{"key": k, "score": a["scores"].get(k), "text": texts.get(a["id"], {}).get(k, "")} for k in keys],
        })
    return rows


def _status(result: Mapping[str, Any], a: Mapping[str, Any]) -> str:
    """A short status for the comparison table."""
    if a["id"] == result["primary"]:
        return "Recommended" + (" (rule-based)" if result.get("forced_by") else "")
    if a["id"] == result.get("companion"):
        return "Companion"
    if a.get("blocked"):
        return "Blocked by " + rule_names(result, a.get("blocked_by", []))
    if a["id"] == result.get("runner_up"):
        return "Runner-up"
    return ""


def radar_series(result: Mapping[str, Any]) -> list[str]:
    """Up to three leading approaches: primary, companion, runner-up, next ranked; at least two if any exist."""
    ids: list[str] = []
    for a in [
        result["primary"], result.get("companion"), result.get("reasons_versus"), result.get("runner_up"),
        *result.get("ranking", []),
    ]:
        if a and a not in ids and len(ids) < 3:
            ids.append(a)
    if len(ids) < 2:
        blocked = sorted((a for a in result["approaches"] if a["id"] not in ids), key=lambda a: -a["total"])
        ids += [a["id"] for a in blocked[: 2 - len(ids)]]
    return ids


# ---------------------------------------------------------------- cost


def reasons(result: Mapping[str, Any], labels: Mapping[str, str]) -> dict[str, Any]:
    """Reasons for and against the subject (the companion under G1), each with question, answer, sources."""
    subject = result.get("reasons_subject") or result["primary"]
    versus = result.get("reasons_versus")
    return {
        "subject": labels.get(subject, subject), "versus": labels.get(versus or "", ""),
        "pros": [reason_item(r) for r in result.get("reasons_for", [])],
        "cons": [reason_item(r) for r in result.get("reasons_against", [])],
    }


def reason_item(r: Mapping[str, Any]) -> dict[str, Any]:
    """One reason: what was asked, what was answered, why it matters, points and source tags."""
    qlabel, alabel, text = r.get("question_label", ""), r.get("answer_label", ""), r.get("text", "")
    prefix = f"{qlabel} — {alabel}: "
    grounding = text.removeprefix(prefix)
    kind = r.get("kind", "answer")
    if kind == "combination":
        question = f"Combined answers: {alabel}" if alabel else "A combination of your answers"  # never "R7"
        answer = "a combination of your answers"
    elif kind == "cost":
        question, answer = qlabel or "Recurring cost model", alabel
    else:
        question, answer = qlabel, alabel
    points = float(r.get("points", 0.0))
    short = (
        question if kind == "combination" else f"{answer} ({question})" if kind == "cost"
        else f"“{answer}” for “{question}”"
    )
    return {"question": question, "answer": answer, "text": grounding, "points": points, "short": short,
            "points_text": f"{'+' if points >= 0 else '−'}{abs(points):.1f} points",
            "sources": list(r.get("sources", [])), "kind": kind}


def changes(result: Mapping[str, Any], labels: Mapping[str, str]) -> dict[str, Any]:
    """What would change the recommendation: weight flips (or why none) and answer counterfactuals."""
    conf = result.get("confidence", {})
    flips = [upper_first(f["text"]) + "." for f in result.get("weight_flips", [])]
    if result.get("forced_by"):
        weights_note = (f"Rule-based: {rule_names(result, [result['forced_by']])} forces "
                        f"{labels[result['primary']]}, so no weight change alters it.")
    elif conf.get("label") == ONLY_FEASIBLE:
        weights_note = f"{dominant(conf)} {labels[result['primary']]} is the only feasible option."
    elif not flips:
        weights_note = dominant(conf)
    else:
        weights_note = ""
    answers = [{"text": gate_in_words(c["text"]) + ".", "question": c.get("question_label", ""), "via": c.get("via"),
                "threshold": c.get("threshold")} for c in result.get("counterfactuals", [])]
    return {"flips": flips, "weights_note": weights_note, "answers": answers}
