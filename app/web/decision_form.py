"""The decision and outcome forms: parse and check the fields, one plain-words error per bad field.

Free text gets the limits and normalisation of team names (NFC, trimmed, no control characters); the rationale and
notes may span lines."""

from __future__ import annotations

import unicodedata
from collections.abc import Collection
from datetime import date

from app.store.decisions import OUTCOMES, STATUSES, Outcome, Status
from app.web.forms import Fields, as_int, first

LIMITS = {"owner": 120, "rationale": 1000, "note": 2000, "contributor": 80}
LINE_BREAKS = {"\n", "\t"}


def free_text(raw: str, limit: int, label: str, *, lines: bool = False) -> tuple[str, str]:
    """Optional free text: the cleaned value and '' when valid, else the value as given and why it is refused."""
    value = unicodedata.normalize("NFC", raw.replace("\r\n", "\n").replace("\r", "\n")).strip()
    if len(value) > limit:
        return value, f"The {label} must be {limit:,} characters or fewer (it has {len(value):,})."
    allowed = LINE_BREAKS if lines else set()
    if any(unicodedata.category(c) in ("Cc", "Cs") and c not in allowed for c in value):
        return value, f"The {label} contains control characters; type it again without them."
    return value, ""


def day(raw: str, label: str) -> tuple[date | None, str]:
    """An optional YYYY-MM-DD date (what a date field sends)."""
    raw = raw.strip()
    if not raw:
        return None, ""
    try:
        return date.fromisoformat(raw), ""
    except ValueError:
        return None, f"Enter the {label} as a date, for example 2027-03-31."


def status_form(fields: Fields, related: Collection[int]) -> tuple[Status | None, dict[str, str]]:
    """The status form as a Status, or None and the errors by field. `related`: the results it may be superseded by."""
    errors: dict[str, str] = {}
    status = first(fields, "status")
    if status not in STATUSES:
        errors["status"] = "Choose a status: proposed, accepted, rejected or superseded."
    owner, errors["owner"] = free_text(first(fields, "owner", 10_000), LIMITS["owner"], "owner's name")
    rationale, errors["rationale"] = free_text(first(fields, "rationale", 10_000), LIMITS["rationale"], "rationale",
                                               lines=True)
    decided_on, errors["decided_on"] = day(first(fields, "decided_on"), "decision date")
    revisit_by, errors["revisit_by"] = day(first(fields, "revisit_by"), "revisit date")
    if decided_on and revisit_by and revisit_by < decided_on:
        errors["revisit_by"] = "The revisit date must be on or after the decision date."
    superseded_by = as_int(first(fields, "superseded_by"), 0) or None
    if status == "superseded" and superseded_by not in related:
        errors["superseded_by"] = "Choose the result that supersedes this one."
    errors = {name: message for name, message in errors.items() if message}
    if errors:
        return None, errors
    return Status(status, owner, decided_on, rationale, revisit_by,
                  superseded_by if status == "superseded" else None), {}


def outcome_form(fields: Fields, approaches: Collection[str]) -> tuple[Outcome | None, dict[str, str]]:
    """The outcome form as an Outcome, or None and the errors by field."""
    errors: dict[str, str] = {}
    approach, outcome = first(fields, "approach"), first(fields, "outcome")
    if approach not in approaches:
        errors["approach"] = "Choose what you did."
    if outcome not in OUTCOMES:
        errors["outcome"] = "Choose how it went."
    note, errors["note"] = free_text(first(fields, "note", 10_000), LIMITS["note"], "note", lines=True)
    errors = {name: message for name, message in errors.items() if message}
    return (None, errors) if errors else (Outcome(approach, outcome, note), {})


def contributor_of(fields: Fields) -> tuple[str, str]:
    """The optional name of the person saving (one line)."""
    return free_text(first(fields, "contributor", 10_000), LIMITS["contributor"], "name")
