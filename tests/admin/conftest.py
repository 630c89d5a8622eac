"""Admin fixtures: accounts created straight in the database, sign-in over HTTP, a movable clock, seeded results."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.engine.rules import Knowledge, load_knowledge
from app.engine.scoring import result_to_dict, score
from app.engine.weights import rank_inputs
from app.store import admins as admin_repo
from app.store import passwords
from app.store.db import Database
from app.store.models import Assessment, Result
from app.store.settings import preset_snapshot

from ..conftest import csrf_of

AXES = load_knowledge().axis_keys  # the shipped axes, in axes.toml order

PASSWORD = "a long enough passphrase"
EMAIL = "ada@example.org"
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


class Clock:
    """A clock tests move forward instead of sleeping."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture(scope="session")
def knowledge() -> Knowledge:
    return load_knowledge()


@pytest.fixture
def clock(client: TestClient) -> Clock:
    fake = Clock()
    client.app.state.clock = fake  # type: ignore[attr-defined]
    return fake


@pytest.fixture
def db(client: TestClient) -> Database:
    database: Database = client.app.state.db  # type: ignore[attr-defined]
    return database


def make_admin(db: Database, email: str = EMAIL, password: str = PASSWORD, when: datetime | None = None) -> int:
    """An admin account written straight to the database; returns its id."""
    with db.write() as session:
        admin = admin_repo.create_admin(session, email=email, password_hash=passwords.hash_password(password),
                                        now=when or datetime.now(UTC))
        assert admin.id is not None
        return admin.id


def login(client: TestClient, email: str = EMAIL, password: str = PASSWORD, **headers: str) -> Any:
    """POST the sign-in form (after a GET for the CSRF token)."""
    token = csrf_of(client.get("/admin/login").text)
    return client.post("/admin/login",
                       data={"csrf_token": token, "email": email, "password": password, "next": "/admin"},
                       headers=headers, follow_redirects=False)


@pytest.fixture
def admin_id(db: Database, clock: Clock) -> int:
    return make_admin(db, when=clock())


@pytest.fixture
def signed_in(client: TestClient, admin_id: int) -> TestClient:
    response = login(client)
    assert response.status_code == 303, response.text
    return client


def form_post(client: TestClient, page: str, url: str, data: dict[str, Any], **kwargs: Any) -> Any:
    """GET page for its CSRF token, then POST data to url."""
    token = csrf_of(client.get(page).text)
    return client.post(url, data={"csrf_token": token, **data}, follow_redirects=False, **kwargs)


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
