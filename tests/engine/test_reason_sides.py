"""Issue 12, item 2: every reason's sentence is the one reasons.toml writes for its approach and side.

The sentences are read here straight from reasons.toml (not through app/engine/reasons.py), and every report of
the fixtures, the case library and the seeded random answers of the golden file is walked.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.engine.bank import DATA_DIR, read_toml
from app.engine.rules import Knowledge, load_knowledge
from app.engine.scoring import result_to_dict, score

from ..scenarios import ALL
from .test_score_identity import random_cases

Json = dict[str, Any]
ROC = {"fit": 0.408, "data": 0.242, "risk": 0.158, "speed": 0.103, "cost": 0.061, "change": 0.028}


def written() -> dict[str, dict[tuple[str, str], str]]:
    """reasons.toml as {group key: {(approach, side): sentence}}, keys 'question=option', 'R1', 'ladder', 'cost'."""
    with open(DATA_DIR / "reasons.toml", "rb") as handle:
        raw = tomllib.load(handle)
    out: dict[str, dict[tuple[str, str], str]] = {}
    tables = [(e.get("combo") or f"{e['question']}={e['option']}", e) for e in raw["reasons"]]
    for key, table in [*tables, ("ladder", raw["ladder"]), ("cost", raw["cost"])]:
        out[key] = {(a, side): text for side in ("for", "against") for a, text in table.get(side, {}).items()}
    return out


SENTENCES = written()
EVERY = {text for table in SENTENCES.values() for text in table.values()}
LADDER_QUESTION = read_toml("rules.toml")["ladder"]["question"]


@pytest.fixture(scope="module")
def k() -> Knowledge:
    return load_knowledge()


def fixtures() -> list[Json]:
    """Every case of every tests/fixtures/*.jsonl file."""
    files = sorted((Path(__file__).resolve().parents[1] / "fixtures").glob("*.jsonl"))
    lines = [line for path in files for line in path.read_text(encoding="utf-8").splitlines()]
    return [json.loads(line) for line in lines if line.strip()]


def reports(k: Knowledge) -> Iterator[tuple[str, Json]]:
    """Every fixture, library case and seeded random answer set, scored (the fixtures also under ROC weights)."""
    for case in fixtures():
        yield case["id"], result_to_dict(score(k, case["answers"]))
        yield f"{case['id']} ROC", result_to_dict(score(k, case["answers"], ROC))
    for c in k.cases:
        yield c.id, result_to_dict(score(k, dict(c.answers)))
    for case in random_cases(k):
        prices = k.presets[case["preset"]] if "preset" in case else None
        result = score(k, case["answers"], case.get("weights"), prices, case.get("assumptions"))
        yield case["id"], result_to_dict(result)


def expected(reason: Json) -> set[str]:
    """The sentences reasons.toml writes for this reason's group(s), approach and side."""
    q, who = reason["question"], (reason["approach"], reason["side"])
    if reason["kind"] == "combination":
        keys = [q]
    elif reason["kind"] == "cost":
        keys = ["cost"]
    elif q == LADDER_QUESTION:
        keys = ["ladder"]
    else:
        answer = reason["answer"]
        keys = [f"{q}={o}" for o in (answer if isinstance(answer, list) else [answer])]
    found = {SENTENCES[key][who] for key in keys if who in SENTENCES.get(key, {})}
    if keys != ["cost"]:
        return found
    # the figures as the label gives them (an unknown answer is scored at its default, the label shows which)
    figures = re.fullmatch(r"([\d,]+) calls/month, ([\d,]+) fixed prompt tokens", reason["answer_label"])
    assert figures is not None, reason["answer_label"]
    calls, fixed = figures.groups()
    return {s.format(calls=calls, fixed=fixed) for s in found}


def check(name: str, result: Json) -> int:
    """Every reason of one report carries its approach's sentence for its side, and no other sentence."""
    count = 0
    for side, listed in (("for", result["reasons_for"]), ("against", result["reasons_against"])):
        for r in listed:
            assert (r["approach"], r["side"]) == (result["reasons_subject"], side), (name, r)
            assert (r["points"] > 0) == (side == "for"), (name, r)
            own = expected(r)
            assert any(s in r["text"] for s in own), (name, r["text"], own)
            stray = [s for s in EVERY - own if s in r["text"]]
            assert not stray, (name, r["text"], stray)
            count += 1
    return count


def test_every_reason_of_every_report_is_written_for_its_approach_and_side(k: Knowledge) -> None:
    checked = walked = 0
    seen: set[tuple[str, str]] = set()
    for name, result in reports(k):
        checked += check(name, result)
        seen |= {(r["approach"], r["side"]) for r in result["reasons_for"] + result["reasons_against"]}
        walked += 1
    cases = fixtures()
    assert len(cases) >= len(ALL) and walked == 2 * len(cases) + len(k.cases) + 50  # every report was walked
    assert checked >= 3 * walked  # with most of its reasons
    assert len(seen) >= 10  # reasons for and against most approaches


# ------------------------------------------------------------------ the examples of issue 12
S04: Json = next(c for c in ALL if c["id"] == "S04")["answers"]  # logistics invoices: INTEGRATION
S03: Json = next(c for c in ALL if c["id"] == "S03")["answers"]  # internal wiki Q&A: RAG


def reason(result: Json, question: str) -> Json:
    """The reason (for or against) about one question or rule."""
    return next(r for r in result["reasons_for"] + result["reasons_against"] if r["question"] == question)


def test_an_integration_report_no_longer_argues_for_fine_tuning(k: Knowledge) -> None:
    """A strict format at 300,000 calls/month (rule R8) counted for Integration with 'fine-tuning bakes it in'."""
    answers = {**S04, "format_strictness": "strict_stable", "monthly_calls": 300_000}
    result = result_to_dict(score(k, answers))
    assert result["reasons_subject"] == "INTEGRATION"
    r8 = reason(result, "R8")
    assert (r8["approach"], r8["side"]) == ("INTEGRATION", "for")
    assert "bakes it in" not in r8["text"] and "not against an integration" in r8["text"]
    cost = reason(result, "cost_model")
    assert cost["side"] == "against" and "an integration costs more each month" in cost["text"]
    assert "The recurring cost model at" not in cost["text"]


def test_a_rag_report_no_longer_argues_against_fine_tuning(k: Knowledge) -> None:
    """'Fine-tuning needs compute, ML expertise…' was listed against RAG when nobody can train a model."""
    result = result_to_dict(score(k, {**S03, "ml_capacity": "none"}))
    assert result["reasons_subject"] == "RAG"
    ml = reason(result, "ml_capacity")
    assert (ml["approach"], ml["side"]) == ("RAG", "against")
    assert "Fine-tuning needs compute" not in ml["text"] and "retrieval pipeline" in ml["text"]


def test_a_prompting_report_no_longer_argues_for_fine_tuning(k: Knowledge) -> None:
    """'Style, format and tone are fixed by fine-tuning once prompting has been tried' was listed for prompting."""
    answers = {**next(c for c in ALL if c["id"] == "S06")["answers"], "gap_types": ("undefined", "behavior")}
    result = result_to_dict(score(k, answers))
    assert (result["reasons_subject"], result["reasons_versus"]) == ("PROMPT", "RAG")
    gaps = reason(result, "gap_types")
    assert (gaps["approach"], gaps["side"]) == ("PROMPT", "for")
    assert "fixed by fine-tuning" not in gaps["text"] and "prompting is the step to try" in gaps["text"]


def test_a_multi_select_reason_names_only_the_options_on_its_side(k: Knowledge) -> None:
    """Behaviour counts against retrieval and knowledge for it: a reason for retrieval names knowledge alone."""
    result = result_to_dict(score(k, {**S03, "gap_types": ("knowledge", "behavior")}))
    gaps = reason(result, "gap_types")
    assert (gaps["approach"], gaps["side"]) == ("RAG", "for")
    assert gaps["answer_label"].startswith("Knowledge") and "Behaviour" not in gaps["answer_label"]
    assert SENTENCES["gap_types=knowledge"][("RAG", "for")] in gaps["text"]
