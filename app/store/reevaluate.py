"""Re-evaluation with the current settings (a new snapshot; the old one stays) and the weights preview."""

from __future__ import annotations

import sys
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from app.engine.evaluate import acceptable_with
from app.engine.rules import Knowledge
from app.engine.weights import primary_of, weight_vector
from app.store import admins as admin_repo
from app.store.models import Assessment, Result
from app.store.results import TooMany, result_count, same_snapshot, snapshot_fields
from app.store.settings import current_weights, resolve
from app.store.webhooks import enqueue_result

LIST_LIMIT = 200


class NothingToReevaluate(LookupError):
    """The assessment does not exist or has no result yet."""


class NothingChanged(Exception):
    """Scoring the newest result's answers with the current settings gives that same result again."""


def reevaluate(session: Session, knowledge: Knowledge, assessment_id: int,
               *, max_results: int = 0) -> tuple[Result, Result]:
    """Score the newest result's answers again with the current weights and preset and store it as a new result;
    NothingChanged when it would equal the newest one (answers, weights, prices, rules and engine alike), TooMany
    when the assessment already holds max_results (0: no cap)."""
    assessment = session.exec(select(Assessment).where(Assessment.id == assessment_id).with_for_update()).first()
    old = session.exec(select(Result).where(Result.assessment_id == assessment_id)
                       .order_by(col(Result.id).desc()).limit(1)).first()
    if assessment is None or old is None:
        raise NothingToReevaluate(assessment_id)
    fields = snapshot_fields(
        resolve(session, knowledge), knowledge, answers=old.answers, assumptions=assessment.cost_assumptions
    )
    if same_snapshot(old, fields):
        raise NothingChanged(assessment_id)
    if max_results and result_count(session, assessment_id=assessment_id) >= max_results:
        raise TooMany("results", max_results)
    new = Result(assessment_id=assessment_id, **fields)
    session.add(new)
    session.flush()
    assert new.id is not None
    enqueue_result(session, result_id=new.id, assessment_id=assessment_id, recommendation=new.recommendation,
                   payload=new.payload)  # in this transaction: see store_result
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
    library: Library | None = None


@dataclass(frozen=True)
class Library:
    """The case library under the published and the draft weights: how many cases get an acceptable primary
    (issue 11 item 9: the draft's effect on the evidence, not only on stored results)."""

    cases: int
    now: int
    draft: int


class PreviewCache:
    """Results are immutable, so their slim preview rows are loaded once per process and kept, up to max_bytes.
    The kept rows are the oldest results (every id up to `_upto`); newer rows past the budget are read from the
    database on each preview and dropped after it, so memory stays bounded whatever the database holds."""

    def __init__(self, max_bytes: int = 16 << 20) -> None:
        self.max_bytes = max_bytes
        self._rows: dict[int, admin_repo.PreviewRow] = {}
        self._weights: dict[int, int] = {}
        self._bytes = self._upto = 0
        self._axes: tuple[str, ...] = ()
        self._lock = threading.Lock()

    def rows(self, session: Session, axes: Sequence[str]) -> list[admin_repo.PreviewRow]:
        """Every stored result's preview row over `axes`: kept ones, new ones kept while the budget allows, the
        rest read for this call only; deleted ones forgotten."""
        with self._lock:
            if tuple(axes) != self._axes:  # rows are built for one list of axes (one knowledge per app)
                self._rows, self._weights, self._bytes, self._upto, self._axes = {}, {}, 0, 0, tuple(axes)
            alive = admin_repo.result_ids(session)
            for gone in set(self._rows) - alive:
                del self._rows[gone]
                self._bytes -= self._weights.pop(gone)
            # PostgreSQL takes ids at insert: a result can commit after a higher id was kept. Rare: start again.
            if any(i <= self._upto and i not in self._rows for i in alive):
                self._rows, self._weights, self._bytes, self._upto = {}, {}, 0, 0
            fresh = admin_repo.preview_rows(session, axes, after_id=self._upto)
            kept = 0
            for row in fresh:
                weight = row_bytes(row)
                if self._bytes + weight > self.max_bytes:
                    break
                self._rows[row.id], self._weights[row.id] = row, weight
                self._bytes += weight
                self._upto, kept = row.id, kept + 1
            return [self._rows[i] for i in sorted(self._rows)] + fresh[kept:]

    @property
    def bytes(self) -> int:
        """What the kept rows weigh."""
        return self._bytes


def row_bytes(row: admin_repo.PreviewRow) -> int:
    """The memory one preview row holds: the row, its Ranked form, its tuples, floats and strings."""
    size = sys.getsizeof(row) + sys.getsizeof(row.recommendation) + 64  # 64: the dict slot and the int key
    ranked = row.ranked
    if ranked is None:
        return size
    size += sys.getsizeof(ranked) + sys.getsizeof(ranked.ids) + sys.getsizeof(ranked.blocked)
    size += sys.getsizeof(ranked.scores) + sum(sys.getsizeof(s) for s in ranked.ids)
    return size + sum(sys.getsizeof(t) + 24 * len(t) for t in ranked.scores)


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
    published, _ = current_weights(session, knowledge)
    library = Library(len(knowledge.cases), acceptable_with(knowledge, published), acceptable_with(knowledge, weights))
    return Impact(len(rows), len(found), changes, sum(row.ranked is None for row in rows), library)
