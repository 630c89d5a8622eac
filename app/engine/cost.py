"""Recurring-cost and break-even model of decision-model.md §5: formulas, presets, cost scores."""

from __future__ import annotations

import datetime
import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from .model import Approach

APPROACHES = tuple(a.value for a in Approach)
CORPUS_PARAM = {"fits_in_prompt": "corpus_tokens_fits", "large_corpus": "corpus_tokens_large"}
STORE_PARAM = {"large_corpus": "vector_store_large"}
RHO_PARAM = {
    "rarely": "reembed_rarely",
    "monthly": "reembed_monthly",
    "weekly": "reembed_weekly",
    "realtime": "reembed_realtime",
}
OVERRIDES = ("user_tokens", "output_tokens", "retrieved_tokens", "cache_hit")
PER_MILLION = 1e6


@dataclass(frozen=True)
class Preset:
    """A dated price preset: every §5.1 parameter by name."""

    id: str
    name: str
    provider: str
    as_of: str
    note: str
    sources: tuple[str, ...]
    values: Mapping[str, float]
    tuned_on: str = ""  # the open hosted-tuning preset costed when this provider takes no tuning customers


@dataclass(frozen=True)
class Provider:
    """A tuning provider and whether it still takes new tuning customers."""

    id: str
    name: str
    supports_sft: bool
    tuning_open: bool
    hosting: str
    sources: tuple[str, ...]
    events: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class PerCall:
    """The per-call and per-year assumptions actually used (after overrides)."""

    user_tokens: float
    output_tokens: float
    retrieved_tokens: float
    cache_hit: float
    retrains: float


@dataclass(frozen=True)
class CostInputs:
    """The answers the cost model reads, plus which hosting modes are allowed."""

    calls: float
    fixed_tokens: float
    examples: float
    volume: str
    churn: str
    hosted_ok: bool
    self_ok: bool
    in_house: bool
    hosted_tuning: bool = True  # False: no provider open to new tuning customers hosts the tuned approaches


def per_call(
    v: Mapping[str, float], fixed_tokens: float, frequent: bool, overrides: Mapping[str, float] | None = None
) -> PerCall:
    """Resolve U, O, K, h and R from the preset, the h rule, reading 6 and the overrides."""
    o = dict(overrides or {})
    unknown = set(o) - set(OVERRIDES) - {"retrains"}
    if unknown:
        raise ValueError(f"unknown cost assumptions: {sorted(unknown)}")
    hit = v["cache_hit"] if fixed_tokens >= v["cache_min_tokens"] else 0.0
    pc = PerCall(
        user_tokens=float(o.get("user_tokens", v["user_tokens"])),
        output_tokens=float(o.get("output_tokens", v["output_tokens"])),
        retrieved_tokens=float(o.get("retrieved_tokens", v["retrieved_tokens"])),
        cache_hit=float(o.get("cache_hit", hit)),
        retrains=float(o.get("retrains", v["retrains_frequent"] if frequent else v["retrains"])),
    )
    if min(pc.user_tokens, pc.output_tokens, pc.retrieved_tokens, pc.retrains) < 0 or not 0 <= pc.cache_hit <= 1:
        raise ValueError("cost assumptions must be non-negative and the cache-hit share within [0, 1]")
    return pc


def price_fixed(v: Mapping[str, float], pc: PerCall) -> float:
    """Effective $ per 1M tokens of the cacheable fixed prefix."""
    return (1 - pc.cache_hit) * v["p_in"] + pc.cache_hit * v["p_cache"]


def prompt_call(v: Mapping[str, float], pc: PerCall, fixed: float) -> float:
    """c_P: the cost of one prompted call."""
    return (fixed * price_fixed(v, pc) + pc.user_tokens * v["p_in"] + pc.output_tokens * v["p_out"]) / PER_MILLION


def tuned_call(v: Mapping[str, float], pc: PerCall, fixed: float) -> float:
    """c_FT: the cost of one call to a hosted fine-tuned model (F' = min(F, cap))."""
    short = min(fixed, v["ft_prompt_cap"])
    return ((short + pc.user_tokens) * v["pft_in"] + pc.output_tokens * v["pft_out"]) / PER_MILLION


def hosted_training(v: Mapping[str, float], pc: PerCall, examples: float) -> float:
    """train_month for hosted tuning: the run's tokens x price, (1 + R) runs over A months."""
    n = min(examples, v["max_train_examples"])
    run = n * v["tokens_per_example"] * v["epochs"] * v["p_train"] / PER_MILLION
    return run * (1 + pc.retrains) / v["amortisation_months"]


def self_training(v: Mapping[str, float], pc: PerCall, examples: float) -> float:
    """Self-hosted LoRA training per month: GPU-hours x rate, (1 + R) runs over A months."""
    n = min(examples, v["max_train_examples"])
    hours = max(v["train_gpu_hours_min"], v["train_gpu_hours_per_1k"] * n / 1000)
    return hours * v["train_gpu_rate"] * (1 + pc.retrains) / v["amortisation_months"]


def serving(v: Mapping[str, float], calls: float) -> float:
    """Self-hosted serving: ceil(V / cap) replicas for a month (no cost at 0 calls)."""
    return math.ceil(calls / v["replica_capacity"]) * v["gpu_rate"] * v["hours_per_month"]


def retrieval_fixed(v: Mapping[str, float], pc: PerCall, inp: CostInputs) -> float:
    """Embeddings (re-embedding + queries) and the vector store, per month."""
    corpus = v[CORPUS_PARAM[inp.volume]] if inp.volume in CORPUS_PARAM else 0.0
    embed = (corpus * v[RHO_PARAM[inp.churn]] + inp.calls * pc.user_tokens) * v["p_emb"] / PER_MILLION
    return embed + (v[STORE_PARAM[inp.volume]] if inp.volume in STORE_PARAM else 0.0)


def lora_costs(v: Mapping[str, float], pc: PerCall, inp: CostInputs) -> tuple[float, str]:
    """LoRA's monthly cost and mode: the cheaper allowed of hosted and self-hosted (reading 3)."""
    options = []
    hosted_ok = inp.hosted_ok and inp.hosted_tuning
    if hosted_ok:
        hosted = inp.calls * tuned_call(v, pc, inp.fixed_tokens) + hosted_training(v, pc, inp.examples)
        options.append((hosted + v["ft_hosting"], "hosted"))
    if inp.self_ok or not hosted_ok:
        options.append((serving(v, inp.calls) + self_training(v, pc, inp.examples), "self_host"))
    return min(options, key=lambda item: item[0])


def full_cost(v: Mapping[str, float], pc: PerCall, inp: CostInputs) -> float:
    """FT_FULL per reading 25: dedicated serving in-house (or with no open hosted tuning), else hosted inference,
    heavier training."""
    if inp.in_house or not inp.hosted_tuning:
        return serving(v, inp.calls) + v["full_train_factor_in_house"] * self_training(v, pc, inp.examples)
    hosted = inp.calls * tuned_call(v, pc, inp.fixed_tokens) + v["ft_hosting"]
    return hosted + v["full_train_factor_hosted"] * hosted_training(v, pc, inp.examples)


def monthly_costs(v: Mapping[str, float], pc: PerCall, inp: CostInputs) -> tuple[dict[str, float], str]:
    """The monthly cost of all six approaches (§5.2) and LoRA's hosting mode."""
    pf, calls, fixed = price_fixed(v, pc), inp.calls, inp.fixed_tokens
    base_call = pc.user_tokens * v["p_in"] + pc.output_tokens * v["p_out"]
    retrieval = retrieval_fixed(v, pc, inp)
    lora, mode = lora_costs(v, pc, inp)
    context = calls * pc.retrieved_tokens * v["pft_in"] / PER_MILLION if mode == "hosted" else 0.0
    tools = min(fixed, v["integration_prompt_cap"]) * pf + v["tool_tokens"] * v["p_in"] + base_call
    costs = {
        "PROMPT": calls * (fixed * pf + base_call) / PER_MILLION,
        "RAG": calls * (fixed * pf + pc.retrieved_tokens * v["p_in"] + base_call) / PER_MILLION + retrieval,
        "LORA": lora,
        "FT_FULL": full_cost(v, pc, inp),
        "HYBRID": lora + context + retrieval,
        "INTEGRATION": calls * tools / PER_MILLION + v["infra"],
    }
    return costs, mode


def cost_scores(costs: Mapping[str, float], materiality: float) -> dict[str, float]:
    """Cost scores 0–10 over all six approaches: 10 x (C_min + M) / (C_a + M)."""
    low = min(costs.values())
    return {a: 10 * (low + materiality) / (c + materiality) for a, c in costs.items()}


def break_even(v: Mapping[str, float], pc: PerCall, inp: CostInputs) -> dict[str, float | None]:
    """§5.3 break-even calls/month of a hosted and a self-hosted fine-tune against prompting."""
    c_p, c_ft = prompt_call(v, pc, inp.fixed_tokens), tuned_call(v, pc, inp.fixed_tokens)
    fixed_ft = hosted_training(v, pc, inp.examples) + v["ft_hosting"]
    gpu_month = v["gpu_rate"] * v["hours_per_month"]
    hosted = fixed_ft / (c_p - c_ft) if c_p > c_ft and inp.hosted_tuning else None
    own = gpu_month / c_p if c_p > 0 else None
    return {
        "hosted": hosted,
        "self_host": own if own is not None and own <= v["replica_capacity"] else None,
        "prompt_per_call": c_p,
        "tuned_per_call": c_ft,
        "tuned_fixed_monthly": fixed_ft,
        "gpu_month": gpu_month,
    }


def cost_lines(v: Mapping[str, float], pc: PerCall, inp: CostInputs, volumes: tuple[float, ...]) -> dict[str, Any]:
    """Monthly cost of every approach at each call volume, for the cost-vs-calls chart."""
    series: dict[str, list[float]] = {a: [] for a in APPROACHES}
    for calls in volumes:
        costs, _ = monthly_costs(v, pc, replace(inp, calls=calls))
        for a in APPROACHES:
            series[a].append(round(costs[a], 2))
    return {"calls": list(volumes), "series": series}


def parse_prices(
    raw: Mapping[str, Any], sources: Mapping[str, Any], problems: list[str]
) -> tuple[dict[str, Preset], dict[str, Provider]]:
    """Validate prices.toml: parameter definitions, presets and providers; append every problem."""
    params = raw.get("parameters", {})
    for key, spec in params.items():
        _tags(spec.get("sources"), f"parameter {key}", sources, problems)
    providers = {str(p.get("id")): _provider(p, sources, problems) for p in raw.get("providers", [])}
    presets: dict[str, Preset] = {}
    for item in raw.get("presets", []):
        preset = _preset(item, set(params), sources, problems)
        if preset.id in presets:
            problems.append(f"duplicate price preset {preset.id!r}")
        if preset.provider not in providers:
            problems.append(f"preset {preset.id!r}: unknown provider {preset.provider!r}")
        presets[preset.id] = preset
    if raw.get("default") not in presets:
        problems.append(f"default price preset {raw.get('default')!r} is not defined")
    for preset in presets.values():
        _check_tuned_on(preset, presets, providers, problems)
    return presets, providers


def _check_tuned_on(
    preset: Preset, presets: Mapping[str, Preset], providers: Mapping[str, Provider], problems: list[str]
) -> None:
    """`tuned_on` names an open hosted-tuning preset, and only on a preset whose provider is closed."""
    where, target = f"preset {preset.id!r}", presets.get(preset.tuned_on)
    own = providers.get(preset.provider)
    if not preset.tuned_on or own is None:
        return
    if own.tuning_open:
        problems.append(f"{where}: tuned_on is only for a provider closed to new tuning customers; "
                        f"{own.id!r} is open")
    elif target is None:
        problems.append(f"{where}: tuned_on names an unknown preset {preset.tuned_on!r}")
    elif not (host := providers.get(target.provider)) or not host.tuning_open or not host.supports_sft:
        problems.append(f"{where}: tuned_on preset {target.id!r} is on provider {target.provider!r}, "
                        "which takes no new tuning customers")


def _preset(item: Mapping[str, Any], params: set[str], sources: Mapping[str, Any], problems: list[str]) -> Preset:
    """Build one preset; every parameter present, numeric and non-negative."""
    where = f"preset {item.get('id')!r}"
    values = item.get("values", {})
    problems += [f"{where}: missing parameter {k!r}" for k in sorted(params - set(values))]
    problems += [f"{where}: unknown parameter {k!r}" for k in sorted(set(values) - params)]
    bad = [k for k, x in values.items() if isinstance(x, bool) or not isinstance(x, (int, float)) or x < 0]
    problems += [f"{where}: parameter {k!r} must be a non-negative number" for k in bad]
    if not isinstance(item.get("as_of"), datetime.date) or not item.get("name"):
        problems.append(f"{where}: needs a name and an as_of date")
    _tags(item.get("sources"), where, sources, problems)
    if not isinstance(item.get("tuned_on", ""), str):
        problems.append(f"{where}: tuned_on must be a preset id")
    floats = {k: float(x) for k, x in values.items() if k not in bad}
    return Preset(
        str(item.get("id")), str(item.get("name", "")), str(item.get("provider", "")),
        str(item.get("as_of", "")), str(item.get("note", "")), tuple(item.get("sources", [])), floats,
        str(item.get("tuned_on", "")),
    )


def _provider(item: Mapping[str, Any], sources: Mapping[str, Any], problems: list[str]) -> Provider:
    """Build one provider-availability row."""
    where = f"provider {item.get('id')!r}"
    if not isinstance(item.get("tuning_open"), bool) or not isinstance(item.get("supports_sft"), bool):
        problems.append(f"{where}: tuning_open and supports_sft must be true or false")
    _tags(item.get("sources"), where, sources, problems)
    events = tuple((str(e.get("date", "")), str(e.get("text", ""))) for e in item.get("events", []))
    return Provider(
        str(item.get("id")), str(item.get("name", "")), item.get("supports_sft") is True,
        item.get("tuning_open") is True, str(item.get("hosting", "")), tuple(item.get("sources", [])), events,
    )


def _tags(tags: Any, where: str, sources: Mapping[str, Any], problems: list[str]) -> None:
    """A source list must be non-empty and name only known tags."""
    if not isinstance(tags, list) or not tags:
        problems.append(f"{where}: names no source")
        return
    problems += [f"{where}: unknown source tag {t!r}" for t in tags if t not in sources]
