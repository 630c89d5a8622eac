"""The report's answer on one screen, and the one verdict the page, the JSON export and the Markdown record repeat.

Everything here is derived from the stored result alone, so old snapshots get a summary too. The verdict is the
single place where a result becomes words like "Clear choice" or "Close call"; every export reads it from here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from app.views.charts import result_axes
from app.views.format import money, number

ONLY_FEASIBLE = "High (only feasible option)"
# Answers a team can act on before the next meeting (collect examples, review them, lock an evaluation set, ...),
# in the order a team can usually move them; every other answer describes the problem itself.
TEAM_LEVERS = ("labeled_examples", "label_quality", "eval_set", "prompt_maturity", "fixed_prompt_tokens",
               "ml_capacity", "time_to_first_version", "training_data_policy")
WHO = {"team": "Your team can change this", "fact": "If your problem is different",
       "weights": "Set by an administrator"}


def verdict(result: Mapping[str, Any], labels: Mapping[str, str]) -> dict[str, Any]:
    """What is recommended and how sure, in plain words: the same dict feeds the page, the JSON and the Markdown."""
    primary, companion, runner = result["primary"], result.get("companion"), result.get("runner_up")
    confidence = result.get("confidence", {})
    recommendation = labels[primary] + (f", then {labels[companion]} for the language part" if companion else "")
    if result.get("forced_by"):
        gate: Mapping[str, Any] = next((g for g in result.get("gates", []) if g["id"] == result["forced_by"]), {})
        kind, plain = "rule_based", f"Required by a hard rule: {gate.get('name') or 'a gate'}"
    elif confidence.get("label") == ONLY_FEASIBLE:
        kind, plain = "only_feasible", "The only feasible option: a hard rule blocks every other approach"
    elif confidence.get("label") == "Low" and runner:
        alternative = closest_rival(result) or runner
        kind, plain = "close_call", f"Close call: a small change in priorities would make it {labels[alternative]}"
    else:
        kind, plain = "clear", "Clear choice"
    alternative_id = (closest_rival(result) or runner) if kind == "close_call" else None
    return {
        "kind": kind, "primary": primary, "recommendation": recommendation, "confidence": plain,
        "alternative": alternative_id, "alternative_label": labels.get(alternative_id or "", ""),
        "close_call": kind == "close_call", "sentence": f"{recommendation}. {plain}.", "why": why(result, labels),
    }


# The engine's counterfactuals name a gate by id and name ("… (gate G2: Evaluation first)"), and stored snapshots keep
# that text: people read the name only.
GATE_REFERENCE = re.compile(r"\(gate [A-Z]?\d+: ([^)]+)\)")


def gate_in_words(text: str) -> str:
    """A sentence with each "(gate G2: Evaluation first)" said as "(the hard rule “Evaluation first”)"."""
    return GATE_REFERENCE.sub(lambda m: f"(the hard rule “{m.group(1)}”)", text)


def rule_names(result: Mapping[str, Any], ids: Iterable[str]) -> str:
    """Gates by their names, never their ids: "the hard rule “Evaluation first”", "the hard rules “A” and “B”"."""
    names = {g["id"]: g.get("name") or "unnamed" for g in result.get("gates", [])}
    quoted = [f"“{names.get(i, 'unnamed')}”" for i in ids]
    if not quoted:
        return "a hard rule"
    return ("the hard rule " if len(quoted) == 1 else "the hard rules ") + _and(quoted)


def closest_rival(result: Mapping[str, Any]) -> str | None:
    """The approach the smallest weight change would make the winner (None when no weight change flips it)."""
    flips = sorted(result.get("weight_flips", []), key=lambda f: abs(float(f.get("delta", 0.0))))
    return str(flips[0]["new_primary"]) if flips else None


def why(result: Mapping[str, Any], labels: Mapping[str, str]) -> str:
    """The recommendation's reason in one sentence: the rule that forces it, or the axes where it leads most."""
    primary = result["primary"]
    if result.get("forced_by"):
        gate: Mapping[str, Any] = next((g for g in result.get("gates", []) if g["id"] == result["forced_by"]), {})
        return f"A hard rule decides it: {gate.get('text') or gate.get('name') or result['forced_by']}"
    if result.get("confidence", {}).get("label") == ONLY_FEASIBLE:
        return "Hard rules rule out every other approach for your answers, so it is what remains."
    rows = {a["id"]: a for a in result["approaches"]}
    rival = result.get("reasons_versus") or result.get("runner_up")
    weights = result.get("weights", {})
    axes = result_axes(result)
    mine = rows[primary]["scores"]
    if rival not in rows:
        best = sorted(axes, key=lambda a: -mine.get(a["key"], 0.0))[:2]
        return f"It scores highest on {_and(a['label'].lower() for a in best)} for your answers."
    theirs = rows[str(rival)]["scores"]
    gains = sorted(axes, key=lambda a: -weights.get(a["key"], 1.0) * (mine.get(a["key"], 0) - theirs.get(a["key"], 0)))
    leads = [a["label"].lower() for a in gains[:2] if mine.get(a["key"], 0) > theirs.get(a["key"], 0)]
    if not leads:
        return f"It edges out {labels[str(rival)]} on the weighted total for your answers."
    return f"It fits your answers best: it leads {labels[str(rival)]} most on {_and(leads)}."


def _and(items: Iterable[str]) -> str:
    """['a', 'b', 'c'] → 'a, b and c'."""
    words = [str(w) for w in items]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def summary(result: Mapping[str, Any], labels: Mapping[str, str], reasons: Mapping[str, Any],
            cost: Mapping[str, Any], evidence: Mapping[str, Any]) -> dict[str, Any]:
    """The answer block: verdict, why, three reasons, the main risk, two costs, the first step and the levers."""
    cons, advisories = reasons.get("cons", []), result.get("advisories", [])
    risk = line(cons[0]) if cons else advisories[0]["text"] if advisories else "No answer counts against it."
    steps = result.get("next_steps", [])
    return {
        "verdict": verdict(result, labels), "why": why(result, labels),  # the verdict's why, at hand for templates
        "reasons": [line(r) for r in reasons.get("pros", [])[:3]],
        "reasons_subject": reasons.get("subject", ""),
        "risk": risk, "costs": costs(result, labels, cost), "calls": cost.get("calls"),
        "first_step": steps[0] if steps else "Re-run the assessment when your situation changes.",
        "levers": [lever for group in ("team", "fact", "weights") for lever in levers(result, labels)[group]][:3],
        "evidence": evidence_line(result, labels, evidence),
    }


def line(reason: Mapping[str, Any]) -> str:
    """One reason as a single line: the answer (or rule) that counts, and why it matters."""
    head = reason["question"] if reason.get("kind") == "combination" else reason.get("answer", "")
    text = str(reason.get("text", "")).strip()
    return f"{head}: {text}" if head and text else str(head or text)


def costs(result: Mapping[str, Any], labels: Mapping[str, str], cost: Mapping[str, Any]) -> list[dict[str, str]]:
    """The recommendation's monthly cost at the team's volume next to the runner-up's (the companion's under a
    combination; with every other approach blocked, the best of them, marked so)."""
    monthly = {a["id"]: a.get("monthly_cost") for a in result["approaches"]}
    others = sorted((a for a in result["approaches"] if a["id"] != result["primary"]), key=lambda a: -a["total"])
    if result.get("companion") or result.get("runner_up"):
        other = result.get("companion") or result.get("runner_up")
        role = "companion" if result.get("companion") else "runner-up"
    else:
        other, role = (others[0]["id"] if others else None), "next best, blocked"
    ids, roles = [result["primary"], other], ["recommended", role]
    return [{"label": labels[a], "role": r, "monthly": money(monthly.get(a))}
            for a, r in zip(ids, roles) if a and a in monthly]


def levers(result: Mapping[str, Any], labels: Mapping[str, str]) -> dict[str, list[dict[str, str]]]:
    """What would change the recommendation, grouped: answers the team controls, facts of the problem, weights."""
    groups: dict[str, list[dict[str, str]]] = {"team": [], "fact": [], "weights": []}
    counterfactuals = sorted(result.get("counterfactuals", []), key=_lever_rank)
    for c in counterfactuals:
        group = "team" if c.get("question") in TEAM_LEVERS else "fact"
        groups[group].append({"text": gate_in_words(str(c["text"])) + ".", "who": WHO[group], "group": group})
    for flip in sorted(result.get("weight_flips", []), key=lambda f: abs(float(f.get("delta", 0.0)))):
        text = str(flip["text"])
        groups["weights"].append({"text": text[:1].upper() + text[1:] + ".", "who": WHO["weights"],
                                  "group": "weights"})
    return groups


def _lever_rank(c: Mapping[str, Any]) -> tuple[int, int]:
    """Team levers in TEAM_LEVERS order, then facts; a change through a gate after a change of score."""
    question = c.get("question")
    place = TEAM_LEVERS.index(question) if question in TEAM_LEVERS else len(TEAM_LEVERS)
    return place, 1 if c.get("via") else 0


def evidence_line(result: Mapping[str, Any], labels: Mapping[str, str], evidence: Mapping[str, Any]) -> str:
    """'Teams like yours: 2 of 3 similar published cases chose RAG.' ('' when the result has no cases)."""
    cases: Sequence[Mapping[str, Any]] = evidence.get("cases", [])
    if not cases:
        return ""
    primary = result["primary"]
    agree = sum(1 for c in cases if c.get("expected") == primary or primary in c.get("acceptable", []))
    nearest = cases[0]
    return (f"Teams like yours: {agree} of {number(len(cases))} similar published cases did what this report "
            f"recommends ({labels[primary]}); the nearest, {nearest['organisation']}, "
            f"chose {nearest['expected_label']}.")
