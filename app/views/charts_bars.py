"""Cost at the team's volume as horizontal bars: one bar per approach, cheapest first (pure geometry, no HTTP).

The viewBox is narrow (420 units) so that, drawn full width on a 390 px phone, its 15-unit text stays above 12 px.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from app.views.charts import fmt, style
from app.views.format import money, number

WIDTH, ROW, BAR, LEFT, RIGHT = 420, 46, 16, 4, 96


def cost_bars(rows: Sequence[Mapping[str, Any]], calls: float | None, primary: str) -> dict[str, Any] | None:
    """Bars for the cost section's rows (id, label, monthly, blocked), scaled to the dearest."""
    priced = [r for r in rows if r.get("monthly") is not None]
    if not priced:
        return None
    top = max(float(r["monthly"]) for r in priced) or 1.0
    span = WIDTH - LEFT - RIGHT
    bars = []
    for i, r in enumerate(priced):
        length = max(2.0, span * float(r["monthly"]) / top)
        y = i * ROW
        note = "recommended" if r["id"] == primary else "blocked" if r.get("blocked") else ""
        bars.append({
            "css": style(str(r["id"])).get("css", "series-other"), "label": r["label"], "note": note,
            "ty": fmt(y + 16), "by": fmt(y + 24), "x": LEFT, "w": fmt(length), "h": BAR,
            "vx": fmt(LEFT + length + 6), "vy": fmt(y + 37), "value": money(float(r["monthly"])),
            "primary": r["id"] == primary, "blocked": bool(r.get("blocked")),
        })
    cheapest, dearest = priced[0], priced[-1]
    volume = f"{number(calls)} calls a month" if calls else "your volume"
    return {
        "id": "cost-bars", "width": WIDTH, "height": len(priced) * ROW + 4, "bars": bars,
        "title": f"Monthly cost of each approach at {volume}",
        "summary": (f"At {volume}, {cheapest['label']} is cheapest at about {money(float(cheapest['monthly']))} "
                    f"and {dearest['label']} dearest at about {money(float(dearest['monthly']))}."),
    }
