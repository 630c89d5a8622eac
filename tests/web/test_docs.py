"""Issue 15, item 12: /docs loaded Swagger UI from a CDN that the app's own CSP blocks (a blank page). It is
served from static/vendor/ now, pinned and checked like htmx, with no inline script."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest
from fastapi.testclient import TestClient

from app.settings import ROOT

VENDOR = ROOT / "static" / "vendor"


def test_docs_load_only_this_apps_assets(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200 and "script-src 'self'" in page.headers["content-security-policy"]
    assert "cdn" not in page.text.lower() and "http" not in page.text.replace("http-equiv", "")
    assert "<script>" not in page.text and " style=" not in page.text  # nothing the CSP would refuse
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', page.text)
    assert {"/static/vendor/swagger-ui-bundle.js", "/static/vendor/swagger-ui.css", "/static/docs.js"} <= set(assets)
    for asset in assets:
        assert client.get(asset).status_code == 200, asset
    assert '"/openapi.json"' in client.get("/static/docs.js").text


@pytest.mark.parametrize("name", ["swagger-ui-bundle.js", "swagger-ui.css"])
def test_vendored_swagger_ui_matches_its_recorded_sha384(name: str) -> None:
    readme = (VENDOR / "README.md").read_text()
    row = re.search(rf"`{re.escape(name)}` \| swagger-ui-dist \| (\d+\.\d+\.\d+) \|.*?`sha384-([^`]+)`", readme)
    assert row, f"static/vendor/README.md must record {name}'s version and sha384"
    digest = base64.b64encode(hashlib.sha384((VENDOR / name).read_bytes()).digest()).decode()
    assert digest == row.group(2)
