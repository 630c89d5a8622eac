"""The scenarios of ../shared/fixtures (copied into tests/fixtures), with their acceptable outcomes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).parent / "fixtures"


def load(name: str) -> list[dict[str, Any]]:
    """Every scenario line of one fixture file."""
    return [json.loads(line) for line in (FIXTURES / name).read_text().splitlines() if line.strip()]


ALL = load("public-scenarios.jsonl") + load("published-cases.jsonl")
PUBLIC = load("public-scenarios.jsonl")
