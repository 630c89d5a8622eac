"""The settings new results use: the newest published weight set and the active price preset."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.engine.cost import Preset
from app.engine.rules import Knowledge
from app.store.db import Database
from app.store.models import ActivePreset, PricePreset, WeightDraft, WeightSet

ACTIVE_ID = 1  # the single row of active_preset


def current_weights(session: Session, knowledge: Knowledge) -> tuple[dict[str, float], int | None]:
    """The newest published weights and their version, or the axes.toml defaults and None. A set published before
    an axis was added gives it its default weight (Knowledge.complete_weights)."""
    newest = latest_weight_set(session)
    if newest is None:
        return knowledge.default_weights(), None
    return knowledge.complete_weights(newest.weights), newest.version


def latest_weight_set(session: Session) -> WeightSet | None:
    """The newest published weight set, if any."""
    return session.exec(select(WeightSet).order_by(col(WeightSet.version).desc()).limit(1)).first()


def current_preset(session: Session, knowledge: Knowledge) -> tuple[Preset, dict[str, Any]]:
    """The active price preset (newest DB version of the active key, else its TOML default) and its snapshot."""
    key = active_preset_key(session, knowledge)
    row = latest_preset_row(session, key)
    if row is not None:
        return preset_of_row(row), preset_snapshot(preset_of_row(row), version=row.version)
    preset = knowledge.presets.get(key) or knowledge.presets[knowledge.default_preset]
    return preset, preset_snapshot(preset, version=None)


def active_preset_key(session: Session, knowledge: Knowledge) -> str:
    """The key of the active preset: the admin's choice, else prices.toml's default."""
    pointer = session.get(ActivePreset, ACTIVE_ID)
    if pointer is None or not preset_exists(session, knowledge, pointer.preset_key):
        return knowledge.default_preset
    return pointer.preset_key


def preset_exists(session: Session, knowledge: Knowledge, key: str) -> bool:
    """True when key names a TOML preset or an admin-created one."""
    return key in knowledge.presets or latest_preset_row(session, key) is not None


def latest_preset_row(session: Session, key: str) -> PricePreset | None:
    """The newest admin-created version of one preset, if any."""
    query = select(PricePreset).where(PricePreset.key == key).order_by(col(PricePreset.version).desc()).limit(1)
    return session.exec(query).first()


def preset_of_row(row: PricePreset) -> Preset:
    """The engine's Preset for one stored version."""
    values = {str(k): float(v) for k, v in row.params.items()}
    return Preset(row.key, row.name, row.provider, row.as_of, row.note, tuple(row.sources), values)


def preset_snapshot(preset: Preset, *, version: int | None) -> dict[str, Any]:
    """A JSON-able snapshot of a preset (version None = the prices.toml default); preset_of_snapshot reverses it."""
    return {
        "id": preset.id, "name": preset.name, "as_of": preset.as_of, "provider": preset.provider,
        "note": preset.note, "sources": list(preset.sources), "version": version,
        "origin": "default" if version is None else "admin", "values": dict(preset.values),
    }


def preset_of_snapshot(snapshot: Mapping[str, Any], knowledge: Knowledge) -> Preset:
    """The Preset a stored snapshot describes (a snapshot without values falls back to its TOML preset)."""
    values = snapshot.get("values")
    if not isinstance(values, Mapping):
        return knowledge.presets.get(str(snapshot.get("id")), knowledge.presets[knowledge.default_preset])
    return Preset(
        str(snapshot.get("id", "")), str(snapshot.get("name", "")), str(snapshot.get("provider", "")),
        str(snapshot.get("as_of", "")), str(snapshot.get("note", "")), tuple(snapshot.get("sources", ())),
        {str(k): float(v) for k, v in values.items()},
    )


# Weight sets and preset versions are append-only and the active pointer carries a version, so this stamp moves
# exactly when what current_weights / current_preset resolve can change. Row counts, not max(id): PostgreSQL takes
# ids from a sequence at insert, so a version can commit after a higher id was read and move no max (issue 14).
SETTINGS_STAMP = select(
    select(func.count(col(WeightSet.id))).scalar_subquery(),
    select(func.count(col(PricePreset.id))).scalar_subquery(),
    select(func.max(ActivePreset.version)).scalar_subquery(),  # the single row of active_preset
)


@dataclass(frozen=True)
class Current:
    """The settings new results use, resolved."""

    weights: Mapping[str, float]
    weights_version: int | None
    preset: Preset
    preset_version: int | None

    def preset_snapshot(self) -> dict[str, Any]:
        """A fresh JSON-able snapshot of the preset (callers may store or change it)."""
        return preset_snapshot(self.preset, version=self.preset_version)


def resolve(session: Session, knowledge: Knowledge) -> Current:
    """current_weights and current_preset, read in one session."""
    weights, weights_version = current_weights(session, knowledge)
    preset, snapshot = current_preset(session, knowledge)
    return Current(weights, weights_version, preset, snapshot["version"])


class CurrentSettings:
    """current_weights and current_preset, re-resolved only when an admin change moved SETTINGS_STAMP.

    One prebuilt read of the stamp (~0.05 ms) replaces a Session and three ORM queries (~0.8 ms) on the cost step.
    Every worker reads the stamp from the database, so a change made through another worker is seen at once."""

    def __init__(self, db: Database, knowledge: Knowledge) -> None:
        self._db, self._knowledge = db, knowledge
        self._cached: tuple[tuple[Any, ...], Current] | None = None

    def get(self) -> Current:
        """The current settings (the stamp is read before the settings, so a cached value is never older than it)."""
        stamp = self._db.fetch(SETTINGS_STAMP, {})[0]
        cached = self._cached
        if cached is not None and cached[0] == stamp:
            return cached[1]
        with self._db.read() as session:
            value = resolve(session, self._knowledge)
        self._cached = (stamp, value)  # one tuple assignment: threads see the old pair or the new one
        return value


# ------------------------------------------------------------------ admin writes (drafts, publish, presets)
DRAFT_ID = 1  # the single shared weights draft


class Conflict(Exception):
    """Someone else saved first: the form's version is stale (answer 409)."""


class NothingToPublish(Exception):
    """The draft equals the published weights."""


def get_draft(session: Session, *, lock: bool = False) -> WeightDraft | None:
    """The shared weights draft (row-locked on PostgreSQL when about to change it)."""
    query = select(WeightDraft).where(WeightDraft.id == DRAFT_ID)
    return session.exec(query.with_for_update() if lock else query).first()


def _ensure_row(session: Session, model: Any, **values: Any) -> None:
    """Insert a single-row table's row (version 0) unless it exists. Two transactions creating it at once: the
    second waits for the first (PostgreSQL) and inserts nothing, so the row lock taken next serialises them and
    the later one sees the version move (a 409), never a duplicate key (an error)."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(insert(model.__table__).values(**values).on_conflict_do_nothing(index_elements=["id"]))


def save_draft(
    session: Session, *, expected: int, method: str, weights: Mapping[str, float],
    matrix: list[list[float]] | None, cr: float | None, actor: str, now: datetime,
) -> tuple[dict[str, Any] | None, WeightDraft]:
    """Replace the draft if it is still at `expected`; returns (the draft before, as a dict, the draft now).
    Version 0 is a row made in this transaction (no draft was saved yet): it is filled in, or rolled back."""
    _ensure_row(session, WeightDraft, id=DRAFT_ID, version=0, method=method, weights={}, updated_by=actor,
                updated_at=now)
    session.expire_all()  # the row may have come from the insert above: read it through the lock below
    draft = get_draft(session, lock=True)
    assert draft is not None
    if draft.version != expected:
        raise Conflict()
    before = draft_dict(draft) if draft.version else None
    draft.version, draft.method, draft.weights = expected + 1, method, dict(weights)
    draft.ahp_matrix, draft.cr, draft.updated_by, draft.updated_at = matrix, cr, actor, now
    session.add(draft)
    return before, draft


def publish_draft(session: Session, *, expected: int, actor: str, now: datetime) -> tuple[WeightSet | None, WeightSet]:
    """Publish the draft as the next immutable weight-set version; returns (previous set, new set)."""
    draft = get_draft(session, lock=True)
    if draft is None and expected == 0:
        raise NothingToPublish()
    if draft is None or draft.version != expected:
        raise Conflict()
    previous = latest_weight_set(session)
    if previous is not None and previous.weights == draft.weights:
        raise NothingToPublish()
    published = WeightSet(
        version=(previous.version if previous else 0) + 1, method=draft.method, weights=dict(draft.weights),
        ahp_matrix=draft.ahp_matrix, cr=draft.cr, created_by=actor, created_at=draft.updated_at, published_at=now,
    )
    draft.version += 1  # a publish also makes every open form stale
    session.add_all([published, draft])
    return previous, published


def draft_dict(draft: WeightDraft) -> dict[str, Any]:
    """The audited content of a draft."""
    return {"version": draft.version, "method": draft.method, "weights": dict(draft.weights), "cr": draft.cr}


def weight_sets(session: Session, *, limit: int = 50) -> list[WeightSet]:
    """Published weight sets, newest first."""
    return list(session.exec(select(WeightSet).order_by(col(WeightSet.version).desc()).limit(limit)).all())


def preset_versions(session: Session, key: str) -> list[PricePreset]:
    """Every admin-created version of one preset, newest first."""
    query = select(PricePreset).where(PricePreset.key == key).order_by(col(PricePreset.version).desc())
    return list(session.exec(query).all())


def preset_keys(session: Session, knowledge: Knowledge) -> list[str]:
    """The prices.toml presets, then admin-only keys (none today: edits version existing presets)."""
    stored = session.exec(select(PricePreset.key).distinct()).all()
    return list(knowledge.presets) + sorted(set(stored) - set(knowledge.presets))


def resolve_preset(session: Session, knowledge: Knowledge, key: str) -> tuple[Preset, int]:
    """The newest version of a preset and its number (0 = the prices.toml default)."""
    row = latest_preset_row(session, key)
    if row is not None:
        return preset_of_row(row), row.version
    return knowledge.presets[key], 0


def add_preset_version(
    session: Session, *, base: Preset, expected: int, values: Mapping[str, float], fields: Mapping[str, str],
    actor: str, now: datetime,
) -> PricePreset:
    """Append a new dated version of a preset if it is still at `expected` (0 = the TOML default). Two admins
    adding the same version at once: the unique (key, version) refuses the later one, a Conflict."""
    latest = latest_preset_row(session, base.id)
    if (latest.version if latest else 0) != expected:
        raise Conflict()
    row = PricePreset(
        key=base.id, version=expected + 1, name=fields["name"], provider=fields["provider"], as_of=fields["as_of"],
        note=fields["note"], sources=list(base.sources), params=dict(values), created_by=actor, created_at=now,
    )
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        raise Conflict() from None
    return row


def set_active_preset(session: Session, *, key: str, expected: int, actor: str, now: datetime) -> str | None:
    """Point new results at another preset if the pointer is still at `expected`; returns the previous key."""
    _ensure_row(session, ActivePreset, id=ACTIVE_ID, preset_key=key, version=0, updated_by=actor, updated_at=now)
    session.expire_all()
    pointer = session.exec(select(ActivePreset).where(ActivePreset.id == ACTIVE_ID).with_for_update()).first()
    assert pointer is not None
    if pointer.version != expected:
        raise Conflict()
    previous = pointer.preset_key if pointer.version else None
    pointer.preset_key, pointer.version, pointer.updated_by, pointer.updated_at = key, expected + 1, actor, now
    session.add(pointer)
    return previous


def active_pointer_version(session: Session) -> int:
    """The version of the active-preset pointer (0 before the first change)."""
    pointer = session.get(ActivePreset, ACTIVE_ID)
    return pointer.version if pointer else 0
