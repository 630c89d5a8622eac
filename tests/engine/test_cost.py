"""The cost model of decision-model.md §5: the worked examples of §5.4 to the cent, readings 1–6, 24–28."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import pytest

from app.engine import cost
from app.engine.cost import CostInputs, PerCall
from app.engine.rules import Knowledge, load_knowledge
from app.engine.scoring import evaluate
from app.engine.tuning import costing_values


@pytest.fixture(scope="module")
def k() -> Knowledge:
    return load_knowledge()


@pytest.fixture(scope="module")
def v(k: Knowledge) -> Mapping[str, float]:
    return k.presets["gpt-4.1-mini"].values


def case(v: Mapping[str, float], output: float, hit: float) -> PerCall:
    """The §5.4 example: U=200, R=4 retrains a year, O and h as given."""
    return cost.per_call(v, 3000, False, {"output_tokens": output, "cache_hit": hit, "retrains": 4})


def inputs(calls: float = 10_000_000, **changes: Any) -> CostInputs:
    base = CostInputs(calls, 3000, 1000, "none", "rarely", True, True, False)
    return replace(base, **changes)


@pytest.mark.parametrize(
    ("output", "hit", "c_p", "c_ft", "hosted", "own"),
    [
        (150, 0.0, 0.001520, 0.000800, 6944.44, 480263.16),
        (150, 0.9, 0.000710, 0.000800, None, 1028169.01),
        (5, 0.0, 0.001288, 0.000336, 5252.10, 566770.19),
        (5, 0.9, 0.000478, 0.000336, 35211.27, 1527196.65),
    ],
)
def test_worked_examples_per_call_and_break_even(
    v: Mapping[str, float], output: float, hit: float, c_p: float, c_ft: float, hosted: float | None, own: float
) -> None:
    pc = case(v, output, hit)
    be = cost.break_even(v, pc, inputs())
    assert be["prompt_per_call"] == pytest.approx(c_p, abs=1e-12)
    assert be["tuned_per_call"] == pytest.approx(c_ft, abs=1e-12)
    assert be["tuned_fixed_monthly"] == pytest.approx(5.00, abs=0.005)
    if hosted is None:
        assert be["hosted"] is None
    else:
        assert be["hosted"] == pytest.approx(hosted, abs=0.005)
    assert be["self_host"] == pytest.approx(own, abs=0.005)


def test_break_even_rounds_to_the_published_figures(v: Mapping[str, float]) -> None:
    values = [cost.break_even(v, case(v, o, h), inputs())["hosted"] for o, h in ((150, 0), (5, 0), (5, 0.9))]
    assert [round(x or 0, -2) for x in values] == [6900, 5300, 35200]


@pytest.mark.parametrize(("hit", "prompt"), [(0.0, 12880.00), (0.9, 4780.00)])
def test_v_10m_classification_table(v: Mapping[str, float], hit: float, prompt: float) -> None:
    pc = case(v, 5, hit)
    costs, _ = cost.monthly_costs(v, pc, inputs())
    assert round(costs["PROMPT"], 2) == prompt
    hosted_lora, mode = cost.lora_costs(v, pc, inputs(self_ok=False))
    assert mode == "hosted" and round(hosted_lora, 2) == 3365.00
    own, mode = cost.lora_costs(v, pc, inputs(hosted_ok=False))
    assert mode == "self_host" and round(own, 2) == 3652.08  # 5 x A10G x 730 h + 2 GPU-h x $2.5 x 5 / 12


def test_lora_takes_the_cheaper_allowed_mode(v: Mapping[str, float]) -> None:
    pc = case(v, 5, 0.0)
    both, mode = cost.lora_costs(v, pc, inputs())
    assert mode == "hosted" and both == pytest.approx(3365.0)
    _, mode = cost.lora_costs(v, pc, inputs(hosted_ok=False, self_ok=False))
    assert mode == "self_host"  # reading 3


def test_self_hosting_costs_nothing_at_zero_calls(v: Mapping[str, float]) -> None:
    assert cost.serving(v, 0) == 0
    assert cost.serving(v, 2_000_000) == 730 and cost.serving(v, 2_000_001) == 1460


def test_training_is_capped_at_n_max(v: Mapping[str, float]) -> None:
    pc = cost.per_call(v, 800, False)
    assert cost.hosted_training(v, pc, 50_000) == cost.hosted_training(v, pc, 20_000)
    assert cost.self_training(v, pc, 50_000) == pytest.approx(40 * 2.5 * 3 / 12)


def test_default_assumptions_and_the_cache_rule(v: Mapping[str, float]) -> None:
    short, long = cost.per_call(v, 1023, False), cost.per_call(v, 1024, True)
    assert (short.user_tokens, short.output_tokens, short.retrieved_tokens) == (200, 300, 3200)
    assert short.cache_hit == 0 and long.cache_hit == 0.5
    assert short.retrains == 2 and long.retrains == 12
    with pytest.raises(ValueError):
        cost.per_call(v, 800, False, {"tokens": 3})
    with pytest.raises(ValueError):
        cost.per_call(v, 800, False, {"cache_hit": 1.5})


def test_rag_and_hybrid_retrieval_terms(v: Mapping[str, float]) -> None:
    pc = cost.per_call(v, 0, False)
    none = cost.retrieval_fixed(v, pc, inputs(calls=0, volume="none"))
    fits = cost.retrieval_fixed(v, pc, inputs(calls=0, volume="fits_in_prompt", churn="monthly"))
    large = cost.retrieval_fixed(v, pc, inputs(calls=0, volume="large_corpus", churn="weekly"))
    assert none == 0  # reading 1
    assert fits == pytest.approx(20_000 * 0.3 * 0.02 / 1e6)  # reading 2: no store
    assert large == pytest.approx(5_000_000 * 1.0 * 0.02 / 1e6 + 73)
    hosted, _ = cost.monthly_costs(v, pc, inputs(calls=1_000_000, self_ok=False))
    own, _ = cost.monthly_costs(v, pc, inputs(calls=1_000_000, hosted_ok=False))
    assert hosted["HYBRID"] - hosted["LORA"] == pytest.approx(
        1_000_000 * 3200 * 0.8 / 1e6 + 1_000_000 * 200 * 0.02 / 1e6
    )
    assert own["HYBRID"] - own["LORA"] == pytest.approx(1_000_000 * 200 * 0.02 / 1e6)  # reading 4


def test_full_fine_tuning_cost(v: Mapping[str, float]) -> None:
    pc = cost.per_call(v, 3000, False)
    in_house = cost.full_cost(v, pc, inputs(calls=1_000_000, in_house=True))
    hosted = cost.full_cost(v, pc, inputs(calls=1_000_000))
    assert in_house == pytest.approx(730 + 4 * cost.self_training(v, pc, 1000))
    assert hosted == pytest.approx(1_000_000 * cost.tuned_call(v, pc, 3000) + 2.5 * cost.hosted_training(v, pc, 1000))


def test_integration_cost(v: Mapping[str, float]) -> None:
    pc = cost.per_call(v, 3000, False)
    costs, _ = cost.monthly_costs(v, pc, inputs(calls=100_000))
    per = (800 * cost.price_fixed(v, pc) + 700 * 0.4 + 300 * 1.6) / 1e6
    assert costs["INTEGRATION"] == pytest.approx(100_000 * per + 100)


def test_cost_scores(v: Mapping[str, float]) -> None:
    scores = cost.cost_scores({"PROMPT": 0.0, "RAG": 200.0, "LORA": 1800.0}, 200)
    assert scores == {"PROMPT": 10.0, "RAG": 5.0, "LORA": 1.0}


def test_monthly_churn_on_a_knowledge_gap_retrains_monthly(k: Knowledge) -> None:
    core = evaluate(k, {"gap_types": ["knowledge"], "knowledge_churn": "monthly",
                        "knowledge_volume": "fits_in_prompt", "labeled_examples": 1000})
    calm = evaluate(k, {"gap_types": ["knowledge"], "knowledge_churn": "rarely",
                        "knowledge_volume": "fits_in_prompt", "labeled_examples": 1000})
    v = k.presets[k.default_preset].values
    # The default preset's provider (OpenAI) takes no new tuning customers: LoRA's hosted training is costed on its
    # tuned_on preset, Fireworks AI's 70B class at $3.00 per 1M training tokens (OpenAI's $5.00 before issue 12).
    assert costing_values(k, k.presets[k.default_preset])["p_train"] == 3.00
    run = 1000 * 800 * 3 * 3.00 / 1e6
    assert core.costs["LORA"] - calm.costs["LORA"] == pytest.approx(run * (13 - 3) / 12)
    assert v["retrains_frequent"] == 12


def test_the_vertex_preset_has_no_token_premium(k: Knowledge) -> None:
    v = k.presets["vertex-gemini-2.0-flash"].values
    assert v["pft_in"] == v["p_in"] and v["pft_out"] == v["p_out"] and v["p_train"] == 3.0
    assert k.providers["google-vertex"].tuning_open and not k.providers["openai"].tuning_open
