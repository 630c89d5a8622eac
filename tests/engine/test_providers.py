"""Issue 12 item 7: cost and next steps never rest on a provider closed to new tuning customers.

The default preset's provider (OpenAI) takes no new tuning customers, so LoRA, full fine-tuning and the hybrid's
tuned part are costed on the open hosted-LoRA preset it names (`tuned_on`), or self-hosted; the hosted open-weight
presets carry the prices of the pages they cite (app/data/sources.toml)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from app.engine.bank import read_toml
from app.engine.cost import parse_prices
from app.engine.rules import Knowledge, load_knowledge
from app.engine.scoring import result_to_dict, score
from app.engine.tuning import TUNED, TUNED_KEYS, costing_values, tuned_host

from ..scenarios import ALL

CASES = ALL
S01 = next(c["answers"] for c in CASES if c["id"] == "S01")  # 60,000 calls, 6,000 fixed tokens, 500 examples
WHERE = ("on Fireworks AI (Llama 3.1 70B Instruct, serverless LoRA)", "on your own or rented GPUs")
PRICES, SOURCES = read_toml("prices.toml"), read_toml("sources.toml")


@pytest.fixture(scope="module")
def k() -> Knowledge:
    return load_knowledge()


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_no_tuned_cost_or_next_step_rests_on_a_closed_provider(k: Knowledge, case: dict[str, Any]) -> None:
    """Every fixture answer set on the default preset: each tuned approach is hosted on an open provider or
    self-hosted, its cost is the one of those prices, and no next step names OpenAI."""
    default = k.presets[k.default_preset]
    assert not k.providers[default.provider].tuning_open  # the premise: OpenAI is closed
    data = result_to_dict(score(k, case["answers"]))
    tuned = data["cost"]["tuned"]
    assert tuned["provider_closed"] and tuned["host"]["provider"] == "fireworks"
    for approach in TUNED:
        row = tuned["approaches"][approach]
        if row["mode"] == "hosted":
            assert k.providers[row["provider"]].tuning_open and row["text"].startswith("hosted on Fireworks AI (")
        else:
            assert row["provider"] is None and row["text"] == "self-hosted on your own or rented GPUs"
    assert tuned["approaches"]["LORA"]["mode"] == data["cost"]["lora_mode"]
    # The hosted figures are Fireworks' 70B class ($0.90 per 1M tokens in and out, $3.00 per 1M training tokens).
    a = data["cost"]["assumptions"]
    per_call = ((min(a["fixed_prompt_tokens"], 200) + a["user_tokens"]) * 0.90 + a["output_tokens"] * 0.90) / 1e6
    assert data["cost"]["break_even"]["tuned_per_call"] == pytest.approx(per_call)
    if data["cost"]["lora_mode"] == "hosted":
        training = a["training_examples"] * 800 * 3 * 3.00 / 1e6 * (1 + a["retrains"]) / 12
        assert data["cost"]["monthly"]["LORA"] == pytest.approx(a["monthly_calls"] * per_call + training)
    assert all("OpenAI" not in step for step in data["next_steps"])
    tuning_steps = [s for s in data["next_steps"] if "adapter" in s or "LoRA run" in s]
    assert all(any(w in s for w in WHERE) for s in tuning_steps), tuning_steps


def test_the_default_presets_tuned_costs_use_the_open_hosts_prices(k: Knowledge) -> None:
    """S01 by hand: LoRA hosted on Fireworks' 70B class (gpt-4.1-mini's class) at $0.90 per 1M tokens and $3.00
    per 1M training tokens. Per call (min(6,000, 200) + 200) x 0.90 + 300 x 0.90 = $630 per 1M calls' tokens →
    60,000 calls = $37.80; training 500 x 800 x 3 tokens x $3.00 = $3.60 a run, (1 + 2) runs over 12 months = $0.90.
    OpenAI's own tuned prices would give 60,000 x (400 x 0.80 + 300 x 3.20) / 1e6 + 500 x 800 x 3 x 5 / 1e6 x 3 / 12
    = $78.30."""
    result = score(k, S01)
    assert result.core.lora_mode == "hosted"
    assert result.core.costs["LORA"] == pytest.approx(37.80 + 0.90)
    assert result.break_even["tuned_per_call"] == pytest.approx(0.00063)
    values = costing_values(k, k.presets[k.default_preset])
    assert {key: values[key] for key in TUNED_KEYS} == {
        "pft_in": 0.90, "pft_cache": 0.90, "pft_out": 0.90, "p_train": 3.00, "ft_hosting": 0.0}
    assert values["p_in"] == 0.40 and values["p_out"] == 1.60  # prompting stays on the preset's own prices
    assert "Run a pilot on Fireworks AI (Llama 3.1 70B Instruct, serverless LoRA): train an adapter" in " ".join(
        result.explanation.next_steps)


@pytest.mark.parametrize(("preset_id", "lora", "prompt"), [
    # LoRA: 60,000 x (400 x 0.20 + 300 x 0.20) / 1e6 = 8.40, + 1.2M training tokens x 0.50 x 3 / 12 = 0.15.
    # Prompt: 60,000 x (6,000 x 0.20 + 200 x 0.20 + 300 x 0.20) / 1e6 = 78.00 (cached at the full price).
    ("fireworks-llama-3.1-8b", 8.40 + 0.15, 78.00),
    # LoRA: 60,000 x (400 x 0.90 + 300 x 0.90) / 1e6 = 37.80, + 1.2M x 3.00 x 3 / 12 = 0.90.
    # Prompt: 60,000 x (6,000 x 0.90 + 200 x 0.90 + 300 x 0.90) / 1e6 = 351.00.
    ("fireworks-llama-3.1-70b", 37.80 + 0.90, 351.00),
    # LoRA: 60,000 x (400 x 0.13 + 300 x 0.40) / 1e6 = 10.32, + 1.2M x 0.40 x 3 / 12 = 0.12.
    # Prompt: 60,000 x (6,000 x 0.13 + 200 x 0.13 + 300 x 0.40) / 1e6 = 55.56.
    ("tinker-qwen3-8b", 10.32 + 0.12, 55.56),
])
def test_each_hosted_lora_preset_costs_s01_by_hand(k: Knowledge, preset_id: str, lora: float, prompt: float) -> None:
    preset = k.presets[preset_id]
    result = score(k, S01, prices=preset)
    assert tuned_host(k, preset) is preset and result.core.lora_mode == "hosted"
    assert result.core.costs["LORA"] == pytest.approx(lora)
    assert result.core.costs["PROMPT"] == pytest.approx(prompt)
    provider = k.providers[preset.provider].name
    text = f"hosted on {provider} ({preset.name}, prices of {preset.as_of})"
    assert result.tuned["approaches"]["LORA"]["text"] == text


def test_the_hosted_lora_presets_carry_the_figures_of_their_sources(k: Knowledge) -> None:
    fireworks, tinker = k.presets["fireworks-llama-3.1-8b"], k.presets["tinker-qwen3-8b"]
    assert {key: fireworks.values[key] for key in ("p_in", "p_out", "pft_in", "pft_out", "p_train", "ft_hosting")} == {
        "p_in": 0.20, "p_out": 0.20, "pft_in": 0.20, "pft_out": 0.20, "p_train": 0.50, "ft_hosting": 0.0}
    assert {key: tinker.values[key] for key in ("p_in", "p_out", "pft_in", "pft_out", "p_train", "ft_hosting")} == {
        "p_in": 0.13, "p_out": 0.40, "pft_in": 0.13, "pft_out": 0.40, "p_train": 0.40, "ft_hosting": 0.0}
    assert (fireworks.as_of, tinker.as_of) == ("2026-12-05", "2026-01-05")
    assert SOURCES["F1"]["url"] == "https://fireworks.ai/pricing" and "F1" in fireworks.sources
    assert "thinkingmachines.ai/tinker" in SOURCES["T1"]["title"] and "T1" in tinker.sources
    for preset in (fireworks, tinker):  # what no page gave is said to be an assumption
        assert "assumption" in preset.sources and "assumed" in preset.note
        assert k.providers[preset.provider].tuning_open and k.providers[preset.provider].supports_sft
    non_price = set(fireworks.values) - {"p_in", "p_cache", "p_out", "pft_in", "pft_cache", "pft_out", "p_train"}
    default = k.presets[k.default_preset].values
    assert all(fireworks.values[key] == tinker.values[key] == default[key] for key in non_price)


def test_an_admin_version_of_the_default_keeps_its_tuned_on(k: Knowledge) -> None:
    """A stored (admin) version carries no tuned_on: it takes the one the knowledge gives its key."""
    stored = replace(k.presets[k.default_preset], tuned_on="", values={**k.presets[k.default_preset].values})
    assert tuned_host(k, stored) is k.presets["fireworks-llama-3.1-70b"]


def test_a_closed_provider_without_an_open_host_is_costed_self_hosted(k: Knowledge) -> None:
    """A preset moved to a closed provider with no tuned_on: no hosted tuning at all, whatever it would cost."""
    closed = replace(k.presets["vertex-gemini-2.0-flash"], id="admin-only", provider="cohere")
    result = score(k, S01, prices=closed)
    data = result_to_dict(result)
    assert tuned_host(k, closed) is None and data["cost"]["tuned"]["host"] is None
    assert {a: row["mode"] for a, row in data["cost"]["tuned"]["approaches"].items()} == dict.fromkeys(
        TUNED, "self_host")
    v = closed.values  # one A10G replica for a month + (1 + 2) self-hosted runs of max(1, 2 x 0.5) GPU-hours
    assert result.core.costs["LORA"] == pytest.approx(v["gpu_rate"] * v["hours_per_month"] + 1 * 2.5 * 3 / 12)
    assert result.break_even["hosted"] is None
    s02 = score(k, next(c["answers"] for c in CASES if c["id"] == "S02"), prices=closed)
    assert s02.core.primary == "LORA"
    assert "Run a pilot on your own or rented GPUs: train an adapter" in " ".join(s02.explanation.next_steps)


def prices_problems(change: Callable[[dict[str, Any]], None]) -> list[str]:
    raw = copy.deepcopy(PRICES)
    change(raw)
    problems: list[str] = []
    parse_prices(raw, SOURCES, problems)
    return problems


def preset(raw: dict[str, Any], pid: str) -> dict[str, Any]:
    return next(p for p in raw["presets"] if p["id"] == pid)


@pytest.mark.parametrize(("change", "expected"), [
    (lambda r: preset(r, "gpt-4.1-mini").update(tuned_on="together-llama"),
     ["preset 'gpt-4.1-mini': tuned_on names an unknown preset 'together-llama'"]),
    (lambda r: preset(r, "gpt-4.1-mini").update(tuned_on="gpt-4.1-mini"),
     ["preset 'gpt-4.1-mini': tuned_on preset 'gpt-4.1-mini' is on provider 'openai', "
      "which takes no new tuning customers"]),
    (lambda r: preset(r, "vertex-gemini-2.0-flash").update(tuned_on="fireworks-llama-3.1-8b"),
     ["preset 'vertex-gemini-2.0-flash': tuned_on is only for a provider closed to new tuning customers; "
      "'google-vertex' is open"]),
    (lambda r: preset(r, "gpt-4.1-mini").update(tuned_on=["fireworks-llama-3.1-8b"]),
     ["preset 'gpt-4.1-mini': tuned_on must be a preset id",
      "preset 'gpt-4.1-mini': tuned_on names an unknown preset \"['fireworks-llama-3.1-8b']\""]),
    (lambda r: next(p for p in r["providers"] if p["id"] == "fireworks").update(tuning_open=False),
     ["preset 'gpt-4.1-mini': tuned_on preset 'fireworks-llama-3.1-70b' is on provider 'fireworks', "
      "which takes no new tuning customers"]),
    (lambda r: preset(r, "gpt-4.1-mini").pop("tuned_on"), []),  # allowed: the tuned approaches are self-hosted
], ids=["unknown", "closed target", "open provider", "not text", "host closes", "none"])
def test_each_tuned_on_message(change: Callable[[dict[str, Any]], None], expected: list[str]) -> None:
    assert prices_problems(change) == expected
