"""The re-evaluation's changes in words: approaches and axes by name, from the snapshots' own labels."""

from __future__ import annotations

from types import SimpleNamespace

from app.store.reevaluate import diff_results
from app.views.changes import diff_in_words

OLD = {"primary": "LORA", "companion": None, "runner_up": "PROMPT", "confidence": {"label": "High"},
       "weights": {"fit": 0.3, "risk": 0.2}, "axes": [{"key": "fit", "label": "Fit"}, {"key": "risk", "label": "Risk"}],
       "approaches": [{"id": "LORA", "label": "LoRA / PEFT fine-tuning", "total": 60.0, "blocked": False,
                       "scores": {"fit": 8, "risk": 5}},
                      {"id": "PROMPT", "label": "Prompt engineering", "total": 50.0, "blocked": False,
                       "scores": {"fit": 5, "risk": 7}}]}
NEW = {**OLD, "primary": "PROMPT", "runner_up": "LORA", "companion": "RAG",
       "approaches": [{**OLD["approaches"][0], "total": 45.0, "scores": {"fit": 8, "risk": 3}},
                      {**OLD["approaches"][1], "total": 55.0}]}


def worded(names: dict[str, str] | None = None) -> dict:
    compared = {"old": SimpleNamespace(payload=OLD), "new": SimpleNamespace(payload=NEW),
                "diff": diff_results(OLD, NEW)}
    result = diff_in_words(compared, names or {})
    assert result is not None
    return result["diff"]


def test_approaches_and_axes_are_named() -> None:
    d = worded({"RAG": "Prompting + retrieval (RAG)"})
    assert d["primary"] == {"old": "LoRA / PEFT fine-tuning", "new": "Prompt engineering", "changed": True}
    assert d["runner_up"]["new"] == "LoRA / PEFT fine-tuning"
    assert d["companion"] == {"old": None, "new": "Prompting + retrieval (RAG)", "changed": True}
    lora = next(r for r in d["approaches"] if r["id"] == "LORA")
    assert lora["label"] == "LoRA / PEFT fine-tuning"
    assert [s["axis"] for s in lora["scores"]] == ["Low risk"]  # read in the scoring direction (views/axes.py)
    assert {w["axis"] for w in d["weights"]} == {"Fit", "Low risk"}


def test_an_id_no_one_labels_stays_as_it_is_rather_than_vanishing() -> None:
    assert worded()["companion"]["new"] == "RAG"


def test_nothing_to_compare_is_none() -> None:
    assert diff_in_words(None, {}) is None
