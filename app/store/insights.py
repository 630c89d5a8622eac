"""What the admin insight page counts (issue 13): the questionnaire funnel per bank and rules version,
recommendations and confidence by month, and recorded decisions and outcomes by recommended approach.

Every figure is one GROUP BY over slim columns (never the ~30 kB payloads), so the page stays fast at 100,000
stored assessments (bench/insights.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import case, exists, func, literal_column, select
from sqlmodel import Session, col

from app.store.models import Assessment, Decision, Result, Submission

UNRECORDED = "before 2026-12-05"  # assessments started before the versions were recorded (migration 0007)


def funnel(session: Session, *, steps: Sequence[str]) -> list[dict[str, Any]]:
    """Per (bank version, rules version): assessments started in the questionnaire, how many saved each step
    (`steps_saved`, bit i for the i-th step) and how many finished. Assessments made through the JSON API never saw
    the questionnaire and are left out. One pass over the small assessment rows."""
    wizard = ~exists().where(col(Submission.assessment_id) == col(Assessment.id), col(Submission.step) == "api")
    version = (func.coalesce(Assessment.bank_version, UNRECORDED), func.coalesce(Assessment.rules_version, UNRECORDED))
    saved = [func.sum(case((col(Assessment.steps_saved).op("&")(1 << i) != 0, 1), else_=0)) for i in range(len(steps))]
    query = (select(*version, func.count(), func.count(col(Assessment.latest_result_id)), *saved)
             .where(wizard).group_by(*version))
    rows = [{"bank_version": bank, "rules_version": rules, "started": started, "finished": finished,
             "steps": dict(zip(steps, (int(n or 0) for n in counts)))}
            for bank, rules, started, finished, *counts in session.execute(query)]
    return sorted(rows, key=lambda r: (r["bank_version"], r["rules_version"]), reverse=True)


def by_month(session: Session) -> list[tuple[str, str, str | None, int]]:
    """(month 'YYYY-MM', recommendation, confidence label, results) over every stored result."""
    month = _month(session)
    columns = (month, col(Result.recommendation), col(Result.confidence))
    query = select(*columns, func.count()).group_by(*columns).order_by(month)
    return [(m, rec, conf, n) for m, rec, conf, n in session.execute(query).all()]


def decisions_by_approach(session: Session) -> list[tuple[str, str, str | None, bool, int]]:
    """(recommended approach, status, outcome, followed the advice, decisions) over every recorded decision."""
    followed = func.coalesce(col(Decision.outcome_approach) == col(Decision.recommendation), False)
    columns = (col(Decision.recommendation), col(Decision.status), col(Decision.outcome), followed)
    query = select(*columns, func.count()).group_by(*columns)
    return [(rec, status, outcome, bool(f), n) for rec, status, outcome, f, n in session.execute(query).all()]


def recorded_outcomes(session: Session) -> list[tuple[Decision, Result, Assessment]]:
    """Every decision with a recorded outcome, with its result and assessment (the export's rows), oldest first."""
    query = (select(Decision, Result, Assessment).join(Result, col(Result.id) == col(Decision.result_id))
             .join(Assessment, col(Assessment.id) == col(Decision.assessment_id))
             .where(col(Decision.outcome).is_not(None)).order_by(col(Decision.outcome_at), col(Decision.id)))
    return [(d, r, a) for d, r, a in session.execute(query).all()]


def _month(session: Session) -> Any:
    """The UTC month of a result as 'YYYY-MM' in the dialect at hand."""
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(literal_column("result.created_at AT TIME ZONE 'UTC'"), "YYYY-MM")
    return func.substr(col(Result.created_at), 1, 7)
