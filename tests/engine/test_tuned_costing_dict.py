"""The report's `cost.tuned` block, whole: where LoRA, full fine-tuning and the hybrid are costed, on which host's
tuning prices, for a preset whose provider is closed to new tuning customers and for an open one (tuning.py).

The expected dicts are written out by hand from app/data/prices.toml, so a renamed key, a dropped price or a wrong
mode changes them; only the hosts' long notes are read from the loaded presets."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from app.engine.cost import CostInputs
from app.engine.rules import load_knowledge
from app.engine.scoring import result_to_dict, score
from app.engine.tuning import hosting, tuned_host

from ..scenarios import ALL

S01 = next(c["answers"] for c in ALL if c["id"] == "S01")  # managed-only team, LoRA cheapest hosted
FIREWORKS_70B = "on Fireworks AI (Llama 3.1 70B Instruct, serverless LoRA, prices of 2026-12-05)"
TINKER = "on Tinker (Thinking Machines Lab) (Qwen3 8B, LoRA training and sampling, prices of 2026-01-05)"


def hosted(provider: str, name: str, where: str) -> dict[str, Any]:
    return {"mode": "hosted", "provider": provider, "provider_name": name, "text": f"hosted {where}"}


SELF_HOSTED = {"mode": "self_host", "provider": None, "provider_name": None,
               "text": "self-hosted on your own or rented GPUs"}
ON_FIREWORKS = hosted("fireworks", "Fireworks AI", FIREWORKS_70B)
ON_TINKER = hosted("thinking-machines", "Tinker (Thinking Machines Lab)", TINKER)


def tuned_block(answers: dict[str, Any], preset_id: str | None = None) -> tuple[dict[str, Any], dict[str, str]]:
    """The report's cost.tuned block for these answers and preset (None: the default), and the presets' notes."""
    k = load_knowledge()
    prices = k.presets[preset_id] if preset_id else None
    notes = {pid: p.note for pid, p in k.presets.items()}
    return result_to_dict(score(k, answers, prices=prices))["cost"]["tuned"], notes


def test_a_closed_providers_preset_is_costed_on_its_open_host() -> None:
    """gpt-4.1-mini (OpenAI, closed): every tuned approach hosted on Fireworks' 70B preset, at its prices."""
    tuned, notes = tuned_block(S01)
    assert tuned == {
        "provider_closed": True,
        "host": {
            "id": "fireworks-llama-3.1-70b", "name": "Llama 3.1 70B Instruct, serverless LoRA", "as_of": "2026-12-05",
            "provider": "fireworks", "provider_name": "Fireworks AI", "note": notes["fireworks-llama-3.1-70b"],
            "sources": ["F1", "F2", "F3", "assumption", "H5", "M5"],
            "prices": {"pft_in": 0.90, "pft_cache": 0.90, "pft_out": 0.90, "p_train": 3.00, "ft_hosting": 0.0},
        },
        "approaches": {"LORA": ON_FIREWORKS, "FT_FULL": ON_FIREWORKS, "HYBRID": ON_FIREWORKS},
    }


def test_an_open_providers_preset_hosts_its_own_tuning() -> None:
    """Tinker's Qwen3 8B preset (open): its own tuning prices, provider_closed false."""
    tuned, notes = tuned_block(S01, "tinker-qwen3-8b")
    assert tuned == {
        "provider_closed": False,
        "host": {
            "id": "tinker-qwen3-8b", "name": "Qwen3 8B, LoRA training and sampling", "as_of": "2026-01-05",
            "provider": "thinking-machines", "provider_name": "Tinker (Thinking Machines Lab)",
            "note": notes["tinker-qwen3-8b"], "sources": ["T1", "T2", "assumption", "H5", "M5"],
            "prices": {"pft_in": 0.13, "pft_cache": 0.13, "pft_out": 0.40, "p_train": 0.40, "ft_hosting": 0.0},
        },
        "approaches": {"LORA": ON_TINKER, "FT_FULL": ON_TINKER, "HYBRID": ON_TINKER},
    }


def test_an_in_house_team_self_hosts_full_fine_tuning_only() -> None:
    """ml_capacity in_house: full fine-tuning is self-hosted while LoRA (and the hybrid with it) stays hosted."""
    tuned, _ = tuned_block({**S01, "ml_capacity": "in_house"})
    assert tuned["approaches"] == {"LORA": ON_FIREWORKS, "FT_FULL": SELF_HOSTED, "HYBRID": ON_FIREWORKS}


def test_full_fine_tuning_follows_the_host_not_the_lora_mode() -> None:
    """hosting(): FT_FULL is hosted whenever an open host exists and the team is not in-house, even when LoRA is
    self-hosted; with no host, everything is self-hosted whatever LoRA's mode says."""
    k = load_knowledge()
    preset = k.presets[k.default_preset]
    host = k.presets["fireworks-llama-3.1-70b"]
    team = CostInputs(60_000, 6_000, 500, "fits_in_prompt", "monthly", hosted_ok=True, self_ok=True, in_house=False)
    modes = hosting(k, preset, "self_host", team)
    assert {a: (h.mode, h.host, h.provider_name) for a, h in modes.items()} == {
        "LORA": ("self_host", None, None), "FT_FULL": ("hosted", host, "Fireworks AI"),
        "HYBRID": ("self_host", None, None)}
    in_house = hosting(k, preset, "hosted", replace(team, in_house=True))
    assert {a: h.mode for a, h in in_house.items()} == {"LORA": "hosted", "FT_FULL": "self_host", "HYBRID": "hosted"}


def test_a_host_whose_provider_has_closed_is_not_used() -> None:
    """The knowledge names a host, but its provider has since closed: no hosted tuning, all self-hosted."""
    k = load_knowledge()
    closed = {**k.providers, "fireworks": replace(k.providers["fireworks"], tuning_open=False)}
    k = replace(k, providers=closed)
    assert tuned_host(k, k.presets[k.default_preset]) is None
    assert tuned_host(k, k.presets["fireworks-llama-3.1-8b"]) is None
    tuned = result_to_dict(score(k, S01))["cost"]["tuned"]
    assert tuned["provider_closed"] is True and tuned["host"] is None
    assert tuned["approaches"] == {"LORA": SELF_HOSTED, "FT_FULL": SELF_HOSTED, "HYBRID": SELF_HOSTED}
