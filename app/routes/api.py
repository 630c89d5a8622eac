"""The JSON API: the same engine and repository as the wizard, documented in OpenAPI at /docs."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from app.engine import flow
from app.store import assessments, results
from app.views.exports import snapshot_json
from app.web.deps import BankDep, CurrentSettingsDep, DbDep, KnowledgeDep, SettingsDep, json_body, shared_or_404
from app.web.errors import BODY_REFUSALS, REFUSALS, invalid
from app.web.execution import blocking
from app.web.forms import clean_text

router = APIRouter(prefix="/api", tags=["assessments"])


class CostAssumptions(BaseModel):
    """Optional per-call overrides of the price preset (decision-model.md §5.1)."""

    model_config = ConfigDict(extra="forbid", strict=True)  # numbers only: true, false and "100" are 422s
    user_tokens: float | None = Field(None, ge=0, le=200_000, description="U: user-input tokens per call")
    output_tokens: float | None = Field(None, ge=0, le=200_000, description="O: output tokens per call")
    retrieved_tokens: float | None = Field(None, ge=0, le=200_000, description="K: retrieved tokens per call")
    cache_hit: float | None = Field(None, ge=0, le=1, description="h: cache-hit share of the fixed prompt")


ANSWERS_TEXT = (
    "Question id → answer: an option value, a list of option values (gap_types) or a whole number (a JSON integer). "
    "gap_types is required. Every other question may be omitted or given as \"unknown\": both mean the team does "
    "not know yet. An unknown answer is stored and exported as \"unknown\" and shown as \"Not sure\"; the engine "
    "scores it at the question's default, re-scores it at its other values, and the result's `unknowns` says "
    "whether the recommendation depends on it. A bad value is a 422 naming the field (`answers.<id>`) and the reason."
)


class AssessmentIn(BaseModel):
    """A team's answers: question id → option value, list of values (gap_types), integer, or "unknown"."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "team": "Support platform", "title": "Replies sound robotic",
        "answers": {"gap_types": ["behavior"], "failure_mode": "breaks_repeatedly", "labeled_examples": 500,
                    "monthly_calls": "unknown"},
    }]})
    team: str = Field(min_length=1, max_length=120)
    title: str = Field(min_length=1, max_length=200)
    answers: dict[str, Any] = Field(description=ANSWERS_TEXT,
                                    json_schema_extra={"minProperties": 1, "required": ["gap_types"]})
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


@router.post("/assessments", status_code=201, response_model=AssessmentCreated, dependencies=[Depends(json_body)],
             responses={**REFUSALS, **BODY_REFUSALS, 422: {"model": ValidationErrors}})
@blocking
def create_assessment(body: AssessmentIn, request: Request, db: DbDep, bank: BankDep, settings: SettingsDep,
                      knowledge: KnowledgeDep, current: CurrentSettingsDep) -> Any:
    """Score a set of answers: stores the assessment and an immutable result, returns both links.

    Only `gap_types` is required; an omitted question, or one answered `"unknown"`, is stored as unknown
    ("Not sure"). Unknown question ids, wrong types, out-of-range numbers and options that do not exist get a 422
    that lists every bad field (`answers.<id>`) with the reason; nothing is stored then."""
    answers, errors = flow.check_answers(bank, body.answers)
    team, team_error = clean_text(body.team, 120, "team name")
    title, title_error = clean_text(body.title, 200, "use case")
    errors += [{"field": f, "message": m} for f, m in (("team", team_error), ("title", title_error)) if m]
    if errors:
        return invalid(errors)
    costs = body.cost_assumptions.model_dump(exclude_none=True) if body.cost_assumptions else None
    # Score before taking the write lock.
    fields = results.snapshot_fields(current.get(), knowledge, answers=answers, assumptions=costs)
    with db.write() as session:
        assessment, edit = assessments.create_assessment(session, team=team, title=title,
                                                         bank_version=bank.version,
                                                         rules_version=knowledge.rules.version)
        assessments.save_step(session, assessment=assessment, step="api", answers=answers, version=0, idem="",
                              extra={"status": "complete", "cost_assumptions": costs or None})
        assert assessment.id is not None
        _, view = results.store_result(session, assessment_id=assessment.id, fields=fields,
                                       days=settings.share_link_days or None, edit_token=edit)
    base = str(request.base_url).rstrip("/")
    return {"edit_url": f"{base}/a/{edit}", "view_url": f"{base}/r/{view}", "json_url": f"{base}/r/{view}.json",
            "result": fields["payload"]}


@router.get("/results/{view_token}", responses={**REFUSALS, 404: {"description": "Unknown, revoked or expired link"}})
@blocking
def get_result(request: Request, view_token: str, db: DbDep) -> JSONResponse:
    """The snapshot behind a view link, as in the report's .json export."""
    _, snap = shared_or_404(db, view_token)
    return JSONResponse(json.loads(json.dumps(snapshot_json(snap))))
