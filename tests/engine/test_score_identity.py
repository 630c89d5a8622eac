"""score() output is byte-identical to a golden file (made from the engine before its speed-ups; regenerated for
rules 2026-12-05, issue 11: unknown answers, the case library's neighbours, continued pre-training, R7–R10).

The golden file holds, per case, json.dumps(result_to_dict(score(...)), sort_keys=True): every fixture scenario
plus seeded random valid answer sets (some with other weights, price presets and cost assumptions). Floats are
compared through their repr, so any change in arithmetic order that alters a bit fails the test.

Regenerate (only when an output change is intended): .venv/bin/python -m tests.engine.test_score_identity
"""

from __future__ import annotations

import json
import lzma
import random
from pathlib import Path
from typing import Any

import pytest

from app.engine import flow
from app.engine.model import Kind
from app.engine.rules import Knowledge, load_knowledge
from app.engine.scoring import result_to_dict, score

GOLDEN = Path(__file__).with_name("golden_results.jsonl.xz")  # one "id<TAB>json" line per case
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
RANDOM_CASES = 50
SEED = 20260101


def fixtures() -> list[dict[str, Any]]:
    return [
        json.loads(line)
        for name in ("public-scenarios.jsonl", "published-cases.jsonl")
        for line in (FIXTURES / name).read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]


def _number(rng: random.Random, low: int, high: int, thresholds: tuple[float, ...]) -> int:
    """An answer near the interesting places: the ends, a rule threshold (±1) or log-uniform in between."""
    pick = rng.random()
    if pick < 0.15:
        return rng.choice((low, high))
    if pick < 0.45 and thresholds:
        return min(high, max(low, int(rng.choice(thresholds)) + rng.choice((-1, 0, 1))))
    return min(high, max(low, int(10 ** rng.uniform(0, len(str(high)) - 1)) - 1))


def random_cases(k: Knowledge) -> list[dict[str, Any]]:
    """Seeded random valid answer sets; a third leave some questions to their defaults."""
    rng = random.Random(SEED)
    cases = []
    for i in range(RANDOM_CASES):
        answers: dict[str, Any] = {}
        for q in k.bank.questions.values():
            if q.default is not None and i % 3 == 2 and rng.random() < 0.3:
                continue
            if q.kind is Kind.MULTI:
                options = list(q.option_values())
                size = rng.choice((1, 1, 1, 2, 2, rng.randint(1, len(options))))  # small sets: fewer forced outcomes
                answers[q.id] = rng.sample(options, size)
            elif q.kind is Kind.INT:
                answers[q.id] = _number(rng, q.minimum, q.maximum, k.rules.breakpoints.get(q.id, ()))
            else:
                answers[q.id] = rng.choice(q.option_values())
        case: dict[str, Any] = {"id": f"R{i:02d}", "answers": answers}
        if i % 4 == 1:
            raw = [rng.random() + 0.01 for _ in k.axis_keys]
            raw[rng.randrange(len(k.axis_keys))] = 0.0 if i % 8 == 1 else raw[0]
            case["weights"] = {x: r / sum(raw) for x, r in zip(k.axis_keys, raw)}
        if i % 5 == 2:
            case["preset"] = rng.choice(sorted(k.presets))
        if i % 7 == 3:
            case["assumptions"] = {"output_tokens": rng.randint(0, 2000), "cache_hit": round(rng.random(), 2)}
        cases.append(case)
    return cases


def render(k: Knowledge, case: dict[str, Any]) -> str:
    typed, errors = flow.check_answers(k.bank, case["answers"])
    assert not errors, (case["id"], errors)
    prices = k.presets[case["preset"]] if "preset" in case else None
    result = score(k, typed, case.get("weights"), prices, case.get("assumptions"))
    return json.dumps(result_to_dict(result), sort_keys=True)


def all_cases(k: Knowledge) -> list[dict[str, Any]]:
    return fixtures() + random_cases(k)


@pytest.fixture(scope="module")
def k() -> Knowledge:
    return load_knowledge()


@pytest.fixture(scope="module")
def cases(k: Knowledge) -> list[dict[str, Any]]:
    return all_cases(k)


@pytest.fixture(scope="module")
def golden() -> dict[str, str]:
    lines = lzma.decompress(GOLDEN.read_bytes()).decode().splitlines()
    return dict(line.split("\t", 1) for line in lines)


def test_golden_covers_every_case(cases: list[dict[str, Any]], golden: dict[str, str]) -> None:
    assert sorted(golden) == sorted(c["id"] for c in cases)


@pytest.mark.parametrize("index", range(len(fixtures()) + RANDOM_CASES))
def test_score_output_is_unchanged(
    k: Knowledge, cases: list[dict[str, Any]], golden: dict[str, str], index: int,
) -> None:
    case = cases[index]
    assert render(k, case) == golden[case["id"]], case["id"]


if __name__ == "__main__":
    knowledge = load_knowledge()
    data = {c["id"]: render(knowledge, c) for c in all_cases(knowledge)}
    text = "".join(f"{key}\t{value}\n" for key, value in sorted(data.items()))
    GOLDEN.write_bytes(lzma.compress(text.encode(), preset=9))
    print(f"wrote {len(data)} cases to {GOLDEN}")
