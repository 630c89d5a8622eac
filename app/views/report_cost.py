"""The report's recurring-cost section: monthly costs, break-even sentences, the assumptions used and caveats.

Built from the stored result alone (no engine calls), like the rest of app/views/report.py."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from app.views.format import money, number, percent

TUNED = ("LORA", "FT_FULL", "HYBRID")

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
    tuned = cost.get("tuned") or {}
    if preset.get("tuning_open") is False:
        caveats.append(closed_caveat(preset, tuned.get("host")))
    host = tuned.get("host")
    lora = (tuned.get("approaches") or {}).get("LORA", {}).get("text", "")
    return {
        "rows": rows, "preset": preset,
        "lora_mode": {"hosted": "hosted", "self_host": "self-hosted"}.get(mode or "", mode),
        "hosts": host_lines(labels, tuned, TUNED),
        "headline_hosts": host_lines(labels, tuned, shown_tuned(result)),
        "tuned_host": host,
        "break_even": break_even_lines(be, params, tuned),
        "assumptions": assumption_rows(a, {**params, **(host or {}).get("prices", {})}, mode, overrides,
                                       host_name(tuned), lora),
        "caveats": caveats,
        "calls": a.get("monthly_calls"),
    }


def host_lines(labels: Mapping[str, str], tuned: Mapping[str, Any], ids: Collection[str]) -> list[str]:
    """'LoRA is costed hosted on Fireworks AI (…, prices of …).' for each tuned approach in `ids` (none for a
    result stored before the tuned approaches named their provider)."""
    approaches = tuned.get("approaches") or {}
    return [f"{labels.get(a, a)} is costed {approaches[a]['text']}." for a in ids if a in approaches]


def shown_tuned(result: Mapping[str, Any]) -> list[str]:
    """The tuned approaches among the two costs of the answer block: the recommendation and its companion or
    runner-up."""
    shown = [result.get("primary"), result.get("companion") or result.get("runner_up")]
    return [a for a in shown if a in TUNED]


def host_name(tuned: Mapping[str, Any]) -> str:
    """The provider hosting the tuned approaches' hosted option, if any ('' for none or an old result)."""
    host = tuned.get("host") or {}
    return str(host.get("provider_name") or "")


def closed_caveat(preset: Mapping[str, Any], host: Mapping[str, Any] | None) -> str:
    """The preset's provider takes no tuning customers: say where the tuned approaches are costed instead."""
    closed = f"{preset.get('provider_name') or preset.get('provider')} no longer accepts new fine-tuning customers"
    if host:
        return (f"{closed}: the tuned approaches are costed on {host['provider_name']} ({host['name']},"
                f" prices of {host['as_of']}) instead, a different model from the preset's: compare its quality on"
                " your evaluation set before relying on the difference in cost.")
    return f"{closed}: the tuned approaches are costed self-hosted only."


def approx(x: float) -> str:
    """Two significant figures with thousands separators (as the engine's sentences round)."""
    if x < 100:
        return f"{round(x):,}"
    return f"{int(round(x, 2 - len(str(int(x))))):,}"


def break_even_lines(be: Mapping[str, Any], params: Mapping[str, Any], tuned: Mapping[str, Any]) -> list[str]:
    """§5.3 in words: hosted fine-tune against prompting (on the provider that hosts it), and one self-hosted GPU
    replica."""
    out = []
    hosted, own = be.get("hosted"), be.get("self_host")
    name = host_name(tuned)
    fine_tune = f"a fine-tune hosted on {name}" if name else "a hosted fine-tune"
    if tuned and not tuned.get("host"):
        out.append("No hosted fine-tune is costed: no provider open to new tuning customers is named for this preset.")
    else:
        if be.get("prompt_per_call") is not None and be.get("tuned_per_call") is not None:
            out.append(f"Per call: prompting ${be['prompt_per_call']:.6f}, {fine_tune} ${be['tuned_per_call']:.6f} "
                       f"(plus {money(be.get('tuned_fixed_monthly'))} a month for training and hosting).")
        out.append(f"{fine_tune[:1].upper()}{fine_tune[1:]} becomes cheaper than prompting from about {approx(hosted)}"
                   " calls a month." if hosted else
                   f"{fine_tune[:1].upper()}{fine_tune[1:]} never pays back against prompting on cost at these token"
                   " counts.")
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
    host: str = "", lora: str = "",
) -> list[dict[str, str]]:
    """The per-call assumptions and main prices used, as label/value rows; team overrides are marked. `params`
    carries the hosting provider's tuning prices when another provider (`host`) hosts the tuned approaches; `lora`
    says where LoRA is costed."""
    on = f" ({host})" if host else ""

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
        ("LoRA hosting assumed", lora or {"hosted": "hosted", "self_host": "self-hosted"}.get(mode or "", mode or "—")),
        ("Base model input / cached / output", f"{per_m('p_in')} / {per_m('p_cache')} / {per_m('p_out')}"),
        (f"Fine-tuned model input / output{on}", f"{per_m('pft_in')} / {per_m('pft_out')}"),
        (f"Training{on}", per_m("p_train")),
        ("GPU serving", "—" if params.get("gpu_rate") is None else f"${params['gpu_rate']:,.2f} an hour"),
        ("Cost materiality constant", money(params.get("materiality"))),
    ]
    return [{"label": k, "value": v} for k, v in rows]


# ---------------------------------------------------------------- explanations


