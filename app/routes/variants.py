"""Variants ("what if…"): a new draft with the same answers as a report or an assessment, to change and compare."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from app.store import assessments, results, variants
from app.web.deps import DbDep, KnowledgeDep, shared_or_404
from app.web.execution import blocking
from app.web.render import render, see_other

router = APIRouter(include_in_schema=False)


@router.get("/r/{token}/variant", response_class=HTMLResponse)
@blocking
def offer(request: Request, token: str, db: DbDep) -> Response:
    """What a variant is, and the button that makes one (a form: the read-only report holds no CSRF token)."""
    _, snap = shared_or_404(db, token)
    return render(request, "variant/offer.html", {"token": token, "title": snap.get("title", ""),
                                                  "team": snap.get("team", "")})


@router.post("/r/{token}/variant")
@blocking
def from_report(request: Request, token: str, db: DbDep, knowledge: KnowledgeDep) -> Response:
    """A new draft with the answers and cost assumptions of the result behind this view link."""
    with db.write() as session:
        found = results.find_shared(session, token=token)
        if found is None:
            raise HTTPException(status_code=404)
        _, result, origin = found
        edit = variants.make_variant(session, origin=origin, origin_result_id=result.id, answers=result.answers,
                                     cost_assumptions=(result.prices or {}).get("assumptions"),
                                     bank_version=knowledge.bank.version, rules_version=knowledge.rules.version)
    return see_other(request, f"/a/{edit}/review")


@router.post("/a/{token}/variant")
@blocking
def from_assessment(request: Request, token: str, db: DbDep, knowledge: KnowledgeDep) -> Response:
    """A new draft with this assessment's current answers, linked to its newest result."""
    with db.write() as session:
        origin = assessments.find_by_token(session, token=token)
        if origin is None or origin.id is None:
            raise HTTPException(status_code=404)
        edit = variants.make_variant(session, origin=origin, origin_result_id=origin.latest_result_id,
                                     answers=assessments.answers_of(session, assessment_id=origin.id),
                                     cost_assumptions=origin.cost_assumptions, bank_version=knowledge.bank.version,
                                     rules_version=knowledge.rules.version)
    return see_other(request, f"/a/{edit}/review")
