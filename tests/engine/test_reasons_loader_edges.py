"""Edges of the reasons.toml check (reasons.py) that test_reasons_messages.py leaves open: which side a reason of
exactly 0 points argues, how deltas add up per axis, which (approach, side) pairs the data ladder can produce when
its bands change, a broken ladder reported with the rules' message and never a crash, the cost table's placeholders,
the 30-word limit at equality, and the source tags an entry keeps."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from app.engine.bank import load_bank, read_toml
from app.engine.reasons import APPROACHES, LADDER, needed, parse_reasons, possible, side_of
from app.engine.rules import Parser

Raw = dict[str, Any]
SOURCES, RULES_RAW, REASONS = read_toml("sources.toml"), read_toml("rules.toml"), read_toml("reasons.toml")
AXES = [str(a["key"]) for a in read_toml("axes.toml")["axes"]]
TUNED = ("LORA", "FT_FULL", "HYBRID")  # the approaches the shipped ladder scores (base data: 3, 2, 2)


def loaded(change: Callable[[Raw], None] = lambda raw: None, rules_change: Callable[[Raw], None] = lambda raw: None,
           ) -> tuple[Any, list[str]]:
    """needed() of the rules after `rules_change`, and every problem the knowledge loader would report for them
    and reasons.toml after `change`: the rules' own first, then the reasons check's (as load_knowledge does)."""
    raw_rules, raw_reasons = copy.deepcopy(RULES_RAW), copy.deepcopy(REASONS)
    rules_change(raw_rules)
    change(raw_reasons)
    problems: list[str] = []
    rules = Parser(load_bank(), SOURCES, problems, AXES).rules(raw_rules)
    parse_reasons(raw_reasons, rules, SOURCES, problems)
    return needed(rules), problems


def ladder(**scores: list[float]) -> Callable[[Raw], None]:
    """A rules.toml change: the ladder's scores replaced by these."""
    return lambda raw: raw["ladder"].update(scores=scores)


def never_shown(*pairs: tuple[str, str]) -> list[str]:
    return [f"reasons ladder {s}.{a}: never shown, the rule cannot argue {s} that approach" for a, s in sorted(pairs)]


EVERY_PAIR = {(a, s) for a in APPROACHES for s in ("for", "against")}
FLAT = {"LORA": [3.0] * 6, "FT_FULL": [2.0] * 6, "HYBRID": [2.0] * 6}  # every band equal to the base score


def test_a_reason_of_no_points_argues_against() -> None:
    assert (side_of(0.0), side_of(0.001), side_of(-0.001)) == ("against", "for", "against")


def test_deltas_add_up_per_axis_and_never_across_axes() -> None:
    others = {a for a in APPROACHES if a != "RAG"}
    # +2 and -2 on the same axis cancel: nothing to argue
    assert possible([("RAG", "fit", 2), ("RAG", "fit", -2)]) == set()
    # +2 on fit and -2 on risk do not: RAG for and against, each other approach against on fit, for on risk
    assert possible([("RAG", "fit", 2), ("RAG", "risk", -2)]) == {("RAG", "for"), ("RAG", "against")} | {
        (a, s) for a in others for s in ("for", "against")}
    assert possible([("RAG", "fit", 1), ("RAG", "fit", 1), ("LORA", "fit", 1)]) == {
        ("RAG", "for"), ("LORA", "for"), ("LORA", "against")} | {(a, "against") for a in others - {"LORA"}}


def test_the_shipped_ladder_can_argue_every_pair() -> None:
    wanted, problems = loaded()
    assert wanted[LADDER] == EVERY_PAIR and problems == []


def test_only_the_last_band_counts_when_it_alone_differs() -> None:
    """LoRA above its base in the top band only (1,000 examples or more): for LoRA, against every other."""
    wanted, _ = loaded(rules_change=ladder(**{**FLAT, "LORA": [3.0] * 5 + [9.0]}))
    assert wanted[LADDER] == {("LORA", "for")} | {(a, "against") for a in APPROACHES if a != "LORA"}


def test_a_flat_ladder_argues_nothing_and_its_sentences_are_never_shown() -> None:
    wanted, problems = loaded(rules_change=ladder(**FLAT))
    assert LADDER not in wanted
    assert problems == never_shown(*EVERY_PAIR)


@pytest.mark.parametrize(("scores", "rules_problem", "not_arguable"), [
    # a seventh score beyond the six bands is reported and never read: the ladder stays flat
    ({**FLAT, "LORA": [3.0] * 6 + [9.0]}, "ladder: 'LORA' needs a known approach and 6 scores", EVERY_PAIR),
    # a missing score is reported; the five bands there are still read
    ({"LORA": [0.0, 2.0, 5.0, 7.0, 8.0], "FT_FULL": [0.0, 1.0, 2.0, 4.0, 6.0, 8.0],
      "HYBRID": [0.0, 1.0, 4.0, 6.0, 7.0, 8.0]}, "ladder: 'LORA' needs a known approach and 6 scores", set()),
    # an unknown approach is reported, and argues nothing
    ({**FLAT, "LORAX": [0.0, 9.0, 9.0, 9.0, 9.0, 9.0]}, "ladder: 'LORAX' needs a known approach and 6 scores",
     EVERY_PAIR),
], ids=["score too many", "score missing", "unknown approach"])
def test_a_broken_ladder_is_named_by_the_rules_and_the_reasons_check_goes_on(
    scores: dict[str, list[float]], rules_problem: str, not_arguable: set[tuple[str, str]],
) -> None:
    _, problems = loaded(rules_change=ladder(**scores))
    assert problems == [rules_problem, *never_shown(*not_arguable)]


def test_a_ladder_on_an_unscored_axis_counts_its_scores_from_zero() -> None:
    """No base score on that axis: the band scores are the deltas. Every one is 0 or more and LoRA's the highest,
    so nothing argues against LoRA or for an approach the ladder does not score."""
    _, problems = loaded(rules_change=lambda raw: raw["ladder"].update(axis="speedy"))
    untuned = {(a, "for") for a in APPROACHES if a not in TUNED}
    assert problems == ["ladder: bounds must ascend and the axis must be a scored axis",
                        *never_shown(("LORA", "against"), *untuned)]


def test_a_file_without_reasons_entries_names_every_rule_group() -> None:
    wanted, problems = loaded(lambda raw: raw.pop("reasons"))
    groups = [key for key in wanted if key not in ("ladder", "cost")]
    assert len(groups) == len(REASONS["reasons"])  # one shipped entry per group
    assert sorted(problems) == sorted(
        f"reasons: {'delta' if '=' in key else 'combo'} {key} needs an entry" for key in groups)


def test_a_combo_entry_that_also_names_an_option_is_refused() -> None:
    def both(raw: Raw) -> None:
        next(e for e in raw["reasons"] if e.get("combo") == "R1")["option"] = "behavior"
    index = next(i for i, e in enumerate(REASONS["reasons"], 1) if e.get("combo") == "R1")
    assert loaded(both)[1] == [f"reasons entry {index}: needs either a question and an option, or a combo",
                               "reasons: combo R1 needs an entry"]


def test_only_the_cost_table_may_use_the_cost_placeholders() -> None:
    text = "At {calls} calls a month with {fixed} fixed tokens, prompting costs less."
    assert loaded(lambda raw: raw["cost"]["for"].update(PROMPT=text))[1] == []
    behaviour = next(e for e in REASONS["reasons"] if (e.get("question"), e.get("option")) == ("gap_types", "behavior"))
    approach = sorted(behaviour["for"])[0]

    def in_a_delta(raw: Raw) -> None:
        entry = next(e for e in raw["reasons"] if (e.get("question"), e.get("option")) == ("gap_types", "behavior"))
        entry["for"][approach] = text
    assert loaded(in_a_delta)[1] == [f"reasons gap_types=behavior for.{approach}: unknown placeholder {{{n}}}"
                                     for n in ("calls", "fixed")]


def test_thirty_words_are_allowed_and_thirty_one_are_not() -> None:
    def sentence(words: int) -> Callable[[Raw], None]:
        return lambda raw: raw["cost"]["for"].update(PROMPT=" ".join(["cheap"] * words) + ".")
    assert loaded(sentence(30))[1] == []
    assert loaded(sentence(31))[1] == ["reasons cost for.PROMPT: longer than 30 words"]


def test_each_entry_keeps_its_source_tags() -> None:
    problems: list[str] = []
    rules = Parser(load_bank(), SOURCES, problems, AXES).rules(RULES_RAW)
    reasons = parse_reasons(REASONS, rules, SOURCES, problems)
    assert problems == []
    assert reasons.sources("cost") == tuple(REASONS["cost"]["sources"]) == ("O5", "M5", "M3", "W1", "H5")
    assert reasons.sources("ladder") == tuple(REASONS["ladder"]["sources"])
    r1 = next(e for e in REASONS["reasons"] if e.get("combo") == "R1")
    assert reasons.sources("R1") == tuple(r1["sources"]) and reasons.sources("R1")
