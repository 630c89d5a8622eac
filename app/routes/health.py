"""Liveness and readiness: the database answers a trivial query."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from app.web.deps import DbDep

router = APIRouter(include_in_schema=False)


@router.get("/healthz")
def healthz(db: DbDep) -> JSONResponse:
    """200 {"status": "ok"} when the database answers, else 503."""
    try:
        db.ping()
    except Exception:  # noqa: BLE001  (any database failure means "not ready")
        return JSONResponse({"status": "unavailable"}, status_code=503)
    return JSONResponse({"status": "ok"})
