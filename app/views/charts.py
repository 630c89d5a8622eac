"""Geometry for the report's server-rendered SVG charts (pure functions: no HTTP, no engine calls).

Each chart comes back as plain data: coordinates and ``points`` strings for the SVG macros in
templates/report/_charts.html, a data table and a one-sentence text alternative. Series are told apart
by a CSS colour class *and* a stroke-dash pattern *and* a marker shape, so colour is never the only cue.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from app.views.axes import result_axes as result_axes  # re-exported: charts.result_axes is the usual spelling
from app.views.format import count_word, money, number, wrap_label

# One fixed look per approach, shared by both charts and the legends. The dash patterns go into the
# stroke-dasharray presentation attribute; colours come from the .series-* classes in report.css.
STYLES: dict[str, dict[str, str]] = {
    "PROMPT": {"css": "series-prompt", "dash": "", "marker": "circle", "marker_name": "circle", "line": "solid line"},
    "RAG": {"css": "series-rag", "dash": "10 4", "marker": "square", "marker_name": "square", "line": "long dashes"},
    "LORA": {
        "css": "series-lora", "dash": "3 3", "marker": "triangle", "marker_name": "triangle", "line": "dotted line",
    },
    "FT_FULL": {
        "css": "series-ft", "dash": "12 4 3 4", "marker": "diamond", "marker_name": "diamond", "line": "dash-dot line",
    },
    "HYBRID": {
        "css": "series-hybrid", "dash": "6 3 2 3 2 3", "marker": "down", "marker_name": "inverted triangle",
        "line": "dash-dot-dot line",
    },
    "INTEGRATION": {
        "css": "series-integration", "dash": "5 2", "marker": "cross", "marker_name": "cross", "line": "short dashes",
    },
}


def fmt(x: float) -> str:
    """A coordinate with at most one decimal and no trailing zeros."""
    text = f"{x:.1f}"
    return text.removesuffix(".0")


def marker_path(shape: str, x: float, y: float, r: float = 4.5) -> str:
    """One marker as an SVG path (closed shapes; the cross is two strokes)."""
    if shape == "circle":
        return f"M{fmt(x - r)} {fmt(y)}a{fmt(r)} {fmt(r)} 0 1 0 {fmt(2 * r)} 0a{fmt(r)} {fmt(r)} 0 1 0 {fmt(-2 * r)} 0z"
    if shape == "square":
        s = r * 0.85
        return f"M{fmt(x - s)} {fmt(y - s)}h{fmt(2 * s)}v{fmt(2 * s)}h{fmt(-2 * s)}z"
    if shape == "triangle":
        return f"M{fmt(x)} {fmt(y - r * 1.15)}L{fmt(x + r)} {fmt(y + r * 0.75)}L{fmt(x - r)} {fmt(y + r * 0.75)}z"
    if shape == "down":
        return f"M{fmt(x)} {fmt(y + r * 1.15)}L{fmt(x + r)} {fmt(y - r * 0.75)}L{fmt(x - r)} {fmt(y - r * 0.75)}z"
    if shape == "diamond":
        d = r * 1.2
        return f"M{fmt(x)} {fmt(y - d)}L{fmt(x + d)} {fmt(y)}L{fmt(x)} {fmt(y + d)}L{fmt(x - d)} {fmt(y)}z"
    return f"M{fmt(x - r)} {fmt(y - r)}L{fmt(x + r)} {fmt(y + r)}M{fmt(x - r)} {fmt(y + r)}L{fmt(x + r)} {fmt(y - r)}"


def style(approach: str) -> dict[str, str]:
    """The look of one approach's series (a neutral look for an unknown id)."""
    return STYLES.get(
        approach, {"css": "series-other", "dash": "", "marker": "circle", "marker_name": "circle", "line": "solid line"}
    )


def legend_item(approach: str, label: str, note: str = "") -> dict[str, Any]:
    """A legend entry: the label, how the series is drawn (in words too) and a small swatch."""
    s = style(approach)
    return {
        "approach": approach, "label": label, "note": note, **s,
        "swatch_marker": marker_path(s["marker"], 18, 8, 4),
        "described": f"{s['line']} with {s['marker_name']} markers",
    }


# ---------------------------------------------------------------- radar


def radar(result: Mapping[str, Any], series_ids: Sequence[str], labels: Mapping[str, str]) -> dict[str, Any]:
    """A radar over the result's axes (0–10 on every axis) of the given approaches, with its table and summary."""
    # A narrow viewBox: drawn full width on a 390 px phone, the 15-unit labels stay above 12 px.
    width, height, cx, cy, radius = 420, 350, 210, 160, 112
    axes = result_axes(result)
    rows = {a["id"]: a for a in result["approaches"]}
    n = len(axes)

    def at(i: int, value: float) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * i / n
        r = radius * max(0.0, min(10.0, value)) / 10
        return cx + r * math.cos(angle), cy + r * math.sin(angle)

    rings = [
        {"value": v, "points": " ".join(f"{fmt(x)},{fmt(y)}" for x, y in (at(i, v) for i in range(n)))}
        for v in (2, 4, 6, 8, 10)
    ]
    spokes, axis_labels = [], []
    for i, axis in enumerate(axes):
        x, y = at(i, 10)
        spokes.append({"x1": cx, "y1": cy, "x2": fmt(x), "y2": fmt(y)})
        lx, ly = at(i, 11.2)
        cos = math.cos(-math.pi / 2 + 2 * math.pi * i / n)
        anchor = "start" if cos > 0.3 else "end" if cos < -0.3 else "middle"
        lx += 8 if anchor == "start" else -8 if anchor == "end" else 0
        lines = wrap_label(axis["label"], 9)
        step = 17
        if ly < cy - radius * 0.9:
            ly -= 6 + step * (len(lines) - 1)
        elif ly > cy + radius * 0.9:
            ly += 14
        else:
            ly += 5 - step * (len(lines) - 1) / 2
        axis_labels.append({"x": fmt(lx), "y": fmt(ly), "anchor": anchor, "text": axis["label"], "lines": lines,
                            "step": step})
    # A scale number next to a series' vertex on the top spoke would sit on that polygon's edges: leave it out.
    tops = [rows[a]["scores"][axes[0]["key"]] for a in series_ids] if axes else []
    ticks = [{"x": fmt(cx + 5), "y": fmt(at(0, v)[1] + 5), "text": str(v)} for v in (2, 4, 6, 8, 10)
             if all(abs(v - top) >= 1.2 for top in tops)]
    series = []
    for approach in series_ids:
        row = rows[approach]
        vertices = [at(i, row["scores"][axis["key"]]) for i, axis in enumerate(axes)]
        shape = style(approach)["marker"]
        series.append({
            **legend_item(approach, labels[approach], _status_note(result, approach)),
            "points": " ".join(f"{fmt(x)},{fmt(y)}" for x, y in vertices),
            "markers": "".join(marker_path(shape, x, y) for x, y in vertices),
        })
    names = ", ".join(labels[a] for a in series_ids)
    table = {
        "columns": [a["label"] for a in axes],
        "rows": [{"label": labels[a], "note": _status_note(result, a),
                  "cells": [rows[a]["scores"][x["key"]] for x in axes], "total": rows[a]["total"]}
                 for a in series_ids],
    }
    return {
        "id": "radar", "width": width, "height": height, "cx": cx, "cy": cy, "radius": radius, "rings": rings,
        "spokes": spokes,
        "labels": axis_labels, "ticks": ticks, "series": series, "table": table,
        "title": f"{count_word(n).capitalize()}-axis comparison of {names}", "axes_word": count_word(n),
        "summary": radar_summary(result, series_ids, labels, axes),
    }


def radar_summary(
    result: Mapping[str, Any], ids: Sequence[str], labels: Mapping[str, str], axes: Sequence[Mapping[str, str]],
) -> str:
    """The text alternative: who leads on which axes, comparing the first two series."""
    rows = {a["id"]: a for a in result["approaches"]}
    intro = f"Scores from 0 to 10 on {count_word(len(axes))} axes, higher is better. "
    if not ids:
        return intro + "No approach to show."
    first = ids[0]
    if len(ids) == 1:
        s = rows[first]["scores"]
        best = sorted(axes, key=lambda a: -s[a["key"]])[:2]
        return intro + f"{labels[first]} scores highest on " + " and ".join(
            f"{a['label'].lower()} ({s[a['key']]:.1f})" for a in best) + "."
    second = ids[1]
    a_s, b_s = rows[first]["scores"], rows[second]["scores"]
    ahead = [a for a in axes if a_s[a["key"]] - b_s[a["key"]] > 0.05]
    behind = [a for a in axes if b_s[a["key"]] - a_s[a["key"]] > 0.05]
    level = [a for a in axes if a not in ahead and a not in behind]

    def listing(items: Sequence[Mapping[str, str]], one: Mapping[str, float], other: Mapping[str, float]) -> str:
        parts = [f"{a['label'].lower()} ({one[a['key']]:.1f} against {other[a['key']]:.1f})" for a in items]
        return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]

    out = [intro]
    if ahead:
        out.append(f"{labels[first]} leads {labels[second]} on {listing(ahead, a_s, b_s)}")
    if behind:
        out.append(("; " if ahead else "") + f"{labels[second]} leads on {listing(behind, b_s, a_s)}")
    if level:
        out.append(("; " if ahead or behind else "") + "they are level on "
                   + ", ".join(a["label"].lower() for a in level))
    out.append(".")
    if len(ids) > 2:
        out.append(f" {', '.join(labels[a] for a in ids[2:])} is drawn for comparison;"
                   " the table below gives every score.")
    return "".join(out)


# ---------------------------------------------------------------- cost against volume


def cost_chart(result: Mapping[str, Any], labels: Mapping[str, str]) -> dict[str, Any] | None:
    """Monthly cost of every approach against calls per month, log–log, from result['cost']['lines']."""
    cost = result["cost"]
    lines = cost.get("lines") or {}
    calls = [float(c) for c in lines.get("calls", [])]
    series_data: Mapping[str, Sequence[float]] = lines.get("series", {})
    order = [a["id"] for a in result["approaches"] if a["id"] in series_data]
    if len(calls) < 2 or not order:
        return None
    width, height = 680, 420
    x0, x1, y0, y1 = 84, 650, 24, 350
    values = [v for a in order for v in series_data[a] if v > 0]
    floor_value = min(values) if values else 0.01
    lo_x, hi_x = math.floor(math.log10(min(calls))), math.ceil(math.log10(max(calls)))
    lo_y, hi_y = math.floor(math.log10(floor_value)), math.ceil(math.log10(max(values) if values else 1))
    hi_x, hi_y = max(hi_x, lo_x + 1), max(hi_y, lo_y + 1)

    def px(c: float) -> float:
        return x0 + (math.log10(c) - lo_x) / (hi_x - lo_x) * (x1 - x0)

    def py(v: float) -> float:
        v = max(v, 10.0 ** lo_y)
        return y1 - (math.log10(v) - lo_y) / (hi_y - lo_y) * (y1 - y0)

    xticks = [{"x": fmt(px(10.0 ** e)), "label": _short_count(10.0 ** e)} for e in range(lo_x, hi_x + 1)]
    yticks = [{"y": fmt(py(10.0 ** e)), "label": _short_money(10.0 ** e)} for e in range(lo_y, hi_y + 1)]
    rows = {a["id"]: a for a in result["approaches"]}
    series = []
    for approach in order:
        pts = [(px(c), py(v)) for c, v in zip(calls, series_data[approach])]
        shape = style(approach)["marker"]
        series.append({
            **legend_item(approach, labels[approach], "blocked" if rows.get(approach, {}).get("blocked") else ""),
            "points": " ".join(f"{fmt(x)},{fmt(y)}" for x, y in pts),
            "markers": "".join(marker_path(shape, x, y, 3.5) for x, y in pts),
            "blocked": bool(rows.get(approach, {}).get("blocked")),
        })
    volume = float(cost.get("assumptions", {}).get("monthly_calls", 0) or 0)
    you = None
    if volume > 0 and 10.0 ** lo_x <= volume <= 10.0 ** hi_x:
        x = px(volume)
        you = {"x": fmt(x), "y0": y0, "y1": y1, "label": f"Your volume: {number(volume)}",
               "anchor": "end" if x > (x0 + x1) / 2 else "start", "lx": fmt(x - 6 if x > (x0 + x1) / 2 else x + 6)}
    table = {
        "columns": [labels[a] for a in order],
        "rows": [{"calls": c, "cells": [series_data[a][i] for a in order]} for i, c in enumerate(calls)],
    }
    return {
        "id": "cost-chart", "width": width, "height": height, "plot": {"x0": x0, "x1": x1, "y0": y0, "y1": y1},
        "xticks": xticks, "yticks": yticks, "series": series, "you": you, "table": table,
        "title": "Monthly cost against calls per month (both axes logarithmic)",
        "summary": cost_summary(result, labels, calls, series_data, order),
    }


def cost_summary(result: Mapping[str, Any], labels: Mapping[str, str], calls: Sequence[float],
                 series: Mapping[str, Sequence[float]], order: Sequence[str]) -> str:
    """The text alternative: cheapest and dearest at the team's volume, cheapest at both ends."""
    monthly: Mapping[str, float] = result["cost"]["monthly"]
    volume = result["cost"].get("assumptions", {}).get("monthly_calls")
    parts = []
    if monthly:
        cheap = min(monthly, key=lambda a: monthly[a])
        dear = max(monthly, key=lambda a: monthly[a])
        at = f"At your volume of {number(volume)} calls a month" if volume is not None else "At your volume"
        parts.append(f"{at}, {labels[cheap]} is cheapest at about {money(monthly[cheap])} a month "
                     f"and {labels[dear]} dearest at about {money(monthly[dear])}.")
    low = min(order, key=lambda a: series[a][0])
    high = min(order, key=lambda a: series[a][-1])
    span = f"Between {number(calls[0])} and {number(calls[-1])} calls a month"
    if low == high:
        parts.append(f"{span}, {labels[low]} stays the cheapest.")
    else:
        parts.append(f"{span}, {labels[low]} is cheapest at the low end and {labels[high]} at the high end.")
    return " ".join(parts)


def _status_note(result: Mapping[str, Any], approach: str) -> str:
    """'recommended', 'companion', 'runner-up' or 'blocked by a hard rule' for a series label (the rule's name is in
    the report's "Hard rules that apply", never its id here)."""
    row: Mapping[str, Any] = next((a for a in result["approaches"] if a["id"] == approach), {})
    if approach == result.get("primary"):
        return "recommended"
    if approach == result.get("companion"):
        return "companion"
    if row.get("blocked"):
        return "blocked by a hard rule" if len(row.get("blocked_by", [])) < 2 else "blocked by hard rules"
    if approach == result.get("runner_up"):
        return "runner-up"
    return ""


def _short_count(x: float) -> str:
    """100 → '100', 1e4 → '10k', 1e6 → '1M'."""
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if x >= size:
            return f"{x / size:g}{suffix}"
    return f"{x:g}"


def _short_money(x: float) -> str:
    """A decade on the cost axis: $0.01, $1, $100, $10k, $1M."""
    if x < 1:
        return f"${x:.2f}"
    return "$" + _short_count(x)
