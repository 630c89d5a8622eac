"""Where the tuned approaches are costed (docs/decision-model.md): never on a provider closed to new tuning customers.

The preset's own provider hosts LoRA, full fine-tuning and the hybrid's tuned part while it takes new tuning
customers. When it does not, their hosted option is costed on the open hosted-LoRA preset the knowledge names in the
preset's `tuned_on` (its fine-tuned token prices, training price and hosting fee); with none, the hosted option is
dropped and only self-hosting is costed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .cost import CostInputs, Preset
from .knowledge import Knowledge

TUNED_KEYS = ("pft_in", "pft_cache", "pft_out", "p_train", "ft_hosting")
TUNED = ("LORA", "FT_FULL", "HYBRID")
OWN_GPUS = "on your own or rented GPUs"


@dataclass(frozen=True)
class Hosting:
    """How one tuned approach is costed: hosted on a named provider, or self-hosted."""

    mode: str  # "hosted" | "self_host"
    host: Preset | None
    provider_name: str | None


def open_for_tuning(k: Knowledge, preset: Preset) -> bool:
    """True when the preset's provider fine-tunes and still takes new tuning customers."""
    provider = k.providers.get(preset.provider)
    return provider is not None and provider.tuning_open and provider.supports_sft


def tuned_host(k: Knowledge, preset: Preset) -> Preset | None:
    """The preset whose hosted-tuning prices cost the tuned approaches, or None (self-hosting only). An admin's
    version of a preset carries no `tuned_on`: it takes the one the knowledge gives its key."""
    if open_for_tuning(k, preset):
        return preset
    own = k.presets.get(preset.id)
    host = k.presets.get(preset.tuned_on or (own.tuned_on if own else ""))
    return host if host is not None and open_for_tuning(k, host) else None


def costing_values(k: Knowledge, preset: Preset) -> dict[str, float]:
    """The preset's values with the tuned approaches' hosted prices taken from their host."""
    host = tuned_host(k, preset)
    values = dict(preset.values)
    if host is not None and host is not preset:
        values.update({key: host.values[key] for key in TUNED_KEYS})
    return values


def hosting(k: Knowledge, preset: Preset, lora_mode: str, inp: CostInputs) -> dict[str, Hosting]:
    """How LoRA, full fine-tuning and the hybrid were costed (the hybrid follows LoRA; FT_FULL is self-hosted
    in-house or when no open provider hosts it)."""
    host = tuned_host(k, preset)
    name = k.providers[host.provider].name if host is not None else None
    full = "self_host" if inp.in_house or host is None else "hosted"
    modes = {"LORA": lora_mode, "FT_FULL": full, "HYBRID": lora_mode}
    return {a: Hosting(m, host, name) if m == "hosted" else Hosting(m, None, None) for a, m in modes.items()}


def where(h: Hosting) -> str:
    """'on Fireworks AI (Llama 3.1 8B Instruct, serverless LoRA, prices of 2026-12-05)' or 'on your own or rented
    GPUs'."""
    if h.host is None:
        return OWN_GPUS
    return f"on {h.provider_name} ({h.host.name}, prices of {h.host.as_of})"


def train_on(primary: str, companion: str | None, modes: Mapping[str, Hosting]) -> str:
    """Where the next steps say to train: the recommended tuned approach's provider (LoRA's when none is)."""
    subject = next((a for a in (primary, companion) if a in TUNED), "LORA")
    h = modes[subject]
    return OWN_GPUS if h.host is None else f"on {h.provider_name} ({h.host.name})"


def tuned_dict(k: Knowledge, preset: Preset, modes: Mapping[str, Hosting]) -> dict[str, Any]:
    """The JSON block naming where each tuned approach is costed, and the host preset's tuning prices."""
    host = tuned_host(k, preset)
    return {
        "provider_closed": not open_for_tuning(k, preset),
        "host": None if host is None else {
            "id": host.id, "name": host.name, "as_of": host.as_of, "provider": host.provider,
            "provider_name": k.providers[host.provider].name, "note": host.note, "sources": list(host.sources),
            "prices": {key: host.values[key] for key in TUNED_KEYS},
        },
        "approaches": {
            a: {"mode": h.mode, "provider": h.host.provider if h.host else None, "provider_name": h.provider_name,
                "text": ("hosted " if h.host else "self-hosted ") + where(h)}
            for a, h in modes.items()
        },
    }
