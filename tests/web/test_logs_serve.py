"""Issue 14, item 3, through `tunewise serve` itself: with TUNEWISE_LOG_FORMAT=json every line on stderr (uvicorn's
too) is one JSON object, and the access lines carry the request id, route template, status and duration."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx2 as httpx

from app.settings import ROOT

from ..conftest import csrf_of
from ..live import free_port


def test_json_lines_on_stderr(database_url: str, tmp_path: Path) -> None:
    port, stderr = free_port(), tmp_path / "stderr.log"
    env = {**os.environ, "TUNEWISE_DATABASE_URL": database_url, "TUNEWISE_LOG_FORMAT": "json",
           "TUNEWISE_ACCESS_LOG": "1"}
    with open(tmp_path / "stdout.log", "wb") as out, open(stderr, "wb") as err:
        process = subprocess.Popen([sys.executable, "-m", "app.cli", "serve", "--port", str(port)], cwd=ROOT,
                                   env=env, stdout=out, stderr=err)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and "Application startup complete" not in stderr.read_text():
            time.sleep(0.1)
        with httpx.Client(base_url=url, timeout=10) as client:
            token = csrf_of(client.get("/", headers={"X-Request-ID": "trace-7"}).text)
            made = client.post("/assessments", data={"csrf_token": token, "team": "Falcon", "title": "Secret"})
            edit = made.headers["location"].split("/")[2]
            assert client.get(f"/a/{edit}/problem", headers={"X-Request-ID": "step-1"}).status_code == 200
    finally:
        process.terminate()
        process.wait(timeout=15)
    lines = [json.loads(line) for line in stderr.read_text().splitlines()]  # every line is JSON
    assert {"time", "level", "logger", "message"} <= set(lines[0])
    access = {line["request_id"]: line for line in lines if line["logger"] == "tunewise.access"}
    assert access["trace-7"]["route"] == "/" and access["trace-7"]["status"] == 200
    step = access["step-1"]
    assert (step["method"], step["route"], step["status"]) == ("GET", "/a/{token}/{slug}", 200)
    assert step["path"] == f"/a/{edit[:4]}…/problem" and step["duration_ms"] > 0
    assert any(line["route"] == "/assessments" and line["status"] == 303 for line in access.values())
    assert edit not in stderr.read_text()
    said = [json.loads(line) for line in (tmp_path / "stdout.log").read_text().splitlines()]  # the start-up lines
    assert said and all(line["logger"] == "tunewise" for line in said)
    assert any(line["message"].startswith("No admin yet: open http://") for line in said)
