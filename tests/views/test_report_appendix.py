"""The answers as the report, the Markdown record and check-answers read them: an UNKNOWN answer is "Not sure",
never the default it was scored at (issue 11)."""

from __future__ import annotations

import copy

from app.engine.model import UNKNOWN
from app.engine.scoring import result_to_dict, score
from app.views.report_appendix import DEFAULTED, answer_sections
from app.views.wizard import NOT_SURE, answer_text

from .test_exports import decision_record
from .test_report_page import SCENARIOS, knowledge, render, section, snapshot, text_of

UNSURE = ("failure_mode", "monthly_calls", "labeled_examples")


def unsure_snapshot() -> dict:
    """The first public scenario scored with three of its answers "Not sure"."""
    answers = {**SCENARIOS[0]["answers"], **dict.fromkeys(UNSURE, UNKNOWN)}
    result = result_to_dict(score(knowledge(), answers))
    return snapshot(SCENARIOS[0]["id"], answers=copy.deepcopy(result["answers"]), result=result)


def test_answer_text_says_not_sure() -> None:
    bank = knowledge().bank
    for q in bank.questions.values():
        if q.id != "gap_types":
            assert answer_text(q, UNKNOWN) == NOT_SURE == "Not sure"
    assert answer_text(bank.questions["labeled_examples"], 12_000) == "12,000 examples"
    assert answer_text(bank.questions["monthly_calls"], 10**12) == "1,000,000,000,000 calls/month"
    assert answer_text(bank.questions["gap_types"], ["behavior"]) != NOT_SURE


def test_the_appendix_rows_read_not_sure_with_what_they_were_scored_at() -> None:
    snap = unsure_snapshot()
    rows = {r["id"]: r for s in answer_sections(knowledge().bank, snap["answers"], snap["result"]) for r in s["rows"]}
    for qid in UNSURE:
        assert rows[qid]["answer"] == "Not sure", qid
        assert rows[qid]["note"] != DEFAULTED
    scored = {u["question"]: u for u in snap["result"].get("unknowns", [])}
    if "monthly_calls" in scored:  # the engine's probe of unknowns records the value it scored at
        assert rows["monthly_calls"]["note"] == f"scored as {scored['monthly_calls']['scored_as_label']} until you know"
    answered = next(q for q in SCENARIOS[0]["answers"] if q not in UNSURE and q != "gap_types")
    assert rows[answered]["answer"] != "Not sure"


def test_an_old_snapshot_without_an_answer_still_says_the_default_was_used() -> None:
    snap = unsure_snapshot()
    answers = {k: v for k, v in snap["answers"].items() if k != "eval_set"}
    rows = {r["id"]: r for s in answer_sections(knowledge().bank, answers, snap["result"]) for r in s["rows"]}
    assert rows["eval_set"]["note"] == DEFAULTED


def test_the_report_page_shows_not_sure() -> None:
    snap = unsure_snapshot()
    bank = knowledge().bank
    answers = text_of(section(render(snap), "answers-h"))
    for qid in UNSURE:
        assert f"{bank.questions[qid].label} Not sure" in answers, qid
    default = bank.questions["failure_mode"]
    assert f"{default.label} {default.option_label(str(default.default))}" not in answers


def test_the_markdown_record_shows_not_sure() -> None:
    record = decision_record(unsure_snapshot())
    key = record.split("Key answers:")[1].split("## Considered Options")[0]
    label = knowledge().bank.questions["monthly_calls"].label
    assert f"* {label} — Not sure" in key
