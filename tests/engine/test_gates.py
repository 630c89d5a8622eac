"""Hard gates G0–G7 (decision-model.md §6.4) and how they shape primary, companion and runner-up."""

from __future__ import annotations

from typing import Any

import pytest

from app.engine.rules import Knowledge, load_knowledge
from app.engine.scoring import evaluate

BASE: dict[str, Any] = {
    "gap_types": ["behavior"],
    "failure_mode": "breaks_repeatedly",
    "task_stability": "stable_repetitive",
    "prompt_maturity": "systematic",
    "eval_set": "100plus",
    "labeled_examples": 500,
    "label_quality": "expert_reviewed",
    "knowledge_volume": "none",
    "training_data_policy": "cloud_with_controls",
    "ml_capacity": "managed_only",
}


@pytest.fixture(scope="module")
def k() -> Knowledge:
    return load_knowledge()


def run(k: Knowledge, **changes: Any) -> Any:
    return evaluate(k, {**BASE, **changes})


def test_baseline_is_lora_with_only_g0(k: Knowledge) -> None:
    core = run(k)
    assert core.primary == "LORA" and core.gates == ("G0",)


def test_g0_blocks_integration_without_a_live_data_or_computation_gap(k: Knowledge) -> None:
    assert run(k).blocked["INTEGRATION"] == ("G0",)
    # Issue 11 (a): prompting that cannot solve a skill does not make integration applicable.
    assert run(k, failure_mode="cannot_solve").blocked["INTEGRATION"] == ("G0",)
    assert run(k, gap_types=["domain_skill"], failure_mode="cannot_solve").primary != "INTEGRATION"
    assert "G0" not in run(k, gap_types=["behavior", "computation"]).gates


def test_g1_forces_integration_and_names_a_companion(k: Knowledge) -> None:
    core = run(k, gap_types=["behavior", "live_data"])
    assert core.forced_by == "G1" and core.primary == "INTEGRATION"
    assert core.companion is not None and core.companion != "INTEGRATION"
    assert core.companion in core.ranking and core.runner_up == core.companion


def test_g1_without_other_gaps_has_no_companion(k: Knowledge) -> None:
    core = run(k, gap_types=["computation"])
    assert core.primary == "INTEGRATION" and core.companion is None
    assert core.runner_up is not None and core.runner_up != "INTEGRATION"


def test_g1_companion_must_be_feasible(k: Knowledge) -> None:
    """The companion is the best-ranked feasible approach other than integration: never one a gate blocks."""
    core = run(k, gap_types=["knowledge", "live_data"], knowledge_volume="large_corpus")
    assert "G3" in core.gates and core.forced_by == "G1"
    feasible = [a for a in core.ranking if a != "INTEGRATION"]
    assert core.companion is not None and core.companion == feasible[0]
    assert not core.blocked[core.companion] and core.companion not in ("LORA", "FT_FULL", "PROMPT")


def test_g2_blocks_tuning_without_an_evaluation_set(k: Knowledge) -> None:
    core = run(k, eval_set="none")
    assert "G2" in core.gates
    assert all("G2" in core.blocked[a] for a in ("LORA", "FT_FULL", "HYBRID"))
    assert core.primary not in ("LORA", "FT_FULL", "HYBRID")


@pytest.mark.parametrize(
    "change",
    [{"knowledge_churn": "weekly"}, {"citations_required": "yes"}, {"knowledge_volume": "large_corpus"}],
)
def test_g3_requires_retrieval_for_knowledge_gaps(k: Knowledge, change: dict[str, str]) -> None:
    core = run(k, gap_types=["knowledge"], **change)
    assert "G3" in core.gates
    assert {"LORA", "FT_FULL", "PROMPT"} <= {a for a, g in core.blocked.items() if "G3" in g}
    assert not core.blocked["RAG"] and not core.blocked["HYBRID"]


def test_g3_keeps_prompt_when_the_content_fits_in_the_prompt(k: Knowledge) -> None:
    core = run(k, gap_types=["knowledge"], knowledge_volume="fits_in_prompt", citations_required="yes")
    assert "G3" in core.gates and "G3" not in core.blocked["PROMPT"] and "G3" in core.blocked["LORA"]


def test_g3_needs_a_knowledge_gap(k: Knowledge) -> None:
    assert "G3" not in run(k, citations_required="yes").gates


def test_g4_blocks_tuning_without_self_hosting_capacity(k: Knowledge) -> None:
    core = run(k, training_data_policy="self_host_only")
    assert all("G4" in core.blocked[a] for a in ("LORA", "FT_FULL", "HYBRID"))
    assert "G4" not in run(k, training_data_policy="self_host_only", ml_capacity="in_house").gates


def test_g5_is_the_data_floor_of_ten_examples(k: Knowledge) -> None:
    assert "G5" in run(k, labeled_examples=9).gates
    assert "G5" not in run(k, labeled_examples=10).gates
    assert run(k, labeled_examples=0).blocked["HYBRID"] == ("G5",)


def test_g6_blocks_full_fine_tuning_while_the_task_moves(k: Knowledge) -> None:
    assert run(k, task_stability="exploring").blocked["FT_FULL"] == ("G6",)
    assert "G6" in run(k, gap_types=["behavior", "undefined"]).blocked["FT_FULL"]
    assert "G6" not in run(k).gates


def test_g7_blocks_prompt_when_measured_prompting_cannot_solve_a_domain_skill(k: Knowledge) -> None:
    core = run(k, gap_types=["domain_skill"], failure_mode="cannot_solve")
    assert core.blocked["PROMPT"] == ("G7",)


def test_g7_needs_a_tuning_approach_free_of_g2_g4_g5(k: Knowledge) -> None:
    core = run(k, gap_types=["domain_skill"], failure_mode="cannot_solve", eval_set="none")
    assert "G7" not in core.gates and core.primary == "PROMPT"
    core = run(k, gap_types=["domain_skill"], failure_mode="cannot_solve", prompt_maturity="adhoc", eval_set="lt20")
    assert "G7" not in core.gates


def test_g7_counts_a_failure_measured_on_an_evaluation_set(k: Knowledge) -> None:
    """Issue 11: "cannot solve it", measured on 20+ evaluation cases, is evidence whatever the prompt maturity."""
    for eval_set in ("20to99", "100plus"):
        core = run(k, gap_types=["domain_skill"], failure_mode="cannot_solve", prompt_maturity="adhoc",
                   eval_set=eval_set)
        assert "G7" in core.gates and core.blocked["PROMPT"] == ("G7",)


def test_blocked_approaches_keep_their_scores(k: Knowledge) -> None:
    open_core, gated = run(k), run(k, eval_set="none")
    assert gated.totals["PROMPT"] == pytest.approx(open_core.totals["PROMPT"])
    assert gated.totals["LORA"] > 0 and "LORA" not in gated.ranking
