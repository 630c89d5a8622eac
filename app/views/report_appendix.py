"""The report's appendix: the answers with their labels, the sources cited, and the versions footer."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from app.engine.model import UNKNOWN, Bank
from app.views.wizard import answer_text

IGNORED = "not used: this question does not apply given other answers"
DEFAULTED = "not answered; the default was used"  # a snapshot from before "Not sure" (issue 11)


def answer_sections(bank: Bank, answers: Mapping[str, Any], result: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The answers in wizard order, grouped by step, each with its question label; an UNKNOWN answer reads
    "Not sure", with the value it was scored at in its note (never shown as if the team had given it)."""
    ignored = set(result.get("ignored_questions", []))
    scored = result.get("answers", {})
    scored_as = {u.get("question"): u.get("scored_as_label") for u in result.get("unknowns") or []}
    sections = []
    for step in bank.steps:
        rows = []
        for qid in step.question_ids:
            q = bank.questions[qid]
            given = qid in answers
            value = answers[qid] if given else scored.get(qid)
            note = (IGNORED if qid in ignored else DEFAULTED if not given
                    else f"scored as {scored_as[qid]} until you know" if value == UNKNOWN and scored_as.get(qid)
                    else "")
            rows.append({"id": qid, "label": q.label, "answer": answer_text(q, value), "note": note})
        sections.append({"number": step.number, "title": step.title, "rows": rows})
    return sections


def cited_sources(bank: Bank, result: Mapping[str, Any]) -> list[dict[str, str]]:
    """Every source tag the report cites, in order of first use, with title and address."""
    tags: list[str] = []
    groups = [result.get("reasons_for", []), result.get("reasons_against", []), result.get("advisories", []),
              result.get("gates", []), [result.get("cost", {}).get("preset", {})]]
    for group in groups:
        for item in group:
            for tag in item.get("sources", []):
                if tag not in tags:
                    tags.append(tag)
    out = []
    for tag in tags:
        s = bank.sources.get(tag)
        out.append({"tag": tag, "title": s.title if s else tag, "url": s.url if s else ""})
    return out


def versions(snapshot: Mapping[str, Any], result: Mapping[str, Any], preset: Mapping[str, Any],
             created: datetime | None) -> dict[str, Any]:
    """The footer: rules, weights, prices, engine and when the result was generated."""
    wv = snapshot.get("weights_version")
    return {
        "rules": snapshot.get("rules_version") or result.get("rules_version", ""),
        "weights": "defaults" if wv is None else f"version {wv}",
        "prices": f"{preset.get('name', '')} ({preset.get('as_of', '')})"
        + (f", admin version {preset['version']}" if preset.get("version") is not None else ""),
        "engine": snapshot.get("engine_version") or result.get("engine_version", ""),
        "generated_at": created,
    }
