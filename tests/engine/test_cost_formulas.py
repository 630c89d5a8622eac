"""The §5 cost formulas on a test preset where no price parameter is 0 or 1, checked against hand-computed figures.

The shipped presets leave `gpu_rate = 1.0` and `ft_hosting = 0`: a rate that divides instead of multiplying, or a
fee subtracted instead of added, changes nothing there. Here every parameter has its own value, so each one shows.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from app.engine import cost
from app.engine.cost import CostInputs, PerCall
from app.engine.rules import load_knowledge

# Every §5.1 parameter, each with a value of its own (none 0 or 1, so no product or sum hides a term).
V: dict[str, float] = {
    "p_in": 0.4, "p_cache": 0.15, "p_out": 1.6, "pft_in": 0.9, "pft_cache": 0.3, "pft_out": 3.5, "p_train": 6.0,
    "user_tokens": 250, "output_tokens": 350, "retrieved_tokens": 3000, "cache_min_tokens": 1024, "cache_hit": 0.6,
    "ft_prompt_cap": 300, "tokens_per_example": 700, "epochs": 3, "retrains": 2, "retrains_frequent": 11,
    "amortisation_months": 10, "max_train_examples": 5000, "ft_hosting": 7.5, "gpu_rate": 1.8,
    "replica_capacity": 1_500_000, "hours_per_month": 720, "train_gpu_rate": 2.5, "train_gpu_hours_per_1k": 0.8,
    "train_gpu_hours_min": 1.5, "full_train_factor_in_house": 3, "full_train_factor_hosted": 2.5, "p_emb": 0.02,
    "corpus_tokens_fits": 40_000, "corpus_tokens_large": 6_000_000, "vector_store_large": 70, "reembed_rarely": 0.1,
    "reembed_monthly": 0.3, "reembed_weekly": 1.2, "reembed_realtime": 2.5, "tool_tokens": 500,
    "integration_prompt_cap": 600, "infra": 90, "materiality": 150,
}
CALLS, FIXED, EXAMPLES = 2_000_000, 2000, 3000
PC = PerCall(user_tokens=250, output_tokens=350, retrieved_tokens=3000, cache_hit=0.6, retrains=2)


def inputs(**changes: Any) -> CostInputs:
    """2M calls, a 2,000-token fixed prompt, 3,000 examples, a large corpus churning weekly, any hosting."""
    return replace(CostInputs(CALLS, FIXED, EXAMPLES, "large_corpus", "weekly", True, True, False), **changes)


def test_the_test_preset_names_every_shipped_parameter() -> None:
    shipped = load_knowledge().presets["gpt-4.1-mini"].values
    assert set(V) == set(shipped)
    assert all(x not in (0, 1) for x in V.values())


def test_per_call_takes_the_preset_values_and_the_cache_rule() -> None:
    assert cost.per_call(V, FIXED, False) == PC
    assert cost.per_call(V, 1024, True) == replace(PC, retrains=11)  # F = cache_min: cached; churn: R frequent
    assert cost.per_call(V, 1023, False).cache_hit == 0


def test_every_cost_assumption_override_is_used() -> None:
    mine = {"user_tokens": 111, "output_tokens": 222, "retrieved_tokens": 333, "cache_hit": 0.25, "retrains": 5}
    assert cost.per_call(V, FIXED, True, mine) == PerCall(111, 222, 333, 0.25, 5)
    assert cost.per_call(V, 10, False, {"cache_hit": 0.7}).cache_hit == 0.7  # the team's share wins below the cap


def test_per_call_prices() -> None:
    assert cost.price_fixed(V, PC) == pytest.approx(0.4 * 0.4 + 0.6 * 0.15)  # 0.25 $/1M
    assert cost.prompt_call(V, PC, FIXED) == pytest.approx((2000 * 0.25 + 250 * 0.4 + 350 * 1.6) / 1e6)  # 0.00116
    # F' = min(2000, 300) = 300
    assert cost.tuned_call(V, PC, FIXED) == pytest.approx(((300 + 250) * 0.9 + 350 * 3.5) / 1e6)  # 0.00172
    assert cost.tuned_call(V, PC, 200) == pytest.approx(((200 + 250) * 0.9 + 350 * 3.5) / 1e6)


def test_training_costs() -> None:
    # 3,000 examples x 700 tokens x 3 epochs x $6 / 1M = $37.80 a run; (1 + 2) runs over 10 months
    assert cost.hosted_training(V, PC, EXAMPLES) == pytest.approx(37.8 * 3 / 10)  # 11.34
    assert cost.hosted_training(V, PC, 9000) == pytest.approx(5000 * 700 * 3 * 6 / 1e6 * 3 / 10)  # N capped
    # max(1.5, 0.8 x 3) = 2.4 GPU-hours x $2.5, (1 + 2) runs over 10 months
    assert cost.self_training(V, PC, EXAMPLES) == pytest.approx(2.4 * 2.5 * 3 / 10)  # 1.80
    assert cost.self_training(V, PC, 1000) == pytest.approx(1.5 * 2.5 * 3 / 10)  # the minimum run
    assert cost.self_training(V, PC, 9000) == pytest.approx(0.8 * 5 * 2.5 * 3 / 10)  # N capped


def test_serving_and_retrieval() -> None:
    assert cost.serving(V, CALLS) == pytest.approx(2 * 1.8 * 720)  # ceil(2M / 1.5M) replicas: 2,592
    assert cost.serving(V, 1_500_000) == pytest.approx(1 * 1.8 * 720)
    # (6M x 1.2 re-embedded + 2M calls x 250 query tokens) x $0.02 / 1M + the $70 store
    assert cost.retrieval_fixed(V, PC, inputs()) == pytest.approx((7_200_000 + 500_000_000) * 0.02 / 1e6 + 70)
    fits = inputs(volume="fits_in_prompt", churn="realtime")
    assert cost.retrieval_fixed(V, PC, fits) == pytest.approx((40_000 * 2.5 + 500_000_000) * 0.02 / 1e6)
    rare = inputs(volume="fits_in_prompt", churn="rarely", calls=0)
    assert cost.retrieval_fixed(V, PC, rare) == pytest.approx(40_000 * 0.1 * 0.02 / 1e6)
    monthly = inputs(volume="large_corpus", churn="monthly", calls=0)
    assert cost.retrieval_fixed(V, PC, monthly) == pytest.approx(6_000_000 * 0.3 * 0.02 / 1e6 + 70)


def test_lora_hosted_self_hosted_and_the_cheaper_of_both() -> None:
    hosted = 2_000_000 * 0.00172 + 11.34 + 7.5  # calls x c_FT + training + the hosting fee: 3,458.84
    own = 2592 + 1.8  # serving + self-hosted training: 2,593.80
    assert cost.lora_costs(V, PC, inputs(self_ok=False)) == (pytest.approx(hosted), "hosted")
    assert cost.lora_costs(V, PC, inputs(hosted_ok=False)) == (pytest.approx(own), "self_host")
    assert cost.lora_costs(V, PC, inputs()) == (pytest.approx(own), "self_host")
    assert cost.lora_costs(V, PC, inputs(calls=100_000)) == (pytest.approx(100_000 * 0.00172 + 18.84), "hosted")


def test_full_fine_tuning() -> None:
    assert cost.full_cost(V, PC, inputs(in_house=True)) == pytest.approx(2592 + 3 * 1.8)
    assert cost.full_cost(V, PC, inputs()) == pytest.approx(2_000_000 * 0.00172 + 7.5 + 2.5 * 11.34)  # 3,475.85


def test_monthly_costs_of_all_six_approaches() -> None:
    costs, mode = cost.monthly_costs(V, PC, inputs())
    base_call = 250 * 0.4 + 350 * 1.6  # 660 $/1M tokens of U and O
    retrieval = 10.144 + 70
    assert mode == "self_host"
    assert costs == {
        "PROMPT": pytest.approx(2 * (2000 * 0.25 + base_call)),  # 2,320
        "RAG": pytest.approx(2 * (2000 * 0.25 + 3000 * 0.4 + base_call) + retrieval),  # 4,800.144
        "LORA": pytest.approx(2593.8),
        "FT_FULL": pytest.approx(3475.85),
        "HYBRID": pytest.approx(2593.8 + retrieval),  # a self-hosted model reads its context for free
        "INTEGRATION": pytest.approx(2 * (600 * 0.25 + 500 * 0.4 + base_call) + 90),  # F capped at 600: 2,110
    }
    hosted, mode = cost.monthly_costs(V, PC, inputs(self_ok=False))
    assert mode == "hosted"
    assert hosted["HYBRID"] == pytest.approx(3458.84 + 2 * 3000 * 0.9 + retrieval)  # retrieved tokens at p'_in


def test_integration_keeps_a_short_fixed_prompt_whole() -> None:
    costs, _ = cost.monthly_costs(V, PC, inputs(fixed_tokens=500))
    pf = 0.4 * 0.4 + 0.6 * 0.15
    assert costs["INTEGRATION"] == pytest.approx(2 * (500 * pf + 500 * 0.4 + 660) + 90)


def test_cost_scores_use_the_materiality_constant() -> None:
    scores = cost.cost_scores({"PROMPT": 100.0, "RAG": 400.0, "LORA": 1100.0}, V["materiality"])
    assert scores == {"PROMPT": 10.0, "RAG": pytest.approx(10 * 250 / 550), "LORA": pytest.approx(2.0)}


def test_break_even_against_prompting() -> None:
    pc = cost.per_call(V, 10_000, False, {"output_tokens": 20})
    c_p = (10_000 * 0.25 + 250 * 0.4 + 20 * 1.6) / 1e6  # 0.002632
    c_ft = ((300 + 250) * 0.9 + 20 * 3.5) / 1e6  # 0.000565
    be = cost.break_even(V, pc, inputs(fixed_tokens=10_000))
    assert be == {
        "hosted": pytest.approx((11.34 + 7.5) / (c_p - c_ft)),  # 9,114.66 calls/month
        "self_host": pytest.approx(1.8 * 720 / c_p),  # 492,401 calls/month: within one replica
        "prompt_per_call": pytest.approx(c_p),
        "tuned_per_call": pytest.approx(c_ft),
        "tuned_fixed_monthly": pytest.approx(18.84),
        "gpu_month": pytest.approx(1296),
    }


def test_break_even_is_none_where_tuning_never_pays() -> None:
    be = cost.break_even(V, PC, inputs())  # c_P = 0.00116 < c_FT = 0.00172: a hosted tune never pays
    assert be["hosted"] is None and be["self_host"] == pytest.approx(1296 / 0.00116)
    capped = cost.break_even(dict(V, replica_capacity=1_000_000), PC, inputs())
    assert capped["self_host"] is None  # 1.12M calls/month is more than one replica serves
    free = cost.break_even(V, PerCall(0, 0, 0, 0, 2), inputs(fixed_tokens=0))
    assert free["hosted"] is None and free["self_host"] is None and free["prompt_per_call"] == 0


def test_break_even_at_exactly_one_replica() -> None:
    own = cost.break_even(dict(V, replica_capacity=1e12), PC, inputs())["self_host"]
    assert own == pytest.approx(1296 / 0.00116)
    assert cost.break_even(dict(V, replica_capacity=own), PC, inputs())["self_host"] == own
    assert cost.break_even(dict(V, replica_capacity=own * (1 - 1e-9)), PC, inputs())["self_host"] is None


def test_cost_lines_round_each_volume_to_the_cent() -> None:
    lines = cost.cost_lines(V, PC, inputs(), (2_000_000.0, 1_000_000.0))
    assert lines["calls"] == [2_000_000.0, 1_000_000.0]
    assert lines["series"]["RAG"] == [4800.14, 2435.14]  # 2,360 + (7.2M + 250M) x 0.02 / 1M + 70
    assert list(lines["series"]) == list(cost.APPROACHES)


def test_a_cache_hit_share_of_exactly_zero_or_one_is_accepted() -> None:
    assert cost.per_call(V, FIXED, False, {"cache_hit": 1}).cache_hit == 1.0
    zeros = {"cache_hit": 0, "user_tokens": 0, "retrains": 0}
    assert cost.per_call(V, FIXED, False, zeros) == PerCall(0, 350, 3000, 0, 0)
