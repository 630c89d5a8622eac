"""current_weights / current_preset: what new results use, from the DB or the TOML defaults."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.engine.rules import Knowledge, load_knowledge
from app.engine.scoring import result_to_dict, score
from app.store.db import Database
from app.store.models import ActivePreset, PricePreset, WeightSet
from app.store.settings import current_preset, current_weights, preset_of_snapshot


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
