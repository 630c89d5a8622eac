"""Shared test data: a movable clock, the fixture scenarios, and results seeded straight into the database."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from app.engine.rules import Knowledge, load_knowledge
from app.engine.scoring import result_to_dict, score
from app.engine.weights import rank_inputs
from app.store.db import Database
from app.store.models import Assessment, Result
from app.store.settings import preset_snapshot

AXES = load_knowledge().axis_keys  # the shipped axes, in axes.toml order
FIXTURES = Path(__file__).resolve().parent / "fixtures"


class Clock:
    """A clock tests move forward instead of sleeping."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def scenarios() -> list[dict[str, Any]]:
    """Every fixture scenario (public and published cases)."""
    rows = []
    for name in ("public-scenarios.jsonl", "published-cases.jsonl"):
        rows += [json.loads(line) for line in (FIXTURES / name).read_text().splitlines() if line.strip()]
    return rows


def seed_results(db: Database, knowledge: Knowledge, count: int | None = None) -> list[int]:
    """Score fixture answers with the defaults and store them as results; returns the result ids."""
    preset = knowledge.presets[knowledge.default_preset]
    cases = scenarios()
    ids = []
    with db.write() as session:
        for i in range(count or len(cases)):
            case = cases[i % len(cases)]
            payload = result_to_dict(score(knowledge, case["answers"]))
            assessment = Assessment(team=f"Team {case['id']}", title=case["title"][:200], status="complete",
                                    edit_token_hash=f"{i:064d}")
            session.add(assessment)
            session.flush()
            result = Result(assessment_id=assessment.id, recommendation=payload["primary"], answers=payload["answers"],
                            weights=knowledge.default_weights(),
                            prices={**preset_snapshot(preset, version=None), "assumptions": {}},
                            rules_version=payload["rules_version"], engine_version=payload["engine_version"],
                            payload=payload, rank_inputs=rank_inputs(payload, AXES))
            session.add(result)
            session.flush()
            ids.append(result.id)
    return ids
