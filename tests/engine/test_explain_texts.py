"""Words of the report (explain.py) at their edges: numbers rounded to two significant figures on both sides of
100, and the training place a next step names when the caller gives none (self-hosting, the plain default)."""

from __future__ import annotations

import pytest

from app.engine.explain import approx, explain
from app.engine.rules import load_knowledge
from app.engine.scoring import score

from ..scenarios import ALL


@pytest.mark.parametrize(("x", "text"), [
    (0.4, "0"), (99.4, "99"), (99.6, "100"), (100, "100"), (100.6, "100"), (104.9, "100"), (105.1, "110"),
    (1_234, "1,200"), (6_949.5, "6,900"), (1_250_000, "1,200,000"),
])
def test_approx_rounds_to_two_significant_figures(x: float, text: str) -> None:
    assert approx(x) == text


def test_a_next_step_trains_on_your_own_gpus_when_no_place_is_given() -> None:
    k = load_knowledge()
    r = score(k, next(c["answers"] for c in ALL if c["id"] == "S01"))  # LoRA, hosted on Fireworks by score()
    assert "Fireworks AI" in r.explanation.next_steps[0]
    said = explain(k, r.core, r.weights, r.preset, r.per_call, r.break_even, closed=False)
    assert said.next_steps[0] == (
        "Run a pilot on your own or rented GPUs: train an adapter on 50 well-crafted demonstrations, compare it with"
        " the prompt-only baseline on a held-out set, then scale towards 100–500 examples."
    )
