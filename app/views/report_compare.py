"""The comparison at a glance: per cell a score and one short phrase; the full text per approach, said once.

The stored axis texts run to 20–80 words a cell and repeat whole sentences across approaches (a provider's
timeline in three Risk cells). Here each cell keeps its first sentence, cut to ``MAX_WORDS``; the full text goes
to the approach's own detail, and a sentence that several approaches share is printed once as a numbered note.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

MAX_WORDS = 15
# A sentence ends at '.', '!' or '?' before a capital letter or a digit; "4.1-mini" and "e.g. the" stay whole.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9“\"(])")


def sentences(text: str) -> list[str]:
    """The sentences of one axis text, stripped, in order."""
    return [s.strip() for s in _SENTENCE_END.split(text.strip()) if s.strip()]


def short_phrase(text: str, limit: int = MAX_WORDS) -> str:
    """The first sentence, at most `limit` words (an ellipsis marks a cut)."""
    first = (sentences(text) or [""])[0]
    words = first.split()
    if len(words) <= limit:
        return first
    return " ".join(words[:limit]).rstrip(",;:") + "…"


def comparison(rows: Sequence[Mapping[str, Any]], axes: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The rows with a short phrase per cell, each approach's full text with shared sentences replaced by a
    note number, and the notes themselves."""
    counts = Counter(s for r in rows for c in r["cells"] for s in set(sentences(c["text"])))
    shared = [s for s, n in counts.items() if n > 1 and len(s.split()) > MAX_WORDS]
    number = {s: i + 1 for i, s in enumerate(shared)}
    label = {a["key"]: a["label"] for a in axes}
    out = []
    for r in rows:
        cells = [{**c, "short": short_phrase(c["text"]), "axis": label.get(c["key"], c["key"])} for c in r["cells"]]
        full = [{"axis": label.get(c["key"], c["key"]), "score": c["score"], "text": _with_notes(c["text"], number)}
                for c in r["cells"]]
        out.append({**r, "cells": cells, "full": full})
    return {"rows": out, "notes": [{"number": number[s], "text": s} for s in shared]}


def _with_notes(text: str, number: Mapping[str, int]) -> str:
    """The cell text with every shared sentence replaced by 'See note N.'."""
    return " ".join(f"(See note {number[s]}.)" if s in number else s for s in sentences(text))
