"""An assessment's results and view links as its pages show them: a page at a time for admins, the working links
of the newest results for the team. Snapshot payloads are not loaded here (a page lists, it does not report)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, or_
from sqlalchemy.orm import defer
from sqlmodel import Session, col, select

from app.store.models import Result, ShareLink, Submission
from app.store.reevaluate import diff_results
from app.store.tokens import recover_view_token

RESULTS_PER_PAGE, LINKS_PER_PAGE = 10, 25
_SLIM = (defer(Result.payload), defer(Result.answers), defer(Result.rank_inputs))  # type: ignore[arg-type]


@dataclass(frozen=True)
class Page:
    """One page of rows, its number and how many rows there are in all."""

    rows: list[Any]
    number: int
    total: int
    size: int

    @property
    def pages(self) -> int:
        """How many pages there are (at least one)."""
        return max(1, -(-self.total // self.size))


def _live(now: datetime) -> Any:
    """The condition of a working view link."""
    return (col(ShareLink.revoked_at).is_(None)
            & or_(col(ShareLink.expires_at).is_(None), col(ShareLink.expires_at) > now))


def result_numbers(session: Session, *, assessment_id: int) -> dict[int, int]:
    """Result id → its number in the assessment (1 = the first result)."""
    ids = session.exec(select(Result.id).where(Result.assessment_id == assessment_id).order_by(col(Result.id)))
    return {rid: n for n, rid in enumerate(ids, start=1) if rid is not None}


def results_page(session: Session, *, assessment_id: int, page: int, now: datetime,
                 size: int = RESULTS_PER_PAGE) -> Page:
    """Results newest first, one page, each as (result without its payload, live links, all links)."""
    total = session.exec(select(func.count()).where(Result.assessment_id == assessment_id)).one()
    rows = list(session.exec(select(Result).options(*_SLIM).where(Result.assessment_id == assessment_id)
                             .order_by(col(Result.id).desc()).offset((page - 1) * size).limit(size)).all())
    counts = link_counts(session, result_ids=[r.id for r in rows if r.id is not None], now=now)
    return Page([(r, *counts.get(r.id or 0, (0, 0))) for r in rows], page, int(total), size)


def link_counts(session: Session, *, result_ids: Sequence[int], now: datetime) -> dict[int, tuple[int, int]]:
    """Result id → (working links, all links)."""
    if not result_ids:
        return {}
    live = func.sum(case((_live(now), 1), else_=0))
    query = (select(ShareLink.result_id, live, func.count()).where(col(ShareLink.result_id).in_(list(result_ids)))
             .group_by(col(ShareLink.result_id)))
    return {rid: (int(n or 0), int(total)) for rid, n, total in session.exec(query).all()}


def links_page(session: Session, *, assessment_id: int, page: int, size: int = LINKS_PER_PAGE) -> Page:
    """Every view link of an assessment, newest first, one page."""
    base = (select(ShareLink).join(Result, col(Result.id) == ShareLink.result_id)
            .where(Result.assessment_id == assessment_id))
    total = session.exec(select(func.count()).select_from(base.subquery())).one()
    rows = session.exec(base.order_by(col(ShareLink.id).desc()).offset((page - 1) * size).limit(size)).all()
    return Page(list(rows), page, int(total), size)


@dataclass(frozen=True)
class TeamLink:
    """A working view link as its team sees it: the row, and its view token when the edit token recomputes it."""

    link: ShareLink
    token: str | None


def team_history(session: Session, *, assessment_id: int, now: datetime, limit: int,
                 edit_token: str) -> tuple[list[tuple[Result, list[TeamLink]]], int]:
    """The newest `limit` results (newest first), each with its working links (oldest first); and how many links
    no longer work (revoked or expired: the team page lists only what still works). A link's token is recovered
    from the edit token (tokens.recover_view_token) or None: made before derivation or under a replaced edit link."""
    results = list(session.exec(select(Result).options(*_SLIM).where(Result.assessment_id == assessment_id)
                                .order_by(col(Result.id).desc()).limit(limit)).all())
    ids = [r.id for r in results]
    links = session.exec(select(ShareLink).where(col(ShareLink.result_id).in_(ids), _live(now))
                         .order_by(col(ShareLink.id))).all() if ids else []
    dead = session.exec(select(func.count()).select_from(ShareLink).join(Result, col(Result.id) == ShareLink.result_id)
                        .where(Result.assessment_id == assessment_id, ~_live(now))).one()
    shown = [TeamLink(link, recover_view_token(edit_token, link.nonce, link.token_hash)) for link in links]
    return [(r, [t for t in shown if t.link.result_id == r.id]) for r in results], int(dead)


def compared(session: Session, *, assessment_id: int, result_id: int) -> dict[str, Any] | None:
    """One result of an assessment against the one before it: {'old', 'new', 'diff'}; None when either is
    missing."""
    new = session.get(Result, result_id)
    if new is None or new.assessment_id != assessment_id:
        return None
    old = session.exec(select(Result).where(Result.assessment_id == assessment_id, col(Result.id) < result_id)
                       .order_by(col(Result.id).desc()).limit(1)).first()
    if old is None:
        return None
    return {"old": old, "new": new, "diff": diff_results(old.payload, new.payload)}


def saves(session: Session, *, assessment_id: int, since_version: int = 0, limit: int = 50) -> list[Submission]:
    """The questionnaire saves of an assessment newest first (who, when, which step, which answers changed);
    since_version: only those made after that version (what changed meanwhile, for a conflict)."""
    query = (select(Submission).where(Submission.assessment_id == assessment_id, Submission.version > since_version)
             .order_by(col(Submission.version).desc()).limit(limit))
    return list(session.exec(query).all())
