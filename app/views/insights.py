"""The admin insight page as tables and bar charts (geometry only; templates/admin/insights.html draws the SVG), the
same tables as CSV rows, and recorded outcomes as case-library lines (the organisation's own evidence)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from app.views.decision import OUTCOME_WORDS, STATUS_WORDS

WORKED = ("worked", "partly")  # outcomes that say what the team did is an approach that works for it


def share(part: int, whole: int) -> float | None:
    """part / whole, None when there is no whole."""
    return part / whole if whole else None


def funnel_view(rows: Sequence[Mapping[str, Any]], step_titles: Mapping[str, str]) -> list[dict[str, Any]]:
    """Per version pair: each stage with its count, its share of the started and its drop-off from the stage
    before (the share of the previous stage that did not reach it)."""
    out = []
    for row in rows:
        counts = [("Started", row["started"])] + [(step_titles.get(s, s), n) for s, n in row["steps"].items()]
        counts.append(("Finished", row["finished"]))
        stages: list[dict[str, Any]] = []
        previous: int | None = None
        for label, n in counts:
            drop = None if previous is None else share(previous - n, previous)
            stages.append({"label": label, "count": n, "of_started": share(n, row["started"]) or 0.0, "drop": drop})
            previous = n
        out.append({"bank_version": row["bank_version"], "rules_version": row["rules_version"], "stages": stages})
    return out


def months_view(rows: Sequence[tuple[str, str, str | None, int]], labels: Mapping[str, str]) -> dict[str, Any]:
    """Results per month by recommended approach and by confidence label; bars scaled to the busiest month."""
    by_approach: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    by_confidence: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for month, recommendation, confidence, n in rows:
        by_approach[month][recommendation] += n
        by_confidence[month][confidence or "not recorded"] += n
    months = sorted(by_approach)
    approaches = [a for a in labels if any(by_approach[m].get(a) for m in months)]
    confidences = sorted({c for m in months for c in by_confidence[m]}, key=_confidence_order)
    top = max((sum(by_approach[m].values()) for m in months), default=0)
    return {
        "months": [{"month": m, "total": sum(by_approach[m].values()),
                    "width": share(sum(by_approach[m].values()), top) or 0.0,
                    "approaches": [by_approach[m].get(a, 0) for a in approaches],
                    "confidences": [by_confidence[m].get(c, 0) for c in confidences]} for m in months],
        "approaches": [{"id": a, "label": labels[a]} for a in approaches],
        "confidences": confidences,
    }


def _confidence_order(label: str) -> tuple[int, str]:
    """High, Medium, Low first (each with its variants, such as "High (only feasible option)"), then the rest."""
    rank = next((i for i, word in enumerate(("High", "Medium", "Low")) if label.startswith(word)), 3)
    return rank, label


def decisions_view(rows: Sequence[tuple[str, str, str | None, bool, int]],
                   labels: Mapping[str, str]) -> list[dict[str, Any]]:
    """Per recommended approach: decisions by status; outcomes recorded, how often the advice was followed
    (the team did the recommended approach) and how often following it worked."""
    table: dict[str, dict[str, Any]] = {}
    for recommendation, status, outcome, followed, n in rows:
        row = table.setdefault(recommendation, {
            "id": recommendation, "label": labels.get(recommendation, recommendation), "decisions": 0,
            "statuses": dict.fromkeys(STATUS_WORDS, 0), "outcomes": 0, "followed": 0, "worked": 0})
        row["decisions"] += n
        row["statuses"][status] = row["statuses"].get(status, 0) + n
        if outcome:
            row["outcomes"] += n
            row["followed"] += n if followed else 0
            row["worked"] += n if followed and outcome == "worked" else 0
    for row in table.values():
        row["followed_share"], row["worked_share"] = share(row["followed"], row["outcomes"]), share(
            row["worked"], row["followed"])
    return [table[a] for a in labels if a in table] + [r for a, r in table.items() if a not in labels]


def csv_rows(table: str, funnel: Any, months: Any, decisions: Any) -> list[list[Any]]:
    """One table of the page as CSV rows, header first."""
    if table == "funnel":
        return [["bank_version", "rules_version", "stage", "count", "share_of_started", "drop_off"]] + [
            [f["bank_version"], f["rules_version"], s["label"], s["count"], _fraction(s["of_started"]),
             _fraction(s["drop"])] for f in funnel for s in f["stages"]]
    if table == "approaches":
        return [["month", *(a["id"] for a in months["approaches"]), "total"]] + [
            [m["month"], *m["approaches"], m["total"]] for m in months["months"]]
    if table == "confidence":
        return [["month", *months["confidences"]]] + [[m["month"], *m["confidences"]] for m in months["months"]]
    return [["recommended", "decisions", *STATUS_WORDS, "outcomes", "followed", "worked"]] + [
        [r["id"], r["decisions"], *(r["statuses"][s] for s in STATUS_WORDS), r["outcomes"], r["followed"],
         r["worked"]] for r in decisions]


def _fraction(value: float | None) -> str:
    """A share with four decimals, '' when undefined."""
    return "" if value is None else f"{value:.4f}"


def outcome_case(decision: Mapping[str, Any], result: Mapping[str, Any], assessment: Mapping[str, Any],
                 labels: Mapping[str, str], origin: str) -> dict[str, Any] | None:
    """A recorded outcome as one case-library line; None when it does not say what works (it did not work, or
    the team abandoned it: what would have worked is not known)."""
    if decision.get("outcome") not in WORKED or not decision.get("outcome_approach"):
        return None
    did = decision["outcome_approach"]
    when = decision["outcome_at"]
    note = decision.get("outcome_note")
    how = OUTCOME_WORDS[decision["outcome"]] + (f": {note}" if note else ".")
    return {
        "id": f"ORG-{decision['id']}", "title": assessment["title"], "organisation": assessment["team"],
        "date": when.strftime("%Y-%m-%d"), "source_url": f"{origin}/admin/assessments/{assessment['id']}",
        "source_title": f"Tunewise assessment {assessment['id']}: outcome recorded by the team",
        "source_kind": "internal record", "border": "other",
        "what_they_did": f"Went with {labels.get(did, did)}."
                         + (f" Rationale: {decision['rationale']}" if decision.get("rationale") else ""),
        "how_it_went": how, "expected": did, "acceptable": [did], "answers": dict(result["answers"]),
        "estimated": [],
        "notes": (f"Tunewise recommended {labels.get(result['recommendation'], result['recommendation'])} "
                  f"(rules {result['rules_version']}); decision status: {decision.get('status')}."),
    }
