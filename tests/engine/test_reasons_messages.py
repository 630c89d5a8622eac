"""One broken-data test per error message of the reasons.toml loader (app/engine/reasons.py, issue 16's style).

Each case breaks one thing in a copy of the shipped, parsed reasons.toml (or rules.toml) and expects exactly the
problems it names: no message missing, none extra, each naming its entry as an admin would look for it.
"""

from __future__ import annotations

import copy
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from app.engine.bank import DATA_DIR, BankError, load_bank, read_toml
from app.engine.reasons import Reasons, needed, parse_reasons, possible
from app.engine.rules import Parser, load_knowledge

Raw = dict[str, Any]
SOURCES, RULES_RAW, REASONS = read_toml("sources.toml"), read_toml("rules.toml"), read_toml("reasons.toml")
BANK = load_bank()
AXES = [str(a["key"]) for a in read_toml("axes.toml")["axes"]]
RULES = Parser(BANK, SOURCES, [], AXES).rules(RULES_RAW)
LONG = " ".join(["word"] * 31) + "."


def problems_of(change: Callable[[Raw], None], rules_change: Callable[[Raw], None] | None = None) -> list[str]:
    """The problems the loader reports for reasons.toml after `change` (and rules.toml after `rules_change`)."""
    raw = copy.deepcopy(REASONS)
    change(raw)
    rules = RULES
    if rules_change is not None:
        raw_rules = copy.deepcopy(RULES_RAW)
        rules_change(raw_rules)
        rules = Parser(BANK, SOURCES, [], AXES).rules(raw_rules)
    problems: list[str] = []
    parse_reasons(raw, rules, SOURCES, problems)
    return problems


def entry(raw: Raw, key: str) -> Raw:
    """The [[reasons]] table of a 'question=option' or a combination rule id."""
    return next(e for e in raw["reasons"] if e.get("combo", f"{e.get('question')}={e.get('option')}") == key)


def drop(raw: Raw, key: str) -> None:
    raw["reasons"].remove(entry(raw, key))


BEHAVIOUR = "gap_types=behavior"
CASES: list[tuple[str, Callable[[Raw], None], list[str]]] = [
    ("neither key", lambda r: r["reasons"].append({"sources": ["S0"]}),
     [f"reasons entry {len(REASONS['reasons']) + 1}: needs either a question and an option, or a combo"]),
    ("both keys", lambda r: entry(r, "R1").update(question="gap_types"),
     [f"reasons entry {REASONS['reasons'].index(entry(REASONS, 'R1')) + 1}: "
      "needs either a question and an option, or a combo", "reasons: combo R1 needs an entry"]),
    ("unknown combo", lambda r: entry(r, "R1").update(combo="R99"),
     ["reasons R99: no such combination rule in rules.toml", "reasons: combo R1 needs an entry"]),
    ("unknown delta", lambda r: entry(r, BEHAVIOUR).update(option="behaviour"),
     ["reasons gap_types=behaviour: no such delta in rules.toml", "reasons: delta gap_types=behavior needs an entry"]),
    ("missing entry", lambda r: drop(r, "eval_set=lt20"), ["reasons: delta eval_set=lt20 needs an entry"]),
    ("missing combo entry", lambda r: drop(r, "R3"), ["reasons: combo R3 needs an entry"]),
    ("missing ladder", lambda r: r.pop("ladder"), ["reasons: missing the [ladder] table"]),
    ("missing cost", lambda r: r.update(cost="cheap"), ["reasons: missing the [cost] table"]),
    ("twice", lambda r: r["reasons"].append(copy.deepcopy(entry(r, "R2"))), ["reasons R2: defined twice"]),
    ("unknown side", lambda r: entry(r, BEHAVIOUR).update(pro={"LORA": "Good."}),
     [f"reasons {BEHAVIOUR}: unknown side 'pro'"]),
    ("side not table", lambda r: r["ladder"].update({"for": "Good."}),
     ["reasons ladder for: must be a table of sentences by approach",
      *[f"reasons ladder: no 'for' sentence for {a}" for a in sorted(REASONS["ladder"]["for"])]]),
    ("unknown approach", lambda r: entry(r, BEHAVIOUR)["for"].update(LORAX="Good."),
     [f"reasons {BEHAVIOUR} for.LORAX: unknown approach 'LORAX'"]),
    ("empty", lambda r: entry(r, BEHAVIOUR)["for"].update(LORA=" "),
     [f"reasons {BEHAVIOUR} for.LORA: missing text", f"reasons {BEHAVIOUR}: no 'for' sentence for LORA"]),
    ("not text", lambda r: entry(r, BEHAVIOUR)["for"].update(LORA=3),
     [f"reasons {BEHAVIOUR} for.LORA: missing text", f"reasons {BEHAVIOUR}: no 'for' sentence for LORA"]),
    ("long", lambda r: entry(r, BEHAVIOUR)["for"].update(LORA=LONG),
     [f"reasons {BEHAVIOUR} for.LORA: longer than 30 words"]),
    ("approach code", lambda r: entry(r, BEHAVIOUR)["for"].update(LORA="LORA fixes style."),
     [f"reasons {BEHAVIOUR} for.LORA: uses the code 'LORA', not words"]),
    ("rule code", lambda r: entry(r, "R2")["for"].update(LORA="As rule R1 says, tuning fixes behaviour."),
     ["reasons R2 for.LORA: uses the code 'R1', not words"]),
    ("placeholder", lambda r: entry(r, BEHAVIOUR)["for"].update(LORA="At {calls} calls, tuning fixes style."),
     [f"reasons {BEHAVIOUR} for.LORA: unknown placeholder {{calls}}"]),
    ("cost placeholder", lambda r: r["cost"]["for"].update(PROMPT="Prompting is cheapest at {volume} calls."),
     ["reasons cost for.PROMPT: unknown placeholder {volume}"]),
    ("brace", lambda r: r["cost"]["for"].update(PROMPT="Prompting is cheapest {calls."),
     ["reasons cost for.PROMPT: unknown placeholder {?}"]),
    ("never shown", lambda r: entry(r, "eval_set=lt20")["for"].update(LORA="Good."),
     ["reasons eval_set=lt20 for.LORA: never shown, the rule cannot argue for that approach"]),
    ("needed", lambda r: entry(r, "eval_set=lt20")["against"].pop("HYBRID"),
     ["reasons eval_set=lt20: no 'against' sentence for HYBRID"]),
    ("no source", lambda r: entry(r, "R2").update(sources=[]), ["reasons R2: names no source"]),
    ("sources not list", lambda r: r["cost"].pop("sources"), ["reasons cost: names no source"]),
    ("unknown tag", lambda r: entry(r, "R2").update(sources=["O8", "Z9"]), ["reasons R2: unknown source tag 'Z9'"]),
]


@pytest.mark.parametrize("change, expected", [(c, e) for _, c, e in CASES], ids=[n for n, _, _ in CASES])
def test_each_broken_entry_is_named(change: Callable[[Raw], None], expected: list[str]) -> None:
    assert sorted(problems_of(change)) == sorted(expected)


def test_the_shipped_sentences_have_no_problem_and_cover_every_pair() -> None:
    problems: list[str] = []
    reasons = parse_reasons(REASONS, RULES, SOURCES, problems)
    assert problems == []
    wanted = needed(RULES)
    assert {key: set(e.sentences) for key, e in reasons.entries.items()} == wanted
    assert sum(map(len, wanted.values())) >= 400  # ~324 over the deltas, plus combinations, ladder and cost


def test_a_delta_added_to_the_rules_is_named_until_its_sentences_are_written() -> None:
    def add(rules: Raw) -> None:
        rules["deltas"].append({"question": "format_strictness", "option": "moderate", "fit": {"LORA": 1},
                                "grounding": "A moderate format.", "sources": ["S1"]})
        rules["neutral"]["format_strictness"] = []
    assert problems_of(lambda r: None, add) == ["reasons: delta format_strictness=moderate needs an entry"]

    def write(raw: Raw) -> None:
        raw["reasons"].append({"question": "format_strictness", "option": "moderate", "sources": ["S1"],
                               "for": {"LORA": "A moderate format suits a LoRA adapter."}})
    needs = ["PROMPT", "RAG", "FT_FULL", "HYBRID", "INTEGRATION"]
    assert problems_of(write, add) == [f"reasons format_strictness=moderate: no 'against' sentence for {a}"
                                       for a in sorted(needs)]


def test_a_delta_removed_from_the_rules_leaves_its_sentences_unknown() -> None:
    def remove(rules: Raw) -> None:
        rules["deltas"] = [d for d in rules["deltas"] if (d["question"], d["option"]) != ("eval_set", "lt20")]
    assert problems_of(lambda r: None, remove) == ["reasons eval_set=lt20: no such delta in rules.toml"]


def test_possible_pairs_follow_the_deltas_on_each_axis() -> None:
    # RAG +2 on fit: for RAG (above the absent 0s), against every other approach (below RAG's 2)
    assert possible([("RAG", "fit", 2)]) == {("RAG", "for"), *{(a, "against") for a in
                                                               ("PROMPT", "LORA", "FT_FULL", "HYBRID", "INTEGRATION")}}
    # every approach -1 on risk, INTEGRATION absent: for INTEGRATION only; against everyone but INTEGRATION
    every = [(a, "risk", -1) for a in ("PROMPT", "RAG", "LORA", "FT_FULL", "HYBRID")]
    assert {p for p in possible(every) if p[1] == "for"} == {("INTEGRATION", "for")}
    # all six equal and negative: against every approach only through a report with no runner-up (0)
    six = [*every, ("INTEGRATION", "risk", -1)]
    assert possible(six) == {(a, "against") for a in ("PROMPT", "RAG", "LORA", "FT_FULL", "HYBRID", "INTEGRATION")}
    assert possible([]) == set()


def test_the_loader_is_wired_into_the_knowledge(tmp_path: Path) -> None:
    k = load_knowledge()
    assert isinstance(k.reasons, Reasons) and k.reasons.sentence("R1", "PROMPT", "against").startswith("Measured")
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    text = (data / "reasons.toml").read_text(encoding="utf-8")
    (data / "reasons.toml").write_text(text.replace('combo = "R3"', 'combo = "R33"', 1), encoding="utf-8")
    with pytest.raises(BankError) as caught:
        load_knowledge(data)
    assert caught.value.problems == ["reasons R33: no such combination rule in rules.toml",
                                     "reasons: combo R3 needs an entry"]
