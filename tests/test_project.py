"""Project-level contracts: vendored htmx is what its README says; Docker mirrors `make run`."""

from __future__ import annotations

import base64
import hashlib
import json
import re

from app.settings import ROOT


def test_vendored_htmx_matches_its_recorded_sha384() -> None:
    readme = (ROOT / "static" / "vendor" / "README.md").read_text()
    recorded = re.search(r"`htmx\.min\.js` \| htmx\.org \| (2\.0\.\d+) \|.*?`sha384-([^`]+)`", readme)
    assert recorded, "static/vendor/README.md must record htmx's version and sha384"
    digest = base64.b64encode(hashlib.sha384((ROOT / "static/vendor/htmx.min.js").read_bytes()).digest()).decode()
    assert digest == recorded.group(2)
    assert f'version:"{recorded.group(1)}"' in (ROOT / "static/vendor/htmx.min.js").read_text()


def _steps(command: str) -> list[str]:
    """The tunewise subcommands a shell command runs, in order."""
    return re.findall(r"tunewise (\w+)", command)


def test_docker_command_runs_the_same_steps_as_make_run() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    cmd = json.loads(re.search(r"^CMD (\[.*\])$", dockerfile, re.M).group(1))
    makefile = (ROOT / "Makefile").read_text()
    run_recipe = re.search(r"^run:.*\n\t(.+)$", makefile, re.M).group(1)
    assert _steps(" ".join(cmd)) == _steps(run_recipe) == ["migrate", "serve"]
    assert "HEALTHCHECK" in dockerfile and "/healthz" in dockerfile
    assert re.search(r"^USER (?!root)\w+", dockerfile, re.M) and 'VOLUME ["/data"]' in dockerfile
    assert dockerfile.startswith("#") and "FROM python:3.11-slim" in dockerfile


def test_every_template_is_html_so_autoescape_applies() -> None:
    """Except the Markdown exports (templates/exports/*.md.j2), which only app/web/exports.py loads."""
    names = [p.name for p in (ROOT / "templates").rglob("*") if p.is_file() and p.parent.name != "exports"]
    assert names and all(name.endswith(".html") for name in names)
    assert all(p.name.endswith(".md.j2") for p in (ROOT / "templates" / "exports").iterdir())
