"""The report's recurring-cost section: monthly costs, break-even sentences, the assumptions used and caveats.

Built from the stored result alone (no engine calls), like the rest of app/views/report.py."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from app.views.format import money, number, percent

CAVEATS = (
    "Prices are defaults, editable by admins: this report uses the {name} preset, dated {as_of}.",
    "Token counts are estimates; count your own prompt with a tokenizer (for example tiktoken) and re-check.",
    "Labelling and engineering effort are not included; they dominate real fine-tuning projects.",
    "Self-hosting capacity ({capacity} calls per GPU replica a month) is a placeholder:"
    " benchmark it before relying on it.",
    "Provider availability can make a hosted option impossible for new customers, whatever it costs.",
)


def cost_section(result: Mapping[str, Any], labels: Mapping[str, str], preset: Mapping[str, Any]) -> dict[str, Any]:
    """Monthly costs, break-even sentences, the assumptions used and the §5.5 caveats."""
    cost = result.get("cost", {})
    a = cost.get("assumptions", {})
    params = a.get("parameters", {})
    be = cost.get("break_even", {})
    monthly = cost.get("monthly", {})
    rows = sorted(({"id": k, "label": labels[k], "monthly": v,
                    "blocked": any(r["id"] == k and r.get("blocked") for r in result["approaches"])}
                   for k, v in monthly.items()),
                  key=lambda r: r["monthly"])
    mode = cost.get("lora_mode")
    overrides = set((preset.get("assumptions") or {}).keys())
    capacity = params.get("replica_capacity")
    caveats = [c.format(name=preset.get("name", "?"), as_of=preset.get("as_of", "?"),
                        capacity=number(capacity) if capacity is not None else "the assumed") for c in CAVEATS]
    if preset.get("tuning_open") is False:
        caveats.append(f"{preset.get('provider_name') or preset.get('provider')}"
                       " no longer accepts new fine-tuning customers.")
    return {
        "rows": rows, "preset": preset,
        "lora_mode": {"hosted": "hosted", "self_host": "self-hosted"}.get(mode or "", mode),
        "break_even": break_even_lines(be, params),
        "assumptions": assumption_rows(a, params, mode, overrides),
        "caveats": caveats,
        "calls": a.get("monthly_calls"),
    }


def approx(x: float) -> str:
    """Two significant figures with thousands separators (as the engine's sentences round)."""
    if x < 100:
        return f"{round(x):,}"
    return f"{int(round(x, 2 - len(str(int(x))))):,}"


def break_even_lines(be: Mapping[str, Any], params: Mapping[str, Any]) -> list[str]:
    """§5.3 in words: hosted fine-tune against prompting, and one self-hosted GPU replica."""
    out = []
    hosted, own = be.get("hosted"), be.get("self_host")
    if be.get("prompt_per_call") is not None and be.get("tuned_per_call") is not None:
        out.append(f"Per call: prompting ${be['prompt_per_call']:.6f}, a hosted fine-tune ${be['tuned_per_call']:.6f} "
                   f"(plus {money(be.get('tuned_fixed_monthly'))} a month for training and hosting).")
    out.append(f"A hosted fine-tune becomes cheaper than prompting from about {approx(hosted)} calls a month."
               if hosted else "A hosted fine-tune never pays back against prompting on cost at these token counts.")
    gpu = be.get("gpu_month")
    gpu_text = f" ({money(gpu)} a month)" if gpu is not None else ""
    if own:
        out.append(f"One self-hosted GPU replica{gpu_text} pays for itself against prompting"
                   f" from about {approx(own)} calls a month.")
    else:
        cap = params.get("replica_capacity")
        out.append(f"One self-hosted GPU replica{gpu_text} does not pay for itself against prompting"
                   " within its capacity"
                   + (f" of {number(cap)} calls a month." if cap else "."))
    return out


def assumption_rows(
    a: Mapping[str, Any], params: Mapping[str, Any], mode: str | None, overrides: Collection[str] = (),
) -> list[dict[str, str]]:
    """The per-call assumptions and main prices used, as label/value rows; team overrides are marked."""

    def mark(key: str, text: str) -> str:
        if key not in overrides or key not in params:
            return text
        default = percent(params[key]) if key == "cache_hit" else f"{number(params[key])} tokens"
        return f"{text} (your override; the preset assumes {default})"

    def tokens(x: Any) -> str:
        return "—" if x is None else f"{number(x)} tokens"

    def per_m(key: str) -> str:
        return "—" if params.get(key) is None else f"${params[key]:,.2f} per 1M tokens"

    rows = [
        ("Calls per month (your answer)", number(a.get("monthly_calls"))),
        ("Fixed prompt tokens per call (your answer)", tokens(a.get("fixed_prompt_tokens"))),
        ("User input per call", mark("user_tokens", tokens(a.get("user_tokens")))),
        ("Output per call", mark("output_tokens", tokens(a.get("output_tokens")))),
        ("Retrieved context per call (RAG)", mark("retrieved_tokens", tokens(a.get("retrieved_tokens")))),
        ("Share of the fixed prefix served from cache", mark("cache_hit", percent(a.get("cache_hit")))),
        ("Retraining runs per year", number(a.get("retrains"))),
        ("Training examples used for cost (capped)", number(a.get("training_examples"))),
        ("LoRA hosting assumed", {"hosted": "hosted", "self_host": "self-hosted"}.get(mode or "", mode or "—")),
        ("Base model input / cached / output", f"{per_m('p_in')} / {per_m('p_cache')} / {per_m('p_out')}"),
        ("Fine-tuned model input / output", f"{per_m('pft_in')} / {per_m('pft_out')}"),
        ("Training", per_m("p_train")),
        ("GPU serving", "—" if params.get("gpu_rate") is None else f"${params['gpu_rate']:,.2f} an hour"),
        ("Cost materiality constant", money(params.get("materiality"))),
    ]
    return [{"label": k, "value": v} for k, v in rows]


# ---------------------------------------------------------------- explanations


