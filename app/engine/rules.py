"""Load rules.toml, axes.toml and prices.toml, validate them against the bank, compile conditions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .axes import COST, parse_axes
from .bank import DATA_DIR, BankError, load_bank, read_toml
from .cases import load_cases
from .conditions import Checker
from .cost import CORPUS_PARAM, RHO_PARAM, STORE_PARAM, parse_prices
from .knowledge import Confidence, Knowledge, Rules
from .model import (
    Approach,
    Bank,
    Block,
    ComboRule,
    Condition,
    Context,
    DeltaRule,
    Effect,
    GateRule,
    Kind,
    Ladder,
    Notice,
    Text,
)
from .reasons import parse_reasons

APPROACHES = tuple(a.value for a in Approach)
TEXT_FACTS = frozenset(
    [
        "static", "score", "gaps", "examples", "quality", "band", "band_note", "eval", "volume", "churn", "sensitivity",
        "time", "ml", "switch", "calls", "fixed", "monthly", "preset", "break_even", "mode", "provider",
    ]
)
REPORT_PHRASES = frozenset(
    [
        "hosted", "self_host", "break_even_hosted", "break_even_never", "counterfactual_above", "counterfactual_below",
        "counterfactual_set", "counterfactual_add", "counterfactual_remove", "counterfactual_via", "dominant", "flip",
    ]
)
# Reason groups that are neither a question nor a combination rule (app/engine/reasons.py names them too).
RESERVED_GROUPS = frozenset({"ladder", "cost"})
CONFIDENCE_KEYS = (
    [
        "mc_draws", "mc_alpha", "mc_seed", "tie_decimals", "high_margin", "high_stability", "high_flip",
        "medium_margin", "medium_stability", "max_unknown_for_high", "neighbours", "neighbours_to_agree",
    ]
)


def load_knowledge(data_dir: Path = DATA_DIR) -> Knowledge:
    """Read and validate every data file; raise BankError listing every problem."""
    bank = load_bank(data_dir)
    raw_sources = read_toml("sources.toml", data_dir)
    problems: list[str] = []
    presets, providers = parse_prices(read_toml("prices.toml", data_dir), raw_sources, problems)
    prices = read_toml("prices.toml", data_dir)
    axes = parse_axes(read_toml("axes.toml", data_dir), raw_sources, problems)
    rules = Parser(bank, raw_sources, problems, [a.key for a in axes]).rules(read_toml("rules.toml", data_dir))
    cases = load_cases(bank, data_dir, problems)
    reasons = parse_reasons(read_toml("reasons.toml", data_dir), rules, raw_sources, problems)
    if problems:
        raise BankError(problems)
    calls = tuple(float(c) for c in prices.get("chart_calls", []))
    return Knowledge(bank, rules, axes, presets, str(prices["default"]), providers, calls, cases, reasons)


class Parser(Checker):
    """Validates parsed rules.toml against the bank and the axes of axes.toml, appending every problem to one list."""

    def __init__(self, bank: Bank, sources: Mapping[str, Any], problems: list[str], axes: Sequence[str]) -> None:
        super().__init__(bank, sources, problems)
        self.axes = tuple(axes)
        self.scored = tuple(x for x in self.axes if x != COST)  # cost comes from the cost model, not the rules

    def rules(self, raw: Mapping[str, Any]) -> Rules:
        """Build the Rules, checking every section."""
        if not str(raw.get("rules_version", "")).strip():
            self.problems.append("rules: missing rules_version")
        deltas = self.deltas(raw.get("deltas", []))
        self.coverage(deltas, raw.get("neutral", {}), raw.get("numeric", {}))
        ignored = {
            str(i.get("question")): (self.when(i.get("when"), "ignored"), str(i.get("reason", "")))
            for i in raw.get("ignored", [])
        }
        self.known_questions(ignored, "ignored")
        apps = raw.get("approaches", {})
        self.exact(apps, APPROACHES, "approaches")
        static = self.static(apps)
        combos = tuple(self.combo(c) for c in raw.get("combos", []))
        gates = tuple(self.gate(g) for g in raw.get("gates", []))
        advisories = tuple(self.notice(n, f"A{i}", set()) for i, n in enumerate(raw.get("advisories", []), 1))
        facts = {"companion", "as_of", "train_on"}  # train_on: where the tuned approaches are costed (tuning.py)
        steps = tuple(self.notice(n, f"N{i}", facts) for i, n in enumerate(raw.get("next_steps", []), 1))
        cost_rules, ladder = self.cost_rules(raw.get("cost_rules", {})), self.ladder(raw.get("ladder", {}))
        self.thresholds.setdefault(ladder.question, set()).update(ladder.bounds)
        return Rules(
            str(raw.get("rules_version", "")), {a: str(apps.get(a, {}).get("label", a)) for a in APPROACHES},
            static, self.base(raw.get("base", {})), ladder, deltas, ignored, combos, gates, advisories, steps,
            self.axis_text(raw.get("axis_text", {}), static), self.phrases(raw.get("phrases", {})),
            self.confidence(raw.get("confidence", {})), cost_rules, frozenset(self.referenced),
            {q: tuple(sorted(t)) for q, t in self.thresholds.items()},
            tuple(str(c.get("text", "")) for c in raw.get("choices", [])),
        )

    # ------------------------------------------------------------ sections
    def static(self, apps: Mapping[str, Any]) -> dict[str, dict[str, Text]]:
        """The §6.8 text of each approach on each axis the approaches describe: all of them or none, so that an
        axis can be added with its base scores alone (its report cells then show the axis help)."""
        described = [x for x in self.axes if any(x in apps.get(a, {}) for a in APPROACHES)]
        return {a: {x: self.text(apps.get(a, {}).get(x), f"approach {a} {x}") for x in described} for a in APPROACHES}

    def base(self, raw: Mapping[str, Any]) -> dict[str, dict[str, float]]:
        """The base matrix: every approach, every scored axis, grounding and sources."""
        self.exact(raw, APPROACHES, "base")
        out = {}
        for a in APPROACHES:
            row = raw.get(a, {})
            self.text({"text": row.get("grounding"), "sources": row.get("sources")}, f"base {a}")
            out[a] = {x: self.number(row.get(x), f"base {a}.{x}") for x in self.scored}
        return out

    def ladder(self, raw: Mapping[str, Any]) -> Ladder:
        """The data ladder: ascending bounds, one score per band per approach, band notes."""
        q, bounds = str(raw.get("question")), [int(b) for b in raw.get("bounds", [])]
        if q not in self.bank.questions or self.bank.questions[q].kind is not Kind.INT:
            self.problems.append(f"ladder: {q!r} is not a numeric question")
        if bounds != sorted(set(bounds)) or raw.get("axis") not in self.scored:
            self.problems.append("ladder: bounds must ascend and the axis must be a scored axis")
        scores = {a: tuple(float(s) for s in v) for a, v in raw.get("scores", {}).items()}
        for a, v in scores.items():
            if a not in APPROACHES or len(v) != len(bounds) + 1:
                self.problems.append(f"ladder: {a!r} needs a known approach and {len(bounds) + 1} scores")
        bands = raw.get("bands", [])
        if len(bands) != len(bounds) + 1:
            self.problems.append(f"ladder: needs {len(bounds) + 1} bands")
        notes = tuple(self.text({"text": b.get("note"), "sources": b.get("sources")}, "ladder band") for b in bands)
        return Ladder(q, str(raw.get("axis")), tuple(bounds), scores, tuple(str(b.get("label")) for b in bands), notes)

    def deltas(self, items: list[dict[str, Any]]) -> dict[tuple[str, str], DeltaRule]:
        """One DeltaRule per (question, option); unknown ids, values, axes, approaches rejected."""
        out: dict[tuple[str, str], DeltaRule] = {}
        for item in items:
            q, o = str(item.get("question")), str(item.get("option"))
            where = f"delta {q}={o}"
            question = self.bank.questions.get(q)
            if question is None or o not in question.option_values():
                self.problems.append(f"{where}: unknown question or option")
            if (q, o) in out:
                self.problems.append(f"{where}: defined twice")
            t = self.text({"text": item.get("grounding"), "sources": item.get("sources")}, where)
            effects = self.effects(item, where, {"question", "option"})
            out[(q, o)] = DeltaRule(q, o, effects, t.text, t.sources)
        return out

    def coverage(
        self, deltas: Mapping[tuple[str, str], DeltaRule], neutral: Mapping[str, Any], numeric: Mapping[str, Any],
    ) -> None:
        """Every option of every question has a delta or is listed as neutral; numeric ones are listed."""
        self.known_questions(neutral, "neutral")
        self.known_questions(numeric, "numeric")
        for q in self.bank.questions.values():
            if q.kind is Kind.INT:
                if q.id not in numeric:
                    self.problems.append(f"numeric question {q.id!r} is not listed under [numeric]")
                continue
            listed = [str(v) for v in neutral.get(q.id, [])]
            self.problems += [f"neutral {q.id}: unknown option {v!r}" for v in listed if v not in q.option_values()]
            for v in q.option_values():
                if ((q.id, v) in deltas) == (v in listed):
                    self.problems.append(f"{q.id}={v}: needs exactly one of a delta or a neutral listing")

    def combo(self, item: Mapping[str, Any]) -> ComboRule:
        """A combination rule; its condition may name earlier rules."""
        cid = str(item.get("id"))
        when = self.when(item.get("when"), f"combo {cid}")
        t = self.text({"text": item.get("grounding"), "sources": item.get("sources")}, f"combo {cid}")
        effects = self.effects(item, f"combo {cid}", {"id", "name", "when"})
        self.unique(cid, self.combos, "combination rule")
        if cid in RESERVED_GROUPS or cid in self.bank.questions:  # a report's reasons are grouped by these names
            self.problems.append(f"combo {cid}: the id is taken by a question or a reason group; use R<n>")
        return ComboRule(cid, str(item.get("name", "")), when, effects, t.text, t.sources)

    def gate(self, item: Mapping[str, Any]) -> GateRule:
        """A gate: condition, blocks (with optional `unless`), forced outcome, companion rule."""
        gid = str(item.get("id"))
        when = self.when(item.get("when"), f"gate {gid}")
        blocks = []
        for b in item.get("blocks", []):
            self.approaches(b.get("approaches"), f"gate {gid}")
            unless = self.when(b["unless"], f"gate {gid}") if "unless" in b else None
            blocks.append(Block(tuple(b.get("approaches", [])), unless))
        forces = item.get("forces")
        if forces is not None:
            self.approaches([forces], f"gate {gid}")
        companion = self.when(item["companion_when"], f"gate {gid}") if "companion_when" in item else None
        t = self.text({"text": item.get("text"), "sources": item.get("sources")}, f"gate {gid}")
        self.unique(gid, self.gates, "gate")
        return GateRule(gid, str(item.get("name", "")), when, tuple(blocks), forces, companion, t.text, t.sources)

    def notice(self, item: Mapping[str, Any], default_id: str, facts: set[str]) -> Notice:
        """An advisory or next step: condition, text (placeholders checked) and sources."""
        nid = str(item.get("id", default_id))
        t = self.text({"text": item.get("text"), "sources": item.get("sources")}, nid)
        self.placeholders(t.text, facts, nid)
        return Notice(nid, self.when(item.get("when"), nid), t.text, t.sources)

    def axis_text(self, raw: Mapping[str, Any], static: Mapping[str, Mapping[str, Text]]) -> dict[str, dict[str, str]]:
        """Per-axis sentence templates with per-approach overrides, for axes the approaches describe (the templates
        start from that {static} text); an axis without one shows the axis help. Placeholders checked."""
        described = static[APPROACHES[0]]
        self.problems += [f"axis_text {x}: not an axis the approaches describe" for x in raw if x not in described]
        for axis, table in raw.items():
            if "default" not in table or set(table) - {"default", *APPROACHES}:
                self.problems.append(f"axis_text {axis}: needs a default and only approach overrides")
            for key, template in table.items():
                self.placeholders(str(template), set(TEXT_FACTS), f"axis_text {axis}.{key}")
        return {a: {k: str(v) for k, v in t.items()} for a, t in raw.items()}

    def phrases(self, raw: Mapping[str, Any]) -> dict[str, dict[str, str]]:
        """Phrases per question option (every option covered) plus the fixed `report` table."""
        missing = REPORT_PHRASES - set(raw.get("report", {}))
        self.problems += [f"phrases report: missing {k!r}" for k in sorted(missing)]
        for q, table in raw.items():
            if q == "report":
                continue
            question = self.bank.questions.get(q)
            if question is None or set(table) != set(question.option_values()):
                self.problems.append(f"phrases {q}: must name every option of a known question")
        return {q: {k: str(v) for k, v in t.items()} for q, t in raw.items()}

    def confidence(self, raw: Mapping[str, Any]) -> Confidence:
        """Monte-Carlo settings and label thresholds."""
        numbers = {k: self.number(raw.get(k), f"confidence.{k}") for k in CONFIDENCE_KEYS}
        listed = tuple(str(x) for x in raw.get("mc_axis_order", []))
        if len(set(listed)) != len(listed) or not set(listed) <= set(self.axes):
            self.problems.append("confidence: mc_axis_order must list known axes, each once")
        # Axes it leaves out are drawn after the listed ones, in axes.toml order: a new axis needs no entry here.
        order = listed + tuple(x for x in self.axes if x not in listed)
        self.text({"text": raw.get("rule_based"), "sources": raw.get("sources")}, "confidence")
        return Confidence(numbers, order, str(raw.get("rule_based", "")), str(raw.get("only_feasible", "")))

    def cost_rules(self, raw: Mapping[str, Any]) -> dict[str, Condition]:
        """The conditions the cost model reads; option names it relies on must exist."""
        names = ("hosted_allowed", "self_host_allowed", "full_in_house", "frequent_retrain")
        volume = (
            set(self.bank.questions["knowledge_volume"].option_values())
            if "knowledge_volume" in self.bank.questions else set()
        )
        churn = (
            set(self.bank.questions["knowledge_churn"].option_values())
            if "knowledge_churn" in self.bank.questions else set()
        )
        if not (set(CORPUS_PARAM) | set(STORE_PARAM)) <= volume or churn != set(RHO_PARAM):
            self.problems.append("cost model: knowledge_volume / knowledge_churn options do not match")
        return {n: self.when(raw.get(n), f"cost_rules.{n}") for n in names}

    # ------------------------------------------------------------ pieces
    def effects(self, item: Mapping[str, Any], where: str, extra: set[str]) -> tuple[Effect, ...]:
        """Axis tables of approach -> delta; the cost axis is computed and takes none."""
        allowed = {"grounding", "sources", "name", *extra, *self.scored}
        self.problems += [f"{where}: unknown key {k!r}" for k in item if k not in allowed]
        out = []
        for axis in self.scored:
            for a, d in item.get(axis, {}).items():
                self.approaches([a], where)
                out.append(Effect(a, axis, self.number(d, f"{where} {axis}.{a}")))
        return tuple(out)


__all__ = ["APPROACHES", "Confidence", "Context", "Knowledge", "Rules", "load_knowledge", "parse_axes"]
