"""A decision and its outcome in words, for the decision page, the report, the compare page and the Markdown record."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

STATUS_WORDS = {"proposed": "Proposed", "accepted": "Accepted", "rejected": "Rejected",
                "superseded": "Superseded by a newer result"}
OUTCOME_WORDS = {"worked": "It worked", "partly": "It partly worked", "did_not": "It did not work",
                 "abandoned": "We abandoned it"}


def decision_view(decision: Mapping[str, Any] | None, labels: Mapping[str, str], today: date) -> dict[str, Any] | None:
    """The decision as people read it: status, owner, dates, rationale, outcome, and whether it is due for a
    revisit (the revisit date has passed and no outcome is recorded). None when nothing was recorded."""
    if not decision or not decision.get("version"):
        return None
    revisit = _day(decision.get("revisit_by"))
    outcome = decision.get("outcome")
    approach = decision.get("outcome_approach")
    return {
        "status": decision.get("status"), "status_words": STATUS_WORDS.get(decision.get("status") or "", ""),
        "owner": decision.get("owner") or "", "decided_on": _day(decision.get("decided_on")),
        "rationale": decision.get("rationale") or "", "revisit_by": revisit,
        "superseded_by": decision.get("superseded_by"),
        "outcome": outcome, "outcome_words": OUTCOME_WORDS.get(outcome or "", ""),
        "outcome_approach": labels.get(approach or "", approach or ""),
        "outcome_note": decision.get("outcome_note") or "",
        "revisit_due": bool(revisit and revisit <= today and not outcome),
        "version": decision.get("version", 0),
    }


def decision_line(view: Mapping[str, Any] | None) -> str:
    """One line for a header or the Markdown record: 'Status: accepted (owner Ana, 2026-12-05)'."""
    if not view:
        return "Status: no decision recorded yet"
    details = [f"owner {view['owner']}" if view["owner"] else "",
               view["decided_on"].isoformat() if view["decided_on"] else ""]
    extra = ", ".join(d for d in details if d)
    return f"Status: {view['status_words'].lower()}" + (f" ({extra})" if extra else "")


def _day(value: Any) -> date | None:
    """A date from a date or an ISO string (the JSON forms of a decision)."""
    if isinstance(value, date) or value is None:
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None
