"""The tunewise command: score needs no server and no database; errors go to stderr with exit 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from app.settings import ROOT

from .scenarios import ALL


def run(*args: str) -> subprocess.CompletedProcess:
    """Run `tunewise ARGS` as a separate process, with no database configured."""
    env = {"PATH": "/usr/bin:/bin", "TUNEWISE_DATABASE_URL": "sqlite:////nonexistent/dir/never.db"}
    return subprocess.run([sys.executable, "-m", "app.cli", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)


def test_score_prints_an_acceptable_result_for_every_scenario(tmp_path: Path) -> None:
    for case in ALL:
        path = tmp_path / f"{case['id']}.json"
        path.write_text(json.dumps(case))  # a whole fixture line: {"answers": {...}, ...}
        done = run("score", str(path))
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["primary"] in case["acceptable"], case["id"]


def test_score_accepts_a_bare_answers_object(tmp_path: Path) -> None:
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(ALL[0]["answers"]))
    assert json.loads(run("score", str(path)).stdout)["primary"] in ALL[0]["acceptable"]


def test_score_reads_omitted_and_unknown_answers_as_unknown(tmp_path: Path) -> None:
    path = tmp_path / "answers.json"
    path.write_text(json.dumps({"gap_types": ["behavior"], "eval_set": "unknown", "labeled_examples": 12_000}))
    done = run("score", str(path))
    assert done.returncode == 0, done.stderr
    answers = json.loads(done.stdout)["answers"]
    assert answers["eval_set"] == answers["failure_mode"] == answers["monthly_calls"] == "unknown"
    assert answers["labeled_examples"] == 12_000


def test_score_names_the_field_of_a_bad_number(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"gap_types": ["behavior"], "monthly_calls": "5x", "labeled_examples": -1}))
    done = run("score", str(path))
    assert done.returncode == 2 and done.stdout == ""
    assert 'answers.monthly_calls: Number of calls a month: give a whole number (a JSON integer) or "unknown", ' \
           'not "5x".' in done.stderr
    assert "answers.labeled_examples: Number of examples cannot be negative" in done.stderr


def test_score_reports_bad_answers(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"gap_types": ["behavior"], "eval_set": "lots"}))
    done = run("score", str(path))
    assert done.returncode == 2 and "answers.eval_set" in done.stderr and done.stdout == ""
