"""For operators: readiness (/readyz) and Prometheus metrics (/metrics, opt-in). Liveness (/healthz) is answered
by the Guard before the app (app/web/guard.py)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from app.store import stats
from app.web.execution import blocking
from app.web.metrics import CONTENT_TYPE, authorised

router = APIRouter(include_in_schema=False)
@router.get("/readyz")
@blocking
def readyz(request: Request) -> JSONResponse:
    """200 when the database answers and its schema is at the newest migration, else 503 with the reason (a load
    balancer sends no traffic until then)."""
    problem = stats.not_ready(request.app.state.db)
    if problem:
        return JSONResponse({"status": "unavailable", "reason": problem}, status_code=503)
    return JSONResponse({"status": "ok"})


@router.get("/metrics")
@blocking
def metrics(request: Request) -> Response:
    """The Prometheus text format when TUNEWISE_METRICS=1 (404 otherwise), behind TUNEWISE_METRICS_TOKEN if set."""
    settings = request.app.state.settings
    if not settings.metrics:
        raise HTTPException(404)
    if not authorised(request.headers.get("authorization", ""), settings.metrics_token):
        return PlainTextResponse("Send Authorization: Bearer <TUNEWISE_METRICS_TOKEN>.", status_code=401,
                                 headers={"WWW-Authenticate": 'Bearer realm="metrics"'})
    return Response(request.app.state.metrics.exposition(), media_type=CONTENT_TYPE)
