"""Reason sentences written for the approach they are shown on and the side they argue (reasons.toml, issue 12).

A reason groups the deltas of one answer (or combination rule, the data ladder, the cost model) into points on the
gap between the report's subject and the approach it is compared with. Its sentence is looked up here by that
group, the subject and the side ("for" when the points favour the subject, "against" otherwise), so that a reason
for an integration never argues for fine-tuning. The loader checks that every (approach, side) the rules can
produce has a sentence, and that no sentence is written for one they cannot.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .model import Approach

if TYPE_CHECKING:
    from .knowledge import Rules

APPROACHES = tuple(a.value for a in Approach)
SIDES = ("for", "against")
LADDER, COST_MODEL = "ladder", "cost"
MAX_WORDS = 30
COST_FACTS = frozenset({"calls", "fixed"})
CODE = re.compile(rf"\b(?:{'|'.join(APPROACHES)}|[RGAN]\d+)\b")  # approach ids and rule ids are not for readers
Pair = tuple[str, str]  # (approach, side)
Effects = Iterable[tuple[str, str, float]]  # (approach, axis, delta)


@dataclass(frozen=True)
class Entry:
    """The sentences of one rule group by (approach, side), and the sources they rest on."""

    sentences: Mapping[Pair, str]
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Reasons:
    """Every entry of reasons.toml, by key: 'question=option', a combination rule id, 'ladder' or 'cost'."""

    entries: Mapping[str, Entry] = field(default_factory=dict)

    def sentence(self, key: str, approach: str, side: str) -> str:
        """The sentence written for this group, approach and side."""
        return self.entries[key].sentences[(approach, side)]

    def sources(self, key: str) -> tuple[str, ...]:
        """The sources of a group's sentences."""
        return self.entries[key].sources


def side_of(points: float) -> str:
    """The side a reason's points argue: 'for' the subject when positive, else 'against'."""
    return "for" if points > 0 else "against"


def possible(effects: Effects) -> set[Pair]:
    """The (approach, side) pairs a rule's deltas can produce: 'for' an approach when, on some axis, its delta
    exceeds another approach's (absent = 0) or 0 itself (a report with no runner-up); 'against' when below."""
    by_axis: dict[str, dict[str, float]] = {}
    for approach, axis, delta in effects:
        row = by_axis.setdefault(axis, {})
        row[approach] = row.get(approach, 0.0) + delta
    out: set[Pair] = set()
    for row in by_axis.values():
        values = [row.get(a, 0.0) for a in APPROACHES] + [0.0]
        out |= {(a, "for") for a in APPROACHES if row.get(a, 0.0) > min(values)}
        out |= {(a, "against") for a in APPROACHES if row.get(a, 0.0) < max(values)}
    return out


def needed(rules: Rules) -> dict[str, set[Pair]]:
    """Every group of the rules with the pairs it can produce (groups that can produce none are left out)."""
    out = {f"{q}={o}": possible((e.approach, e.axis, e.delta) for e in d.effects) for (q, o), d in rules.deltas.items()}
    out |= {c.id: possible((e.approach, e.axis, e.delta) for e in c.effects) for c in rules.combos}
    lad, out[LADDER] = rules.ladder, set()
    for band in range(len(lad.bounds) + 1):  # a band's score replaces the base score: the delta is the difference
        base = {a: rules.base.get(a, {}).get(lad.axis, 0.0) for a in lad.scores}
        out[LADDER] |= possible((a, lad.axis, v[band] - base[a]) for a, v in lad.scores.items() if band < len(v))
    out[COST_MODEL] = {(a, s) for a in APPROACHES for s in SIDES}
    return {key: pairs for key, pairs in out.items() if pairs}


def parse_reasons(raw: Mapping[str, Any], rules: Rules, sources: Mapping[str, Any], problems: list[str]) -> Reasons:
    """Validate reasons.toml against the rules; every problem is appended to `problems`, each naming its entry."""
    wanted = needed(rules)
    entries: dict[str, Entry] = {}
    for i, item in enumerate(raw.get("reasons", []), 1):
        key = _key(item, i, rules, problems)
        if key is not None:
            _add(entries, key, item, wanted, sources, problems)
    for key in (LADDER, COST_MODEL):
        if isinstance(raw.get(key), dict):
            _add(entries, key, raw[key], wanted, sources, problems)
        else:
            problems.append(f"reasons: missing the [{key}] table")
    grouped = _grouped(rules)
    problems += [f"reasons: {_name(key)} needs an entry" for key in wanted if key in grouped and key not in entries]
    return Reasons(entries)


def _grouped(rules: Rules) -> set[str]:
    """The keys of the [[reasons]] entries: delta options and combination rules."""
    return {f"{q}={o}" for q, o in rules.deltas} | {c.id for c in rules.combos}


def _name(key: str) -> str:
    """How a message names a group: 'delta q=o', 'combo R1', 'ladder' or 'cost'."""
    return f"delta {key}" if "=" in key else key if key in (LADDER, COST_MODEL) else f"combo {key}"


def _key(item: Any, index: int, rules: Rules, problems: list[str]) -> str | None:
    """The key of one [[reasons]] entry, or None (with a problem) when it names no rule of rules.toml."""
    if not isinstance(item, dict) or ("combo" in item) == ("question" in item or "option" in item):
        problems.append(f"reasons entry {index}: needs either a question and an option, or a combo")
        return None
    if "combo" in item:
        cid = str(item["combo"])
        if cid not in {c.id for c in rules.combos}:
            problems.append(f"reasons {cid}: no such combination rule in rules.toml")
            return None
        return cid
    q, o = str(item.get("question")), str(item.get("option"))
    if (q, o) not in rules.deltas:
        problems.append(f"reasons {q}={o}: no such delta in rules.toml")
        return None
    return f"{q}={o}"


def _add(
    entries: dict[str, Entry], key: str, item: Mapping[str, Any], wanted: Mapping[str, set[Pair]],
    sources: Mapping[str, Any], problems: list[str],
) -> None:
    """Check one entry's sides, sentences and sources, and record it."""
    where = f"reasons {key}"
    if key in entries:
        problems.append(f"{where}: defined twice")
        return
    sides = {k: v for k, v in item.items() if k not in ("question", "option", "combo", "sources")}
    problems += [f"{where}: unknown side {s!r}" for s in sides if s not in SIDES]
    sentences: dict[Pair, str] = {}
    for side in SIDES:
        table = sides.get(side, {})
        if not isinstance(table, dict):
            problems.append(f"{where} {side}: must be a table of sentences by approach")
            continue
        for approach, text in table.items():
            if _sentence(f"{where} {side}.{approach}", approach, text, key == COST_MODEL, problems):
                sentences[(approach, side)] = str(text)
    can = wanted.get(key, set())
    problems += [f"{where} {s}.{a}: never shown, the rule cannot argue {s} that approach"
                 for a, s in sorted(set(sentences) - can)]
    problems += [f"{where}: no '{s}' sentence for {a}" for a, s in sorted(can - set(sentences))]
    entries[key] = Entry(sentences, _sources(item.get("sources"), where, sources, problems))


def _sentence(where: str, approach: str, text: Any, cost: bool, problems: list[str]) -> bool:
    """A sentence for a known approach: non-empty, short, plain words, only the cost placeholders."""
    if approach not in APPROACHES:
        problems.append(f"{where}: unknown approach {approach!r}")
        return False
    if not isinstance(text, str) or not text.strip():
        problems.append(f"{where}: missing text")
        return False
    if len(text.split()) > MAX_WORDS:
        problems.append(f"{where}: longer than {MAX_WORDS} words")
    problems += [f"{where}: uses the code {code!r}, not words" for code in CODE.findall(text)]
    try:
        used = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError:
        used = {"?"}  # an unmatched brace
    problems += [f"{where}: unknown placeholder {{{n}}}" for n in sorted(used - (COST_FACTS if cost else set()))]
    return True


def _sources(raw: Any, where: str, known: Mapping[str, Any], problems: list[str]) -> tuple[str, ...]:
    """An entry's source tags: at least one, each defined in sources.toml."""
    if not isinstance(raw, list) or not raw:
        problems.append(f"{where}: names no source")
        return ()
    problems += [f"{where}: unknown source tag {t!r}" for t in raw if t not in known]
    return tuple(str(t) for t in raw)
