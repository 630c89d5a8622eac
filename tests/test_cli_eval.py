"""`tunewise eval`: the table or one JSON object, exit 1 below the thresholds, exit 2 on a bad file."""

from __future__ import annotations

import json
from pathlib import Path

from .scenarios import ALL
from .test_cli import run

BY_ID = {f["id"]: f for f in ALL}


def _small_file(tmp_path: Path) -> Path:
    """Four fixtures with one acceptable outcome each, plus S06's answers expecting LORA: 4 of 5 acceptable."""
    lines = [json.dumps(BY_ID[i]) for i in ("S03", "S04", "S06", "H21")]
    lines.append(json.dumps({**BY_ID["S06"], "id": "X2", "expected": "LORA", "acceptable": ["LORA"]}))
    path = tmp_path / "small.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_eval_prints_the_table_and_fails_below_the_minimum(tmp_path: Path) -> None:
    done = run("eval", str(_small_file(tmp_path)), "--min-high", "0")
    assert done.returncode == 1, done.stderr
    assert "acceptable  4 / 5  (80.0 %)" in done.stdout and "misses (1)" in done.stdout and "X2" in done.stdout
    assert "FAIL: acceptable 4/5 = 80.0 % is below the minimum 90.0 %" in done.stderr


def test_eval_passes_at_the_minimum(tmp_path: Path) -> None:
    done = run("eval", str(_small_file(tmp_path)), "--min-acceptable", "0.8", "--min-high", "0")
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""


def test_eval_json_shape(tmp_path: Path) -> None:
    done = run("eval", str(_small_file(tmp_path)), "--json", "--min-acceptable", "0.8", "--min-high", "0")
    assert done.returncode == 0, done.stderr
    facts = json.loads(done.stdout)
    assert set(facts) == {"cases", "acceptable", "exact", "borders", "confusion", "calibration", "high", "misses",
                          "thresholds", "failures", "passed"}
    assert facts["cases"] == 5 and facts["acceptable"] == {"count": 4, "pct": 80.0} and facts["passed"] is True
    approaches = ["PROMPT", "RAG", "LORA", "FT_FULL", "HYBRID", "INTEGRATION"]
    assert list(facts["confusion"]) == approaches and all(list(r) == approaches for r in facts["confusion"].values())
    assert list(facts["calibration"])[:3] == ["High", "Medium", "Low"]
    assert facts["misses"][0]["id"] == "X2" and set(facts["misses"][0]) == {
        "id", "title", "border", "expected", "acceptable", "got", "companion", "forced_by", "confidence"}
    assert facts["thresholds"] == {"min_acceptable": 0.8, "min_high": 0.0}


def test_eval_reports_every_problem_of_a_bad_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join([
        json.dumps({"id": "A", "expected": "FINETUNE", "acceptable": ["FINETUNE"], "answers": {"gap_types": ["x"]}}),
        "not json",
        json.dumps({"id": "B", "expected": "RAG", "acceptable": ["RAG"], "answers": {"gap_types": ["knowledge"],
                                                                                      "eval_set": "lots"}}),
    ]) + "\n", encoding="utf-8")
    done = run("eval", str(path))
    assert done.returncode == 2 and done.stdout == ""
    for fragment in ("line 1 (A): expected 'FINETUNE' is not an approach", "line 1 (A): answers.gap_types",
                     "line 2: not valid JSON", "line 3 (B): answers.eval_set: 'lots'"):
        assert fragment in done.stderr, fragment
    missing = run("eval", str(tmp_path / "nowhere.jsonl"))
    assert missing.returncode == 2 and "cannot read it" in missing.stderr


def test_eval_rejects_a_threshold_that_is_not_a_share(tmp_path: Path) -> None:
    done = run("eval", str(_small_file(tmp_path)), "--min-acceptable", "90")
    assert done.returncode == 2 and "not a share from 0 to 1" in done.stderr


def test_eval_runs_over_the_whole_library() -> None:
    done = run("eval", "--json", "--min-acceptable", "0", "--min-high", "0")
    assert done.returncode == 0, done.stderr
    facts = json.loads(done.stdout)
    assert facts["cases"] >= 80 and set(facts["borders"]) == {
        "full_vs_lora", "hybrid_vs_rag", "integration_vs_tuning", "prompt_despite_labels", "other"}
