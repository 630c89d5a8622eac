"""The JSON API: the same engine and repository as the wizard, documented in OpenAPI at /docs."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from app.engine import flow
from app.store import assessments, results
from app.views.exports import snapshot_json
from app.web.deps import BankDep, CurrentSettingsDep, DbDep, KnowledgeDep, SettingsDep, shared_or_404
from app.web.execution import blocking
from app.web.forms import clean_text

router = APIRouter(prefix="/api", tags=["assessments"])


class CostAssumptions(BaseModel):
    """Optional per-call overrides of the price preset (decision-model.md §5.1)."""

    model_config = ConfigDict(extra="forbid")
    user_tokens: float | None = Field(None, ge=0, le=200_000, description="U: user-input tokens per call")
    output_tokens: float | None = Field(None, ge=0, le=200_000, description="O: output tokens per call")
    retrieved_tokens: float | None = Field(None, ge=0, le=200_000, description="K: retrieved tokens per call")
    cache_hit: float | None = Field(None, ge=0, le=1, description="h: cache-hit share of the fixed prompt")


class AssessmentIn(BaseModel):
    """A team's answers: question id → option value, list of values (gap_types) or integer."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "team": "Support platform", "title": "Replies sound robotic",
        "answers": {"gap_types": ["behavior"], "failure_mode": "breaks_repeatedly", "labeled_examples": 500},
    }]})
    team: str = Field(min_length=1, max_length=120)
    title: str = Field(min_length=1, max_length=200)
    answers: dict[str, Any] = Field(description="Unanswered questions take their defaults; gap_types is required.")
    cost_assumptions: CostAssumptions | None = None


class AssessmentCreated(BaseModel):
    """The stored result and the two capability links (shown once: only their hashes are kept)."""

    edit_url: str = Field(description="Edit link: anyone holding it can change the answers.")
    view_url: str = Field(description="Read-only link to the report.")
    json_url: str
    result: dict[str, Any]


class FieldError(BaseModel):
    """One invalid field and why."""

    field: str
    message: str


class ValidationErrors(BaseModel):
    """422: every invalid field at once."""

    detail: str
    errors: list[FieldError]


@router.post("/assessments", status_code=201, response_model=AssessmentCreated,
             responses={422: {"model": ValidationErrors}, 429: {"description": "Rate limited (Retry-After)"}})
@blocking
def create_assessment(body: AssessmentIn, request: Request, db: DbDep, bank: BankDep, settings: SettingsDep,
                      knowledge: KnowledgeDep, current: CurrentSettingsDep) -> Any:
    """Score a complete set of answers: stores the assessment and an immutable result, returns both links."""
    answers, errors = flow.check_answers(bank, body.answers)
    team, team_error = clean_text(body.team, 120, "team name")
    title, title_error = clean_text(body.title, 200, "use case")
    errors += [{"field": f, "message": m} for f, m in (("team", team_error), ("title", title_error)) if m]
    if errors:
        return JSONResponse({"detail": "Invalid request.", "errors": errors}, status_code=422)
    costs = body.cost_assumptions.model_dump(exclude_none=True) if body.cost_assumptions else None
    # Score before taking the write lock.
    fields = results.snapshot_fields(current.get(), knowledge, answers=answers, assumptions=costs)
    with db.write() as session:
        assessment, edit = assessments.create_assessment(session, team=team, title=title)
        assessments.save_step(session, assessment=assessment, step="api", answers=answers, version=0, idem="",
                              extra={"status": "complete", "cost_assumptions": costs or None})
        assert assessment.id is not None
        _, view = results.store_result(session, assessment_id=assessment.id, fields=fields,
                                       days=settings.share_link_days or None)
    base = str(request.base_url).rstrip("/")
    return {"edit_url": f"{base}/a/{edit}", "view_url": f"{base}/r/{view}", "json_url": f"{base}/r/{view}.json",
            "result": fields["payload"]}


@router.get("/results/{view_token}", responses={404: {"description": "Unknown, revoked or expired link"}})
@blocking
def get_result(request: Request, view_token: str, db: DbDep) -> JSONResponse:
    """The snapshot behind a view link, as in the report's .json export."""
    _, snap = shared_or_404(db, view_token)
    return JSONResponse(json.loads(json.dumps(snapshot_json(snap))))
