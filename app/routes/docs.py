"""/docs: the JSON API's OpenAPI schema in Swagger UI, served from static/vendor/ (pinned, no CDN) under the
app's own CSP, like htmx."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

router = APIRouter(include_in_schema=False)
PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Tunewise API</title>
  <link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
  <link rel="stylesheet" href="/static/vendor/swagger-ui.css">
  <script src="/static/vendor/swagger-ui-bundle.js" defer></script>
  <script src="/static/docs.js" defer></script>
</head>
<body>
  <main id="swagger-ui"></main>
  <noscript><p>The API is described in <a href="/openapi.json">/openapi.json</a>.</p></noscript>
</body>
</html>
"""


@router.get("/docs", response_class=HTMLResponse)
async def api_docs() -> HTMLResponse:
    """Swagger UI for /openapi.json (a static page: no I/O)."""
    return HTMLResponse(PAGE)
