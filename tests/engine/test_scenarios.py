"""Every fixture scenario gets an acceptable primary, under default and rank-order-centroid weights."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from app.engine.rules import Knowledge, load_knowledge
from app.engine.scoring import evaluate, result_to_dict, score

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SCENARIOS = [
    json.loads(line)
    for name in ("public-scenarios.jsonl", "published-cases.jsonl")
    for line in (FIXTURES / name).read_text(encoding="utf-8").splitlines()
    if line.strip()
]
ROC = {"fit": 0.408, "data": 0.242, "risk": 0.158, "speed": 0.103, "cost": 0.061, "change": 0.028}
# §1 item 10 / §6.9 claim ROC success for the specification's own 27 scenarios only; the published cases
# were evaluated under the default weights. H01 (invoice extraction to a JSON schema; PROMPT only) turns to
# LORA under ROC weights, because fit then weighs 0.408: PROMPT's fit is 3.6/10 against LoRA's 10.
ROC_KNOWN_MISSES = {"H01"}


@pytest.fixture(scope="module")
def k() -> Knowledge:
    return load_knowledge()


def ids(case: dict[str, Any]) -> str:
    return str(case["id"])


def test_the_fixtures_are_all_there() -> None:
    assert len(SCENARIOS) == 29 and len({c["id"] for c in SCENARIOS}) == 29


@pytest.mark.parametrize("case", SCENARIOS, ids=ids)
def test_default_weights_give_an_acceptable_primary(k: Knowledge, case: dict[str, Any]) -> None:
    assert evaluate(k, case["answers"]).primary in case["acceptable"]


@pytest.mark.parametrize("case", SCENARIOS, ids=ids)
def test_roc_weights_give_an_acceptable_primary(k: Knowledge, case: dict[str, Any]) -> None:
    """A known miss must stay a miss (a fix then moves it out of ROC_KNOWN_MISSES); every other case is acceptable."""
    primary = evaluate(k, case["answers"], ROC).primary
    if case["id"] in ROC_KNOWN_MISSES:
        assert primary not in case["acceptable"]
    else:
        assert primary in case["acceptable"]


def test_the_known_roc_miss_is_still_a_miss(k: Knowledge) -> None:
    case = next(c for c in SCENARIOS if c["id"] == "H01")
    assert evaluate(k, case["answers"], ROC).primary == "LORA"
    assert evaluate(k, case["answers"]).primary in case["acceptable"]  # the default weights get it right


@pytest.mark.parametrize("case", SCENARIOS, ids=ids)
def test_full_result_is_json_ready(k: Knowledge, case: dict[str, Any]) -> None:
    data = result_to_dict(score(k, case["answers"]))
    assert data["primary"] in case["acceptable"]
    assert json.loads(json.dumps(data)) == data
    assert [a["id"] for a in data["approaches"]] == ["PROMPT", "RAG", "LORA", "FT_FULL", "HYBRID", "INTEGRATION"]
