"""What a re-evaluation changed (store/history.compared), for people: approaches and axes named in words."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.views.axes import result_axes
from app.views.report import approach_labels


def diff_in_words(compared: Mapping[str, Any] | None, names: Mapping[str, str]) -> dict[str, Any] | None:
    """The diff with every approach and axis by its name: the two snapshots' own labels first, then `names`
    (approach id → name, the current knowledge's) for ids a snapshot does not label."""
    if compared is None:
        return None
    old, new, diff = compared["old"], compared["new"], compared["diff"]
    labels = {**names, **approach_labels(old.payload), **approach_labels(new.payload)}
    axes = {a["key"]: a["label"] for payload in (old.payload, new.payload) for a in result_axes(payload)}
    worded = {
        **diff,
        **{key: _named_pair(diff[key], labels) for key in ("primary", "companion", "runner_up")},
        "approaches": [{**row, "label": labels.get(row["id"], row["label"]),
                        "scores": [{**s, "axis": axes.get(s["axis"], s["axis"])} for s in row["scores"]]}
                       for row in diff["approaches"]],
        "weights": [{**w, "axis": axes.get(w["axis"], w["axis"])} for w in diff.get("weights", [])],
    }
    return {**compared, "diff": worded}


def _named_pair(pair: Mapping[str, Any], labels: Mapping[str, str]) -> dict[str, Any]:
    """{'old', 'new', 'changed'} with both approach ids as names (None stays None: no companion)."""
    return {**pair, "old": labels.get(pair["old"], pair["old"]) if pair["old"] else None,
            "new": labels.get(pair["new"], pair["new"]) if pair["new"] else None}
