"""Re-evaluation with the current settings (a new snapshot; the old one stays) and the weights preview."""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from app.engine.rules import Knowledge
from app.engine.weights import primary_of, weight_vector
from app.store import admins as admin_repo
from app.store.models import Assessment, Result
from app.store.results import snapshot_fields
from app.store.settings import resolve

LIST_LIMIT = 200


class NothingToReevaluate(LookupError):
    """The assessment does not exist or has no result yet."""


def reevaluate(session: Session, knowledge: Knowledge, assessment_id: int) -> tuple[Result, Result]:
    """Score the newest result's answers again with the current weights and preset; store it as a new result."""
    assessment = session.exec(select(Assessment).where(Assessment.id == assessment_id).with_for_update()).first()
    old = session.exec(select(Result).where(Result.assessment_id == assessment_id)
                       .order_by(col(Result.id).desc()).limit(1)).first()
    if assessment is None or old is None:
        raise NothingToReevaluate(assessment_id)
    fields = snapshot_fields(
        resolve(session, knowledge), knowledge, answers=old.answers, assumptions=assessment.cost_assumptions
    )
    new = Result(assessment_id=assessment_id, **fields)
    session.add(new)
    session.flush()
    return old, new


def _pair(old: Any, new: Any) -> dict[str, Any]:
    """{'old', 'new', 'changed'} for one value."""
    return {"old": old, "new": new, "changed": old != new}


def _texts(items: Any) -> list[str]:
    """The sentences of a reasons/advisories list (dicts with 'text', or plain strings)."""
    return [str(i.get("text", "")) if isinstance(i, Mapping) else str(i) for i in items or []]


def _added_removed(old: Any, new: Any) -> dict[str, list[str]]:
    """Sentences present only in the new list, and only in the old one."""
    before, after = _texts(old), _texts(new)
    return {"added": [t for t in after if t not in before], "removed": [t for t in before if t not in after]}


def _approach_rows(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Per approach: total before and after, blocked before and after, and the axis scores that moved."""
    before = {a["id"]: a for a in old.get("approaches", [])}
    rows = []
    for a in new.get("approaches", []):
        b = before.get(a["id"], {"total": None, "blocked": None, "scores": {}})
        moved = [{"axis": x, "old": b["scores"].get(x), "new": v} for x, v in a["scores"].items()
                 if b["scores"].get(x) is None or abs(b["scores"][x] - v) > 1e-9]
        delta = None if b["total"] is None else a["total"] - b["total"]
        rows.append({"id": a["id"], "label": a.get("label", a["id"]), "old_total": b["total"], "new_total": a["total"],
                     "delta": delta, "old_blocked": b["blocked"], "new_blocked": a["blocked"], "scores": moved})
    return rows


def compare_with_previous(history: Sequence[tuple[Result, Any]], result_id: int) -> dict[str, Any] | None:
    """One result of a history (newest first) against the one before it; None when either is missing."""
    ids = [r.id for r, _ in history]
    if result_id not in ids or ids.index(result_id) + 1 >= len(ids):
        return None
    new, old = history[ids.index(result_id)][0], history[ids.index(result_id) + 1][0]
    return {"old": old, "new": new, "diff": diff_results(old.payload, new.payload)}


def diff_results(old_payload: Mapping[str, Any], new_payload: Mapping[str, Any]) -> dict[str, Any]:
    """What changed between two result payloads: primary, companion, scores per approach, reasons, settings."""
    weights_old, weights_new = old_payload.get("weights", {}), new_payload.get("weights", {})
    preset = [p.get("cost", {}).get("preset", {}) for p in (old_payload, new_payload)]
    diff: dict[str, Any] = {
        "primary": _pair(old_payload.get("primary"), new_payload.get("primary")),
        "companion": _pair(old_payload.get("companion"), new_payload.get("companion")),
        "runner_up": _pair(old_payload.get("runner_up"), new_payload.get("runner_up")),
        "confidence": _pair(
            old_payload.get("confidence", {}).get("label"), new_payload.get("confidence", {}).get("label")
        ),
        "weights": [{"axis": x, **_pair(weights_old.get(x), weights_new.get(x))} for x in weights_new],
        "preset": _pair(_preset_label(preset[0]), _preset_label(preset[1])),
        "approaches": _approach_rows(old_payload, new_payload),
        "reasons_for": _added_removed(old_payload.get("reasons_for"), new_payload.get("reasons_for")),
        "reasons_against": _added_removed(old_payload.get("reasons_against"), new_payload.get("reasons_against")),
        "advisories": _added_removed(old_payload.get("advisories"), new_payload.get("advisories")),
    }
    diff["changed"] = any(diff[k]["changed"] for k in ("primary", "companion", "runner_up", "confidence")) or any(
        row["delta"] is None or abs(row["delta"]) > 1e-9 for row in diff["approaches"]
    ) or any(diff[k]["added"] or diff[k]["removed"] for k in ("reasons_for", "reasons_against", "advisories"))
    return diff


def _preset_label(preset: Mapping[str, Any]) -> str:
    """'name (as of date)' of a payload's price preset."""
    return f"{preset.get('name', '?')} (as of {preset.get('as_of', '?')})" if preset else "—"


# ------------------------------------------------------------------ weights preview
@dataclass(frozen=True)
class Change:
    """One stored result whose primary would change under the draft weights."""

    result_id: int
    assessment_id: int
    team: str
    title: str
    old: str
    new: str


@dataclass(frozen=True)
class Impact:
    """How many stored results the draft would change, and which (the first LIST_LIMIT). `unranked` counts those
    that cannot be re-ranked, such as results scored before an axis was added: they have no score on it."""

    total: int
    changed: int
    changes: list[Change]
    unranked: int = 0


class PreviewCache:
    """Results are immutable, so their slim preview rows are loaded once per process and kept."""

    def __init__(self) -> None:
        self._rows: dict[int, admin_repo.PreviewRow] = {}
        self._axes: tuple[str, ...] = ()
        self._lock = threading.Lock()

    def rows(self, session: Session, axes: Sequence[str]) -> list[admin_repo.PreviewRow]:
        """Every stored result's preview row over `axes`: new ones loaded, deleted ones forgotten."""
        with self._lock:
            if tuple(axes) != self._axes:  # rows are built for one list of axes (one knowledge per app)
                self._rows, self._axes = {}, tuple(axes)
            fresh = admin_repo.preview_rows(session, axes, after_id=max(self._rows, default=0))
            self._rows.update((row.id, row) for row in fresh)
            alive = admin_repo.result_ids(session)
            for gone in set(self._rows) - alive:
                del self._rows[gone]
            return [self._rows[i] for i in sorted(self._rows)]


def preview_impact(
    session: Session, knowledge: Knowledge, weights: Mapping[str, float], cache: PreviewCache
) -> Impact:
    """Re-rank every stored result under the draft weights (its own stored scores and gates) and compare."""
    places = int(knowledge.rules.confidence.numbers["tie_decimals"])
    vector = weight_vector(weights, knowledge.axis_keys)
    rows = cache.rows(session, knowledge.axis_keys)
    found = [(row, new) for row in rows if row.ranked is not None
             and (new := primary_of(row.ranked, vector, places)) != row.recommendation]
    labels = admin_repo.labels_of(session, assessment_ids=sorted({r.assessment_id for r, _ in found[:LIST_LIMIT]}))
    changes = [Change(r.id, r.assessment_id, *labels.get(r.assessment_id, ("?", "?")), r.recommendation, new)
               for r, new in found[:LIST_LIMIT]]
    return Impact(len(rows), len(found), changes, sum(row.ranked is None for row in rows))
