"""Capability tokens: 256 bits from the CSPRNG, URL-safe, unique; only their SHA-256 is ever stored."""

from __future__ import annotations

import re

from sqlmodel import select

from app.store.models import Assessment, ShareLink
from app.store.tokens import new_token, token_hash

from ..helpers import complete, start
from ..routes.test_results import finish


def test_tokens_are_43_urlsafe_characters_and_unique() -> None:
    tokens = {new_token() for _ in range(10_000)}
    assert len(tokens) == 10_000
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{43}", t) for t in tokens)
    assert re.fullmatch(r"[0-9a-f]{64}", token_hash(next(iter(tokens))))


def test_the_database_holds_only_hashes(client) -> None:
    edit = start(client)
    complete(client, edit)
    view = finish(client, edit)
    with client.app.state.db.read() as session:
        stored = [a.edit_token_hash for a in session.exec(select(Assessment))]
        stored += [link.token_hash for link in session.exec(select(ShareLink))]
    assert stored == [token_hash(edit), token_hash(view)]
    assert all(re.fullmatch(r"[0-9a-f]{64}", value) for value in stored)
