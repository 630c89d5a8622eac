"""`tunewise eval`'s figures: counts checked by hand, the thresholds, the text table and the neighbour hook."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from app.engine import evaluate
from app.engine.bank import load_bank
from app.engine.cases import Case, read_case_file
from app.engine.evaluate import Run, figures, render, run_cases
from app.engine.rules import Knowledge, load_knowledge
from app.engine.scoring import result_to_dict

from ..scenarios import ALL

BY_ID = {f["id"]: f for f in ALL}


@pytest.fixture(scope="module")
def k() -> Knowledge:
    return load_knowledge()


def _case(cid: str, expected: str, acceptable: tuple[str, ...], border: str = "") -> Case:
    return Case(cid, f"title {cid}", expected, acceptable, {"gap_types": ("behavior",)}, border=border)


# Five hand-made runs: A exact; B acceptable, not exact; C a miss; D exact; E G1-forced integration with a companion.
RUNS = (
    Run(_case("A", "PROMPT", ("PROMPT",), "other"), "PROMPT", None, None, "High"),
    Run(_case("B", "LORA", ("LORA", "HYBRID"), "full_vs_lora"), "HYBRID", None, None, "High"),
    Run(_case("C", "FT_FULL", ("FT_FULL",), "full_vs_lora"), "LORA", None, None, "High"),
    Run(_case("D", "RAG", ("RAG",), "hybrid_vs_rag"), "RAG", None, None, "Low"),
    Run(_case("E", "INTEGRATION", ("INTEGRATION",), "integration_vs_tuning"), "INTEGRATION", "RAG", "G1",
        "High (only feasible option)"),
)


def test_figures_counted_by_hand() -> None:
    facts = figures(RUNS)
    assert facts["cases"] == 5
    assert facts["acceptable"] == {"count": 4, "pct": 80.0}
    assert facts["exact"] == {"count": 3, "pct": 60.0}
    assert facts["borders"] == {
        "full_vs_lora": {"cases": 2, "acceptable": 1, "pct": 50.0},
        "hybrid_vs_rag": {"cases": 1, "acceptable": 1, "pct": 100.0},
        "integration_vs_tuning": {"cases": 1, "acceptable": 1, "pct": 100.0},
        "other": {"cases": 1, "acceptable": 1, "pct": 100.0},
    }
    assert facts["calibration"] == {
        "High": {"cases": 3, "acceptable": 2, "pct": 66.7},
        "Medium": {"cases": 0, "acceptable": 0, "pct": None},
        "Low": {"cases": 1, "acceptable": 1, "pct": 100.0},
        "High (only feasible option)": {"cases": 1, "acceptable": 1, "pct": 100.0},
    }
    assert facts["high"] == {"cases": 4, "acceptable": 3, "pct": 75.0}  # every High label together
    confusion = facts["confusion"]
    assert sum(sum(row.values()) for row in confusion.values()) == 5
    assert confusion["LORA"]["HYBRID"] == confusion["FT_FULL"]["LORA"] == confusion["INTEGRATION"]["INTEGRATION"] == 1
    assert confusion["FT_FULL"]["FT_FULL"] == 0
    assert [m["id"] for m in facts["misses"]] == ["C"]
    assert facts["misses"][0] == {
        "id": "C", "title": "title C", "border": "full_vs_lora", "expected": "FT_FULL", "acceptable": ["FT_FULL"],
        "got": "LORA", "companion": None, "forced_by": None, "confidence": "High",
    }


def test_thresholds() -> None:
    failed = figures(RUNS)  # 80 % < 90 % and 75 % < 95 %
    assert not failed["passed"] and len(failed["failures"]) == 2
    assert failed["failures"][0].startswith("acceptable 4/5 = 80.0 % is below the minimum 90.0 %")
    assert failed["failures"][1].startswith("High's acceptable 3/4 = 75.0 % is below the minimum 95.0 %")
    assert figures(RUNS, 0.80, 0.75)["passed"]  # at the minimum is not below it
    only_high = figures(RUNS, 0.80, 0.76)["failures"]
    assert len(only_high) == 1 and only_high[0].startswith("High's")
    assert figures((), 0.9, 0.95)["passed"]  # nothing to measure: nothing fails


TABLE = """\
cases       5
acceptable  4 / 5  (80.0 %)
exact       3 / 5  (60.0 %)

by border                 cases  acceptable
  full_vs_lora                2     1  (50.0 %)
  hybrid_vs_rag               1     1  (100.0 %)
  integration_vs_tuning       1     1  (100.0 %)
  other                       1     1  (100.0 %)

confusion (rows: expected, columns: primary)
                    PROMPT         RAG        LORA     FT_FULL      HYBRID INTEGRATION
  PROMPT                 1           .           .           .           .           .
  RAG                    .           1           .           .           .           .
  LORA                   .           .           .           .           1           .
  FT_FULL                .           .           1           .           .           .
  INTEGRATION            .           .           .           .           .           1

calibration (label: cases, primary acceptable)
  High                             3     2  (66.7 %)
  Medium                           0     0    -
  Low                              1     1  (100.0 %)
  High (only feasible option)      1     1  (100.0 %)
  every High                       4     3  (75.0 %)

misses (1)
  C      expected FT_FULL     got LORA        High    title C"""


def test_the_text_table() -> None:
    assert render(figures(RUNS)) == TABLE


def test_a_miss_names_the_companion() -> None:
    forced = Run(_case("F", "LORA", ("LORA",)), "INTEGRATION", "RAG", "G1", "rule-based")
    assert render(figures((forced,))).splitlines()[-1] == (
        "  F      expected LORA        got INTEGRATION + RAG rule-based title F")


def _line(fixture_id: str, **change: Any) -> str:
    return json.dumps({**{key: BY_ID[fixture_id][key] for key in ("id", "expected", "acceptable", "answers")},
                       **change})


def test_a_small_file_scored_for_real(k: Knowledge, tmp_path: Path) -> None:
    """S03, S04 and S06 have one acceptable outcome each (every fixture must keep it); X1 and X2 reuse their answers
    with other outcomes: X1 acceptable but not exact, X2 a miss. Counts by hand: 5 cases, 4 acceptable, 3 exact."""
    path = tmp_path / "small.jsonl"
    path.write_text("\n".join([
        _line("S03", border="other"), _line("S04", border="integration_vs_tuning"), _line("S06", border="other"),
        _line("S03", id="X1", expected="FT_FULL", acceptable=["FT_FULL", "RAG"], border="hybrid_vs_rag"),
        _line("S06", id="X2", expected="LORA", acceptable=["LORA"]),
    ]) + "\n", encoding="utf-8")
    facts = figures(run_cases(k, read_case_file(path, load_bank())))
    assert (facts["cases"], facts["acceptable"]["count"], facts["exact"]["count"]) == (5, 4, 3)
    assert facts["borders"]["other"] == {"cases": 2, "acceptable": 2, "pct": 100.0}
    assert facts["borders"]["none"] == {"cases": 1, "acceptable": 0, "pct": 0.0}
    assert facts["confusion"]["FT_FULL"]["RAG"] == facts["confusion"]["LORA"]["PROMPT"] == 1
    assert [(m["id"], m["got"]) for m in facts["misses"]] == [("X2", "PROMPT")]
    assert sum(s["cases"] for s in facts["calibration"].values()) == 5


def test_the_whole_library_runs(k: Knowledge) -> None:
    facts = figures(run_cases(k, k.cases))
    assert facts["cases"] == len(k.cases)
    assert sum(s["cases"] for s in facts["borders"].values()) == len(k.cases)
    assert len(facts["misses"]) == len(k.cases) - facts["acceptable"]["count"]
    # Issue 11's targets, the same figures `.ci/run` checks with `tunewise eval`.
    assert facts["passed"], facts["failures"]


def test_eval_passes_the_case_id_so_a_case_is_not_its_own_neighbour(
    k: Knowledge, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[dict[str, Any]] = []
    real = evaluate.score

    def spy(knowledge: Knowledge, answers: Any, **kwargs: Any) -> Any:
        seen.append(kwargs)
        return real(knowledge, answers)

    monkeypatch.setattr(evaluate, "score", spy)
    case = k.cases.cases[0]
    evaluate.run_case(k, case)
    assert seen == [{"exclude_case": case.id}]


def test_no_case_is_its_own_neighbour_in_eval(k: Knowledge) -> None:
    for case in k.cases:
        result = result_to_dict(evaluate.score_case(k, case))
        assert case.id not in {n["id"] for n in result.get("neighbours", [])}


def test_the_library_under_other_weights_counts_acceptable_primaries(k: Knowledge) -> None:
    """The admin preview's figure (issue 11 item 9): the same count as eval's with the default weights, and a
    different one when the weights change the primaries."""
    now = evaluate.acceptable_with(k, None)
    assert now == sum(r.acceptable for r in run_cases(k, k.cases))
    only_cost = {x: (1.0 if x == "cost" else 0.0) for x in k.axis_keys}
    assert evaluate.acceptable_with(k, only_cost) != now


def test_shares_are_rounded_to_one_decimal_and_the_thresholds_reported() -> None:
    facts = figures(RUNS[1:4], 0.5, 0.6)  # B acceptable, C a miss, D exact: 2 of 3 acceptable, 1 of 3 exact
    assert facts["acceptable"] == {"count": 2, "pct": 66.7} and facts["exact"] == {"count": 1, "pct": 33.3}
    assert facts["thresholds"] == {"min_acceptable": 0.5, "min_high": 0.6}
