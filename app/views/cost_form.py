"""The "advanced cost assumptions" panel of the last wizard step: per-call overrides of the price preset."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.engine.cost import Preset

PREFIX = "cost_"


@dataclass(frozen=True)
class Assumption:
    """One overridable per-call assumption of decision-model.md §5.1."""

    key: str
    label: str
    unit: str
    maximum: int
    percent: bool = False


ASSUMPTIONS = (
    Assumption("user_tokens", "User-input tokens per call (U)", "tokens", 200_000),
    Assumption("output_tokens", "Output tokens per call (O)", "tokens", 200_000),
    Assumption("retrieved_tokens", "Retrieved context tokens per call, for retrieval (K)", "tokens", 200_000),
    Assumption("cache_hit", "Share of the fixed prompt served from the provider's cache (h)", "%", 100, percent=True),
)


def fields(
    preset: Preset, stored: Mapping[str, Any] | None, raw: Mapping[str, list[str]] | None = None,
) -> list[dict[str, Any]]:
    """What the panel shows: each field's name, label, current text and the preset's default as a hint."""
    stored = stored or {}
    shown = []
    for a in ASSUMPTIONS:
        default = preset.values[a.key]
        value = stored.get(a.key)
        text = (raw or {}).get(PREFIX + a.key, [""])[0] if raw is not None else (
            "" if value is None else _display(a, float(value)))
        hint = f"{_display(a, default)} {a.unit}" + (
            " when the fixed prompt is 1,024 tokens or more, else 0 %" if a.key == "cache_hit" else "")
        shown.append({"name": PREFIX + a.key, "label": a.label, "unit": a.unit, "value": text,
                      "hint": f"Leave empty for the preset's default: {hint}.", "maximum": a.maximum})
    return shown


def labels() -> dict[str, str]:
    """Field name → label, for the error summary."""
    return {PREFIX + a.key: a.label for a in ASSUMPTIONS}


def parse(raw: Mapping[str, list[str]]) -> tuple[dict[str, float] | None, dict[str, str]]:
    """The overrides a team typed (None when every field is empty) and an error per bad field."""
    values: dict[str, float] = {}
    errors: dict[str, str] = {}
    for a in ASSUMPTIONS:
        text = raw.get(PREFIX + a.key, [""])[0].strip().replace(",", "")
        if not text:
            continue
        try:
            number = float(text)
        except ValueError:
            errors[PREFIX + a.key] = f"Enter a number of {a.unit}, or leave it empty."
            continue
        if not 0 <= number <= a.maximum:
            errors[PREFIX + a.key] = f"Enter a number from 0 to {a.maximum:,} {a.unit}."
            continue
        values[a.key] = number / 100 if a.percent else number
    return (values or None), errors


def _display(a: Assumption, value: float) -> str:
    """A stored value as the field shows it (a share as a percentage)."""
    shown = value * 100 if a.percent else value
    return f"{shown:g}"
