"""A copy of the knowledge directory with a seventh axis, added the way issue 10 says adding one must work: one
[[axes]] table in axes.toml and one base score per approach in rules.toml's base matrix, nothing else.

The default weights must still sum to 1, so the shipped six are scaled down (in axes.toml) to make room."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from app.settings import ROOT

KEY, LABEL = "privacy", "Privacy"
HELP = "How much of the data stays under the control of the team, higher is better"
WEIGHT = 0.1
BASE = {"PROMPT": 6, "RAG": 5, "LORA": 4, "FT_FULL": 3, "HYBRID": 3, "INTEGRATION": 8}
AXIS_TABLE = f"""
[[axes]]
key = "{KEY}"
label = "{LABEL}"
help = "{HELP}"
weight = {WEIGHT}
sources = ["S0"]
"""


def knowledge_with_seventh_axis(target: Path) -> Path:
    """app/data copied to target/data with the seventh axis added; returns the copy's path."""
    data = target / "data"
    shutil.copytree(ROOT / "app" / "data", data)
    axes = data / "axes.toml"
    scaled = re.sub(r"^weight = ([0-9.]+)$", lambda m: f"weight = {float(m[1]) * (1 - WEIGHT)!r}",
                    axes.read_text(encoding="utf-8"), flags=re.MULTILINE)
    axes.write_text(scaled + AXIS_TABLE, encoding="utf-8")
    rules = data / "rules.toml"
    text = rules.read_text(encoding="utf-8")
    for approach, score in BASE.items():
        row = f"{approach} = {{ fit ="  # the approach's row of the [base] matrix
        assert text.count(row) == 1, row
        text = text.replace(row, f"{approach} = {{ {KEY} = {score}, fit =")
    rules.write_text(text, encoding="utf-8")
    return data
