"""Exports of one result snapshot: what the MADR-style decision record shows, and the JSON document.

The record is templates/exports/decision-record.md.j2, rendered by app/web/exports.py over ``record_context``:
the report page's own context (app/views/report.py) plus the few values only the record uses. Team, title and
every other user-supplied string pass through ``md_text`` (the template's ``md`` filter) so that they stay plain
text in any Markdown renderer: no links, images, HTML or headings.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from app.engine.model import Bank
from app.views.report import approach_labels, parse_time, report_context
from app.views.report_summary import rule_names, verdict

SCHEMA_ID = "tunewise.result/1"
# Backslash-escape every character Markdown could read as syntax; < > & become entities (raw HTML and autolinks die).
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()!|~#])")
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")


def md_text(value: Any) -> str:
    """User text as inert Markdown: one line, control and bidi characters removed, syntax escaped."""
    text = "" if value is None else str(value)
    text = "".join(" " if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch for ch in text)
    text = _INVISIBLE.sub("", text)
    text = " ".join(text.split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", text)


def source_tags(tags: Iterable[str]) -> str:
    """Source tags as '\\[S0\\], \\[O2\\]' (escaped brackets stay text, never link references); 'no source' if none."""
    return ", ".join(f"\\[{t}\\]" for t in tags) or "no source"


def record_context(snapshot: Mapping[str, Any], bank: Bank) -> dict[str, Any]:
    """The report's context (unchanged) plus what only the decision record shows: its date, the drivers by weight,
    the key answers and the options in score order with their notes."""
    context = report_context(snapshot, bank)
    result = snapshot["result"]
    created = context["created_at"]
    return {
        **context,
        "day": (created.date() if created else date.today()).isoformat(),
        "drivers": sorted(context["axes"], key=lambda a: -(a["weight"] or 0)),
        "key_answers": key_answers(context["answer_sections"], key_questions(result)),
        "options": considered_options(result, context["approaches"]),
    }


def key_questions(result: Mapping[str, Any]) -> set[str]:
    """The questions behind the reasons, the counterfactuals and the cost model: the drivers worth listing."""
    keys = {r.get("question") for r in [*result.get("reasons_for", []), *result.get("reasons_against", [])]}
    keys |= {c.get("question") for c in result.get("counterfactuals", [])}
    keys |= {"gap_types", "monthly_calls", "fixed_prompt_tokens"}
    return {k for k in keys if k}


def key_answers(sections: Iterable[Mapping[str, Any]], keys: set[str]) -> list[Mapping[str, Any]]:
    """The answer rows of the key questions, in wizard order."""
    return [row for section in sections for row in section["rows"] if row["id"] in keys]


def considered_options(result: Mapping[str, Any], rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The report's approach rows re-ordered for the record (feasible first, then by total), each with its note:
    recommended or companion, and the gates that block it."""
    by_id = {row["id"]: row for row in rows}
    order = sorted(result["approaches"], key=lambda a: (a["blocked"], -a["total"]))
    return [{**by_id[a["id"]], "note": _note(result, a)} for a in order]


def _note(result: Mapping[str, Any], approach: Mapping[str, Any]) -> str:
    """'recommended', 'companion', 'blocked by the hard rule “Evaluation first”' or both joined by '; '."""
    role = ("recommended" if approach["id"] == result["primary"]
            else "companion" if approach["id"] == result.get("companion") else "")
    if not approach["blocked"]:
        return role
    return (role + "; " if role else "") + "blocked by " + rule_names(result, approach["blocked_by"])


def snapshot_json(snapshot: Mapping[str, Any]) -> dict[str, Any]:
    """The snapshot as stored, for the .json export, tagged with its schema (app/data/result.schema.json).

    The stored snapshot is JSON already; its two timestamps change to RFC 3339 with an explicit UTC offset (the
    database hands back naive UTC values), and the verdict in words is added, the same the page and record show."""
    doc = {"schema": SCHEMA_ID, **{k: v for k, v in snapshot.items() if k not in ("schema", "verdict")}}
    # The page's and the record's verdict, in words: a close call says so here too (derived, never stored).
    doc["verdict"] = verdict(snapshot["result"], approach_labels(snapshot["result"]))
    for key in ("created_at", "expires_at"):
        if key in doc:
            moment = parse_time(doc[key])
            doc[key] = moment.isoformat() if moment else None
    return doc
