"""Issue 11 item 2: the largest answers the questionnaire accepts read as plain numbers on the report and in the
decision record (no '1e+12' anywhere a person reads), and the JSON sentences likewise."""

from __future__ import annotations

import json
import re
from typing import Any

from app.engine.rules import load_knowledge
from app.engine.scoring import result_to_dict, score
from app.settings import Settings
from app.views.report import report_context
from app.web.exports import markdown_templates, record_markdown
from app.web.render import make_templates

E_NOTATION = re.compile(r"\b\d(\.\d+)?e[+-]\d+\b", re.IGNORECASE)  # Python prints 1e+12 with its sign
LARGEST = {"gap_types": ["behavior"], "failure_mode": "breaks_repeatedly", "prompt_maturity": "systematic",
           "eval_set": "100plus", "labeled_examples": 1_000_000_000, "monthly_calls": 1_000_000_000_000,
           "fixed_prompt_tokens": 2_000_000}


def snapshot() -> dict[str, Any]:
    k = load_knowledge()
    result = result_to_dict(score(k, LARGEST))
    return {"team": "Platform", "title": "At scale", "created_at": "2026-12-05T06:00:00+00:00",
            "answers": result["answers"], "weights": result["weights"], "weights_version": None,
            "prices": {"id": "p", "name": "Preset", "as_of": "2026-11-01", "provider": "openai"},
            "rules_version": result["rules_version"], "engine_version": result["engine_version"], "result": result,
            "newer_exists": False, "expires_at": None}


def test_the_report_shows_the_largest_answers_without_e_notation() -> None:
    snap, k = snapshot(), load_knowledge()
    context = {**report_context(snap, k.bank), "base": "/r/x", "csrf_token": "", "partial": False, "request": None}
    page = make_templates(Settings(strict_templates=True)).get_template("report/page.html").render(context)
    visible = re.sub(r"<[^>]+>", " ", page)
    assert "1,000,000,000,000" in visible
    assert not E_NOTATION.search(visible)


def test_the_decision_record_and_the_sentences_have_no_e_notation() -> None:
    snap, k = snapshot(), load_knowledge()
    record = record_markdown(markdown_templates(Settings(strict_templates=True)), snap, k.bank)
    assert not E_NOTATION.search(record)
    texts = re.findall(r'"text": "([^"]*)"', json.dumps(snap["result"]))
    assert texts and not any(E_NOTATION.search(t) for t in texts)
