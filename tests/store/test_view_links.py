"""View links derived from the edit link (store/tokens.py): the manage page can show their addresses again, a leaked
database still yields no working link, and replacing the edit link hides old addresses without breaking them."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlmodel import select

from app.store import assessments, history, results
from app.store.db import Database
from app.store.models import Assessment, ShareLink, utcnow
from app.store.tokens import new_token, recover_view_token, token_hash, view_token

from ..routes.test_results import finished


def links_seen(db: Database, edit: str) -> list[str | None]:
    """The tokens team_history recovers with this edit token, oldest link first."""
    with db.read() as session:
        aid = session.exec(select(Assessment.id)).one()
        found, _ = history.team_history(session, assessment_id=aid, now=utcnow(), limit=5, edit_token=edit)
    return [t.token for _, links in found for t in links]


def test_a_view_token_is_derived_from_the_edit_token_and_a_stored_nonce(client: TestClient, db: Database) -> None:
    edit, view = finished(client)
    with db.read() as session:
        link = session.exec(select(ShareLink)).one()
        edit_hash = session.exec(select(Assessment.edit_token_hash)).one()
    assert link.nonce is not None and re.fullmatch(r"[A-Za-z0-9_-]{22}", link.nonce)
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", view) and view == view_token(edit, link.nonce)
    assert link.token_hash == token_hash(view)
    assert recover_view_token(edit, link.nonce, link.token_hash) == view
    # What the database holds (the edit token's hash, the nonce, the view token's hash) derives nothing that works.
    assert token_hash(view_token(edit_hash, link.nonce)) != link.token_hash
    assert recover_view_token(new_token(), link.nonce, link.token_hash) is None
    tampered = link.nonce[:-1] + ("A" if link.nonce[-1] != "A" else "B")
    assert recover_view_token(edit, tampered, link.token_hash) is None
    assert recover_view_token(edit, link.nonce, token_hash(new_token())) is None
    assert recover_view_token(edit, None, link.token_hash) is None


def test_each_link_gets_its_own_nonce(client: TestClient, db: Database) -> None:
    edit, view = finished(client)
    with db.write() as session:
        rid = session.exec(select(ShareLink.result_id)).one()
        second = results.add_share_link(session, result_id=rid, days=7, edit_token=edit)
    assert second != view and links_seen(db, edit) == [view, second]


def test_links_made_without_the_edit_token_are_never_shown(client: TestClient, db: Database) -> None:
    edit, view = finished(client)
    with db.write() as session:
        rid = session.exec(select(ShareLink.result_id)).one()
        seeded = results.add_share_link(session, result_id=rid, days=None)
    assert links_seen(db, edit) == [view, None]
    assert results.shared_snapshot(db, token=seeded) is not None


def test_replacing_the_edit_link_hides_old_addresses_but_the_links_still_work(client: TestClient,
                                                                                db: Database) -> None:
    edit, view = finished(client)
    with db.write() as session:
        row = assessments.find_by_token(session, token=edit, lock=True)
        assert row is not None
        replaced = assessments.rotate_edit_token(session, assessment=row)
    assert links_seen(db, replaced) == [None]
    assert results.shared_snapshot(db, token=view) is not None  # the report still opens
    with db.write() as session:
        rid = session.exec(select(ShareLink.result_id)).one()
        fresh = results.add_share_link(session, result_id=rid, days=30, edit_token=replaced)
    assert links_seen(db, replaced) == [None, fresh]
