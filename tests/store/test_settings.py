"""current_weights / current_preset: what new results use, from the DB or the TOML defaults."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.engine.rules import Knowledge, load_knowledge
from app.engine.scoring import result_to_dict, score
from app.store.db import Database
from app.store.models import ActivePreset, PricePreset, WeightDraft, WeightSet
from app.store.settings import (
    Conflict,
    add_preset_version,
    current_preset,
    current_weights,
    preset_of_snapshot,
    save_draft,
    set_active_preset,
)


@pytest.fixture(scope="module")
def knowledge() -> Knowledge:
    return load_knowledge()


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    yield database
    database.dispose()


def test_defaults_come_from_axes_toml_without_a_version(db: Database, knowledge: Knowledge) -> None:
    with db.read() as session:
        weights, version = current_weights(session, knowledge)
    assert weights == knowledge.default_weights() and version is None


def test_the_newest_published_weight_set_wins(db: Database, knowledge: Knowledge) -> None:
    older = {"fit": 0.5, "data": 0.1, "speed": 0.1, "cost": 0.1, "risk": 0.1, "change": 0.1}
    newer = {"fit": 0.4, "data": 0.2, "speed": 0.1, "cost": 0.1, "risk": 0.1, "change": 0.1}
    with db.write() as session:
        session.add(WeightSet(version=1, method="direct", weights=older, created_by="a@example.org"))
        session.add(WeightSet(version=2, method="direct", weights=newer, created_by="a@example.org"))
    with db.read() as session:
        weights, version = current_weights(session, knowledge)
    assert weights == newer and version == 2


def test_the_default_preset_is_the_toml_default(db: Database, knowledge: Knowledge) -> None:
    with db.read() as session:
        preset, snapshot = current_preset(session, knowledge)
    assert preset is knowledge.presets[knowledge.default_preset]
    assert snapshot["id"] == knowledge.default_preset and snapshot["version"] is None
    assert {"name", "as_of", "provider", "values"} <= set(snapshot)


def test_the_active_key_uses_its_newest_admin_version(db: Database, knowledge: Knowledge) -> None:
    base = knowledge.presets["vertex-gemini-2.0-flash"]
    with db.write() as session:
        session.add(ActivePreset(id=1, preset_key=base.id, updated_by="a@example.org"))
        for version, p_in in ((1, 0.2), (2, 0.3)):
            session.add(PricePreset(
                key=base.id, version=version, name=base.name, provider=base.provider, as_of="2026-11-01",
                note="", sources=list(base.sources), params={**base.values, "p_in": p_in}, created_by="a@example.org"))
    with db.read() as session:
        preset, snapshot = current_preset(session, knowledge)
    assert preset.id == base.id and preset.values["p_in"] == 0.3 and snapshot["version"] == 2
    assert snapshot["as_of"] == "2026-11-01" and snapshot["provider"] == "google-vertex"


def test_the_snapshot_round_trips_into_the_same_scores(db: Database, knowledge: Knowledge) -> None:
    with db.read() as session:
        preset, snapshot = current_preset(session, knowledge)
    answers = {"gap_types": ["behavior"], "labeled_examples": 500, "monthly_calls": 60000}
    direct = result_to_dict(score(knowledge, answers, prices=preset))
    again = result_to_dict(score(knowledge, answers, prices=preset_of_snapshot(snapshot, knowledge)))
    assert direct == again


def attempt(db: Database, work, i: int, barrier, seen: list[str]) -> None:
    """One admin's save, started together with the other's; its outcome appended to `seen`."""
    from datetime import UTC, datetime

    barrier.wait()
    try:
        with db.write() as session:
            work(session, i, datetime.now(UTC))
        seen.append("saved")
    except Conflict:
        seen.append("conflict")
    except Exception as error:  # noqa: BLE001  (an IntegrityError is what the test is about)
        seen.append(type(error).__name__)


def race(db: Database, work, rounds: int = 25) -> list[list[str]]:
    """Run work(session, i) for i = 0 and 1 at once, `rounds` times on a fresh state; each round's outcomes."""
    import threading

    from sqlmodel import delete

    outcomes = []
    for _ in range(rounds):
        with db.write() as session:  # no draft and no active preset yet: the first save creates the row
            for model in (WeightDraft, ActivePreset, PricePreset):
                session.execute(delete(model))
        barrier, seen = threading.Barrier(2), []
        threads = [threading.Thread(target=attempt, args=(db, work, i, barrier, seen)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        outcomes.append(sorted(seen))
    return outcomes


def test_two_admins_saving_the_first_draft_at_once_never_error(db: Database) -> None:
    """Issue 15: seen once on PostgreSQL, an IntegrityError (both inserted the draft row); now one saves, one
    gets a Conflict (409), every time."""
    weights = {"fit": 0.3, "data": 0.2, "speed": 0.15, "cost": 0.15, "risk": 0.12, "change": 0.08}

    def save(session, i: int, now) -> None:
        save_draft(session, expected=0, method="direct", weights=weights, matrix=None, cr=None,
                   actor=f"admin{i}@example.org", now=now)

    assert race(db, save) == [["conflict", "saved"]] * 25


def test_two_admins_choosing_the_first_active_preset_at_once_never_error(db: Database, knowledge: Knowledge) -> None:
    keys = list(knowledge.presets)[:2]

    def choose(session, i: int, now) -> None:
        set_active_preset(session, key=keys[i], expected=0, actor=f"admin{i}@example.org", now=now)

    assert race(db, choose) == [["conflict", "saved"]] * 25


def test_two_admins_adding_the_same_preset_version_at_once_never_error(db: Database, knowledge: Knowledge) -> None:
    base = knowledge.presets[knowledge.default_preset]
    fields = {"name": base.name, "provider": base.provider, "as_of": "2026-12-01", "note": ""}

    def add(session, i: int, now) -> None:
        add_preset_version(session, base=base, expected=0, values=dict(base.values), fields=fields,
                           actor=f"admin{i}@example.org", now=now)

    assert race(db, add) == [["conflict", "saved"]] * 25
