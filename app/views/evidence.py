"""What the report says about the evidence behind a result: the answers the team did not know yet, and the
published cases most like the team's ("teams like yours"). Read from the stored result only."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def unknown_answers(result: Mapping[str, Any]) -> dict[str, Any]:
    """The 'Not sure' answers: how many, and the sentences for those the recommendation depends on."""
    probes = result.get("unknowns") or []
    return {
        "count": len(probes),
        "depends": [p["text"] for p in probes if p.get("depends")],
        "questions": [p["question_label"] for p in probes],
    }


def teams_like_yours(result: Mapping[str, Any], labels: Mapping[str, str]) -> dict[str, Any]:
    """The nearest published cases with what each team did, and whether they agree with the recommendation."""
    cases = [
        {**case, "expected_label": labels.get(case["expected"], case["expected"]),
         "similarity_text": f"{case['similarity'] * 100:.0f} % alike"}
        for case in result.get("neighbours") or []
    ]
    agree = result.get("neighbours_agree", True)
    note = "" if agree or not cases else (
        f"Most of these teams chose differently from the recommendation ({labels.get(result['primary'], '')}); "
        "the confidence was lowered one level for it. Read what they did before deciding."
    )
    return {"cases": cases, "agree": agree, "note": note}
