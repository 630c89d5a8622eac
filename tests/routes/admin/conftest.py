"""Admin fixtures: accounts created straight in the database and sign-in over HTTP."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.store import admins as admin_repo
from app.store import passwords
from app.store.db import Database

from ...conftest import csrf_of
from ...stored import Clock

PASSWORD = "a long enough passphrase"
EMAIL = "ada@example.org"


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
