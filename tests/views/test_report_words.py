"""Words, not codes, wherever a person reads the report: approaches, gates and advisories by name, never "LORA",
"G3" or "A4" (source tags such as [G3] stay: they are citations, linked to the source list)."""

from __future__ import annotations

import re

import pytest

from app.engine.rules import APPROACHES

from .test_exports import decision_record
from .test_report_page import IDS, _result, knowledge, render, snapshot, text_of

RULE_IDS = re.compile(r"\b[GAR]\d{1,2}\b")  # gate, advisory and combination-rule ids
# "RAG" is also the word itself ("the RAG and LoRA risks"); published cases' own notes are quoted as written.
CODES = [code for code in APPROACHES if code != "RAG"]


def codes_in(text: str) -> list[str]:
    """Approach, gate, advisory or rule ids in a text, outside citations ([G3]) and the approaches' own names."""
    text = re.sub(r"\\?\[[A-Z]+\d*\\?\]", " ", text)
    for name in knowledge().rules.labels.values():
        text = text.replace(name, " ")
    found = [code for code in CODES if re.search(rf"\b{code}\b", text)]
    return found + RULE_IDS.findall(text)


@pytest.mark.parametrize("sid", IDS)
def test_the_report_names_approaches_gates_and_advisories_in_words(sid: str) -> None:
    page = render(snapshot(sid))
    # The source list is keyed by its tags ("G2 Google, About supervised tuning"): citations, not codes.
    page = re.sub(r'<div class="detail-body" id="sources">.*?</details>', " ", page, flags=re.DOTALL)
    page = re.sub(r'<div class="handout-sources">.*?</div>', " ", page, flags=re.DOTALL)
    page = re.sub(r"<p>How it went: .*?</p>", " ", page, flags=re.DOTALL)  # a published case, quoted
    assert codes_in(text_of(page)) == [], sid


@pytest.mark.parametrize("sid", [s for s in IDS if _result(s)["forced_by"] or any(
    a["blocked"] for a in _result(s)["approaches"])][:4])
def test_the_decision_record_names_gates_in_words(sid: str) -> None:
    md = decision_record(snapshot(sid))
    # Addresses, the sources list and published cases' own words (quoted as written) are not the record's prose.
    prose = "\n".join(line for line in md.splitlines() if "<http" not in line and not re.match(r"\W*[A-Z]+\d+\W", line))
    assert codes_in(prose) == [], sid


def test_a_stored_gate_reference_reads_as_the_rule_name() -> None:
    from app.views.report_summary import gate_in_words

    text = "With “None” for “Do you have an evaluation set?”, it becomes Prompt engineering (gate G2: Evaluation first)"
    assert gate_in_words(text).endswith("(the hard rule “Evaluation first”)")
