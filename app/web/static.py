"""Static files with a cache lifetime (the proxy should serve them in production)."""

from __future__ import annotations

from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from app.settings import ROOT


class CachedStatic(StaticFiles):
    """StaticFiles from static/ with `Cache-Control: public, max-age=3600`."""

    def __init__(self) -> None:
        super().__init__(directory=ROOT / "static")

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code == 200:
            response.headers["Cache-Control"] = "public, max-age=3600"
        return response
