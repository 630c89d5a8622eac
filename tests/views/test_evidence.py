"""The report's evidence (issue 11 items 1 and 7): what the recommendation depends on among the answers the team
did not know, and the published cases most like the team's."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

from app.engine.model import UNKNOWN
from app.engine.rules import load_knowledge
from app.engine.scoring import result_to_dict, score
from app.settings import Settings
from app.views.report import report_context
from app.web.exports import markdown_templates, record_markdown
from app.web.render import make_templates

ANSWERS: dict[str, Any] = {
    "gap_types": ["behavior"], "failure_mode": "breaks_repeatedly", "task_stability": "stable_repetitive",
    "prompt_maturity": "systematic", "eval_set": UNKNOWN, "labeled_examples": 5000, "label_quality": "expert_reviewed",
    "knowledge_volume": "none", "format_strictness": "strict_stable", "monthly_calls": 2_000_000,
    "fixed_prompt_tokens": 6000, "training_data_policy": "cloud_with_controls", "ml_capacity": "managed_only",
}


def snapshot(result: dict[str, Any]) -> dict[str, Any]:
    return {"team": "Support", "title": "Replies", "created_at": "2026-12-05T06:00:00+00:00",
            "answers": result["answers"], "weights": result["weights"], "weights_version": None,
            "prices": {"id": "p", "name": "Preset", "as_of": "2026-11-01", "provider": "openai"},
            "rules_version": result["rules_version"], "engine_version": result["engine_version"], "result": result,
            "newer_exists": False, "expires_at": None}


def page(result: dict[str, Any]) -> str:
    context = {**report_context(snapshot(result), load_knowledge().bank), "base": "/r/x", "csrf_token": "",
               "partial": False, "request": None}
    html = make_templates(Settings(strict_templates=True)).get_template("report/page.html").render(context)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def test_the_report_names_what_the_recommendation_depends_on() -> None:
    result = result_to_dict(score(load_knowledge(), ANSWERS))
    text = page(result)
    probe = next(u for u in result["unknowns"] if u["question"] == "eval_set")
    assert probe["depends"]
    assert "Depends on what you don’t know yet:" in text and probe["text"] in text
    assert f"{len(result['unknowns'])} answers were “Not sure”" in text


def test_a_fully_answered_report_says_nothing_about_unknowns() -> None:
    result = result_to_dict(score(load_knowledge(), {**ANSWERS, "eval_set": "100plus", "data_sensitivity": "internal",
                                                     "knowledge_churn": "rarely", "citations_required": "no",
                                                     "time_to_first_version": "weeks", "raw_domain_text": "none",
                                                     "deliverable": "feature",
                                                     "model_switch_likelihood": "low"}))
    assert result["unknowns"] == []
    assert "Depends on what you don’t know yet" not in page(result) and "Not sure" not in page(result)


def test_teams_like_yours_lists_three_cases_with_their_links_and_a_note_when_they_disagree() -> None:
    result = result_to_dict(score(load_knowledge(), ANSWERS))
    assert len(result["neighbours"]) == 3
    text = page(result)
    assert "Teams like yours" in text
    for case in result["neighbours"]:
        assert case["organisation"] in text and case["what_they_did"][:40] in text
    disagreeing = {**result, "neighbours_agree": False}
    assert "chose differently from the recommendation" in page(disagreeing)
    assert "chose differently" not in page({**result, "neighbours_agree": True})


def test_the_decision_record_carries_the_same_evidence() -> None:
    result = result_to_dict(score(load_knowledge(), ANSWERS))
    record = record_markdown(markdown_templates(Settings(strict_templates=True)), snapshot(result),
                             load_knowledge().bank)
    assert "Depends on what the team does not know yet:" in record
    assert "Teams like yours" in record and result["neighbours"][0]["source_url"] in record
