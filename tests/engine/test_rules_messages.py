"""One broken-data test per error message of rules.toml's parser and its condition compiler (conditions.py).

Each case breaks one thing in a copy of the shipped, parsed rules.toml and expects exactly the problems it names.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from app.engine.bank import build_bank, read_toml
from app.engine.model import Bank
from app.engine.rules import APPROACHES, CONFIDENCE_KEYS, Parser, load_bank

Raw = dict[str, Any]
SOURCES, RULES, QUESTIONS = read_toml("sources.toml"), read_toml("rules.toml"), read_toml("questions.toml")
BANK = load_bank()
AXES = [str(a["key"]) for a in read_toml("axes.toml")["axes"]]


def problems_of(change: Callable[[Raw], None], bank: Bank = BANK) -> list[str]:
    """The problems the parser reports for rules.toml after `change`."""
    raw = copy.deepcopy(RULES)
    change(raw)
    problems: list[str] = []
    Parser(bank, SOURCES, problems, AXES).rules(raw)
    return problems


def gate(raw: Raw, gid: str) -> Raw:
    return next(g for g in raw["gates"] if g["id"] == gid)  # type: ignore[no-any-return]


def combo(raw: Raw, cid: str) -> Raw:
    return next(c for c in raw["combos"] if c["id"] == cid)  # type: ignore[no-any-return]


CASES: list[tuple[str, Callable[[Raw], None], list[str]]] = [
    ("version", lambda r: r.update(rules_version=" "), ["rules: missing rules_version"]),
    (
        "delta twice",
        lambda r: r["deltas"].append(copy.deepcopy(r["deltas"][0])),
        ["delta gap_types=behavior: defined twice"],
    ),
    (
        "delta unknown",
        lambda r: r["deltas"][0].update(question="gaps"),
        [
            "delta gaps=behavior: unknown question or option",
            "gap_types=behavior: needs exactly one of a delta or a neutral listing",
        ],
    ),
    (
        "numeric",
        lambda r: r["numeric"].pop("monthly_calls"),
        ["numeric question 'monthly_calls' is not listed under [numeric]"],
    ),
    (
        "neutral unknown option",
        lambda r: r["neutral"]["failure_mode"].append("sometimes"),
        ["neutral failure_mode: unknown option 'sometimes'"],
    ),
    ("neutral unknown q", lambda r: r["neutral"].update(colour=["red"]), ["neutral: unknown question 'colour'"]),
    ("numeric unknown q", lambda r: r["numeric"].update(colour={}), ["numeric: unknown question 'colour'"]),
    ("ignored unknown q", lambda r: r["ignored"][0].update(question="churn"), ["ignored: unknown question 'churn'"]),
    (
        "approach missing",
        lambda r: r["approaches"].pop("RAG"),
        [
            "approaches: missing 'RAG'",
            "approach RAG fit: missing text",
            "approach RAG fit: names no source",
            "approach RAG data: missing text",
            "approach RAG data: names no source",
            "approach RAG speed: missing text",
            "approach RAG speed: names no source",
            "approach RAG cost: missing text",
            "approach RAG cost: names no source",
            "approach RAG risk: missing text",
            "approach RAG risk: names no source",
            "approach RAG change: missing text",
            "approach RAG change: names no source",
        ],
    ),
    ("approach unknown", lambda r: r["approaches"].update(RAGG=r["approaches"]["RAG"]), ["approaches: unknown 'RAGG'"]),
    ("static text", lambda r: r["approaches"]["RAG"]["fit"].update(text=" "), ["approach RAG fit: missing text"]),
    (
        "static sources",
        lambda r: r["approaches"]["RAG"]["fit"].update(sources=[]),
        ["approach RAG fit: names no source"],
    ),
    (
        "static tag",
        lambda r: r["approaches"]["RAG"]["fit"].update(sources=["S0", "S77"]),
        ["approach RAG fit: unknown source tag 'S77'"],
    ),
    (
        "static not table",
        lambda r: r["approaches"]["RAG"].update(fit="text"),
        ["approach RAG fit: missing text", "approach RAG fit: names no source"],
    ),
    (
        "combo later",
        lambda r: combo(r, "R2")["when"][0].update(combo="R9"),
        ["combo R2: unknown or later combination rule 'R9'"],
    ),
    ("combo dup", lambda r: combo(r, "R3").update(id="R1"), ["duplicate combination rule 'R1'"]),
    ("combo named cost", lambda r: combo(r, "R11").update(id="cost"),
     ["combo cost: the id is taken by a question or a reason group; use R<n>"]),
    ("combo named ladder", lambda r: combo(r, "R11").update(id="ladder"),
     ["combo ladder: the id is taken by a question or a reason group; use R<n>"]),
    ("combo named as a question", lambda r: combo(r, "R11").update(id="eval_set"),
     ["combo eval_set: the id is taken by a question or a reason group; use R<n>"]),
    (
        "when not list",
        lambda r: combo(r, "R1").update(when={"q": "eval_set"}),
        ["combo R1: `when` must be a list of conditions"],
    ),
    ("cond not table", lambda r: combo(r, "R1")["when"].append("eval_set"), ["combo R1: a condition must be a table"]),
    (
        "bad cond two ops",
        lambda r: combo(r, "R1")["when"][0].update(not_in=["adhoc"]),
        ["combo R1: bad condition {'q': 'prompt_maturity', 'in': ['systematic'], 'not_in': ['adhoc']}"],
    ),
    (
        "bad cond unknown q",
        lambda r: combo(r, "R1")["when"][0].update(q="maturity"),
        ["combo R1: bad condition {'q': 'maturity', 'in': ['systematic']}"],
    ),
    (
        "op kind",
        lambda r: combo(r, "R1")["when"][0].update(**{"has_any": combo(r, "R1")["when"][0].pop("in")}),
        ["combo R1: 'has_any' does not apply to 'prompt_maturity'"],
    ),
    (
        "no option",
        lambda r: combo(r, "R1")["when"][0].update(**{"in": ["systematic", "great"]}),
        ["combo R1: prompt_maturity has no option 'great'"],
    ),
    ("number", lambda r: gate(r, "G5")["when"][0].update(below="10"), ["gate G5: must be a number"]),
    ("number bool", lambda r: gate(r, "G5")["when"][0].update(below=True), ["gate G5: must be a number"]),
    (
        "unknown approach",
        lambda r: gate(r, "G0")["blocks"][0].update(approaches=["INTEGRATIONS"]),
        ["gate G0: unknown approach 'INTEGRATIONS'"],
    ),
    (
        "no approaches",
        lambda r: gate(r, "G0")["blocks"][0].update(approaches=[]),
        ["gate G0: needs a list of approaches"],
    ),
    ("forces", lambda r: gate(r, "G1").update(forces="TOOLS"), ["gate G1: unknown approach 'TOOLS'"]),
    (
        "gate dup",
        lambda r: gate(r, "G2").update(id="G1"),
        ["duplicate gate 'G1'", "gate G7: unknown or later gate 'G2'"],
    ),
    ("placeholder", lambda r: r["advisories"][0].update(text="Try {model}."), ["A1: unknown placeholder {model}"]),
    ("placeholder ok next", lambda r: r["next_steps"][0].update(text="With {companion} as of {as_of}."), []),
    ("ladder q", lambda r: r["ladder"].update(question="eval_set"), ["ladder: 'eval_set' is not a numeric question"]),
    (
        "ladder bounds",
        lambda r: r["ladder"].update(bounds=[10, 50, 50, 500, 1000]),
        ["ladder: bounds must ascend and the axis must be a scored axis"],
    ),
    (
        "ladder axis",
        lambda r: r["ladder"].update(axis="cost"),
        ["ladder: bounds must ascend and the axis must be a scored axis"],
    ),
    (
        "ladder scores",
        lambda r: r["ladder"]["scores"].update(LORA=[0, 2, 5]),
        ["ladder: 'LORA' needs a known approach and 6 scores"],
    ),
    (
        "ladder scores app",
        lambda r: r["ladder"]["scores"].update(LORAX=[0, 2, 5, 7, 8, 9]),
        ["ladder: 'LORAX' needs a known approach and 6 scores"],
    ),
    ("ladder bands", lambda r: r["ladder"]["bands"].pop(), ["ladder: needs 6 bands"]),
    (
        "axis_text undescribed",
        lambda r: r["axis_text"].update(speedy={"default": "x"}),
        ["axis_text speedy: not an axis the approaches describe"],
    ),
    (
        "axis_text default",
        lambda r: r["axis_text"]["fit"].pop("default"),
        ["axis_text fit: needs a default and only approach overrides"],
    ),
    (
        "axis_text override",
        lambda r: r["axis_text"]["fit"].update(TOOLS="x"),
        ["axis_text fit: needs a default and only approach overrides"],
    ),
    (
        "axis_text placeholder",
        lambda r: r["axis_text"]["fit"].update(default="{static} {colour}"),
        ["axis_text fit.default: unknown placeholder {colour}"],
    ),
    ("phrases report", lambda r: r["phrases"]["report"].pop("flip"), ["phrases report: missing 'flip'"]),
    (
        "phrases option",
        lambda r: r["phrases"]["eval_set"].pop(next(iter(r["phrases"]["eval_set"]))),
        ["phrases eval_set: must name every option of a known question"],
    ),
    (
        "phrases q",
        lambda r: r["phrases"].update(colour={"red": "x"}),
        ["phrases colour: must name every option of a known question"],
    ),
    ("conf number", lambda r: r["confidence"].update(high_margin="19"), ["confidence.high_margin: must be a number"]),
    ("conf missing", lambda r: r["confidence"].pop("mc_seed"), ["confidence.mc_seed: must be a number"]),
    (
        "conf order dup",
        lambda r: r["confidence"]["mc_axis_order"].append("fit"),
        ["confidence: mc_axis_order must list known axes, each once"],
    ),
    (
        "conf order unknown",
        lambda r: r["confidence"]["mc_axis_order"].append("speedy"),
        ["confidence: mc_axis_order must list known axes, each once"],
    ),
    ("conf order short", lambda r: r["confidence"]["mc_axis_order"].pop(), []),
    ("conf text", lambda r: r["confidence"].update(rule_based=""), ["confidence: missing text"]),
    (
        "cost rules",
        lambda r: r["cost_rules"].update(hosted_allowed="yes"),
        ["cost_rules.hosted_allowed: `when` must be a list of conditions"],
    ),
    (
        "effect key",
        lambda r: r["deltas"][0].update(riskiness={"LORA": 1}),
        ["delta gap_types=behavior: unknown key 'riskiness'"],
    ),
    (
        "effect cost",
        lambda r: r["deltas"][0].update(cost={"LORA": 1}),
        ["delta gap_types=behavior: unknown key 'cost'"],
    ),
    (
        "effect approach",
        lambda r: r["deltas"][0]["fit"].update(LORAX=1),
        ["delta gap_types=behavior: unknown approach 'LORAX'"],
    ),
    (
        "effect number",
        lambda r: r["deltas"][0]["fit"].update(LORA="4"),
        ["delta gap_types=behavior fit.LORA: must be a number"],
    ),
    (
        "base missing",
        lambda r: r["base"].pop("RAG"),
        [
            "base: missing 'RAG'",
            "base RAG: missing text",
            "base RAG: names no source",
            "base RAG.fit: must be a number",
            "base RAG.data: must be a number",
            "base RAG.speed: must be a number",
            "base RAG.risk: must be a number",
            "base RAG.change: must be a number",
        ],
    ),
    ("base number", lambda r: r["base"]["RAG"].update(fit="4"), ["base RAG.fit: must be a number"]),
    ("base grounding", lambda r: r["base"]["RAG"].update(grounding=""), ["base RAG: missing text"]),
    (
        "any",
        lambda r: gate(r, "G3")["when"][1]["any"].append({"q": "colour", "in": ["x"]}),
        ["gate G3: bad condition {'q': 'colour', 'in': ['x']}"],
    ),
    (
        "recommended_in",
        lambda r: r["next_steps"][1]["when"][1].update(primary_in=["PROMPTS"]),
        ["N2: unknown approach 'PROMPTS'"],
    ),
    (
        "unless",
        lambda r: gate(r, "G3")["blocks"][0].update(unless=[{"q": "ml_capacity", "in": ["lots"]}]),
        ["gate G3: ml_capacity has no option 'lots'"],
    ),
    (
        "companion_when",
        lambda r: gate(r, "G1").update(companion_when=[{"q": "gap_types", "has_other": ["weird"]}]),
        ["gate G1: gap_types has no option 'weird'"],
    ),
]


@pytest.mark.parametrize(("change", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_each_rules_message(change: Callable[[Raw], None], expected: list[str]) -> None:
    assert problems_of(change) == expected


def test_the_shipped_rules_have_no_problem() -> None:
    assert problems_of(lambda raw: None) == []


def test_a_gate_may_only_be_free_of_earlier_gates() -> None:
    g7 = next(g for g in RULES["gates"] if any("free_of" in c for c in g["when"]))

    def later(raw: Raw) -> None:
        next(c for c in gate(raw, g7["id"])["when"] if "free_of" in c)["free_of"] = ["G2", "G9"]

    assert problems_of(later) == [f"gate {g7['id']}: unknown or later gate 'G9'"]


def test_the_cost_model_needs_its_churn_options() -> None:
    raw = copy.deepcopy(QUESTIONS)
    churn = next(q for q in raw["questions"] if q["id"] == "knowledge_churn")
    churn["options"].append({"value": "hourly", "label": "Every hour"})
    assert problems_of(
        lambda r: r["neutral"].setdefault("knowledge_churn", []).append("hourly"), build_bank(raw, SOURCES)
    ) == [
        "cost model: knowledge_volume / knowledge_churn options do not match",
        "phrases knowledge_churn: must name every option of a known question",
    ]


def test_axes_left_out_of_the_draw_order_follow_in_axes_order() -> None:
    def short(raw: Raw) -> None:
        raw["confidence"]["mc_axis_order"] = ["cost", "fit"]

    raw = copy.deepcopy(RULES)
    short(raw)
    rules = Parser(BANK, SOURCES, [], AXES).rules(raw)
    assert rules.confidence.axis_order == ("cost", "fit", *[x for x in AXES if x not in ("cost", "fit")])


def test_the_parsed_rules_keep_what_rules_toml_says() -> None:
    rules = Parser(BANK, SOURCES, [], AXES).rules(copy.deepcopy(RULES))
    assert rules.version == RULES["rules_version"]
    assert rules.labels == {a: RULES["approaches"][a]["label"] for a in APPROACHES}
    assert [(c.id, c.name, c.grounding, c.sources) for c in rules.combos] == [
        (c["id"], c["name"], c["grounding"], tuple(c["sources"])) for c in RULES["combos"]]
    assert [(g.id, g.name, g.forces, g.text, g.sources) for g in rules.gates] == [
        (g["id"], g["name"], g.get("forces"), g["text"], tuple(g["sources"])) for g in RULES["gates"]]
    assert [b.approaches for g in rules.gates for b in g.blocks] == [
        tuple(b["approaches"]) for g in RULES["gates"] for b in g.get("blocks", [])]
    reasons = {q: reason for q, (_, reason) in rules.ignored.items()}
    assert reasons == {i["question"]: i["reason"] for i in RULES["ignored"]}
    assert rules.choices == tuple(c["text"] for c in RULES["choices"])
    assert rules.ladder.labels == tuple(b["label"] for b in RULES["ladder"]["bands"])
    assert all((d.question, d.option) == key for key, d in rules.deltas.items())
    assert [(d.grounding, d.sources) for d in rules.deltas.values()] == [
        (d["grounding"], tuple(d["sources"])) for d in RULES["deltas"]]
    assert [n.id for n in rules.advisories] == [n.get("id", f"A{i}") for i, n in enumerate(RULES["advisories"], 1)]
    assert [n.id for n in rules.next_steps] == [n.get("id", f"N{i}") for i, n in enumerate(RULES["next_steps"], 1)]
    assert [n.text for n in rules.next_steps] == [n["text"] for n in RULES["next_steps"]]


def test_an_empty_rules_file_is_refused_section_by_section() -> None:
    problems = problems_of(lambda raw: raw.clear())
    assert problems[0] == "rules: missing rules_version"
    for fragment in ("approaches: missing 'PROMPT'", "base: missing 'PROMPT'",
                     "ladder: 'None' is not a numeric question", "ladder: needs 1 bands",
                     "phrases report: missing 'hosted'", "confidence.mc_draws: must be a number",
                     "cost_rules.hosted_allowed: `when` must be a list of conditions",
                     "numeric question 'labeled_examples' is not listed under [numeric]"):
        assert fragment in problems, fragment


def test_unnamed_notices_are_numbered_from_one() -> None:
    def strip_ids(raw: Raw) -> None:
        for n in raw["advisories"]:
            n.pop("id", None)
    rules = Parser(BANK, SOURCES, [], AXES).rules(copy.deepcopy(RULES) | {"advisories": [
        {k: v for k, v in n.items() if k != "id"} for n in RULES["advisories"]]})
    assert [n.id for n in rules.advisories] == [f"A{i}" for i in range(1, len(RULES["advisories"]) + 1)]
    assert problems_of(strip_ids) == []


def test_confidence_phrases_and_axis_text_are_read_back() -> None:
    rules = Parser(BANK, SOURCES, [], AXES).rules(copy.deepcopy(RULES))
    conf = RULES["confidence"]
    assert (rules.confidence.rule_based, rules.confidence.only_feasible) == (conf["rule_based"], conf["only_feasible"])
    assert rules.confidence.numbers == {k: float(conf[k]) for k in CONFIDENCE_KEYS}
    assert rules.confidence.axis_order == tuple(conf["mc_axis_order"])
    assert rules.phrases == {q: {k: str(v) for k, v in t.items()} for q, t in RULES["phrases"].items()}
    assert rules.axis_text == {x: {k: str(v) for k, v in t.items()} for x, t in RULES["axis_text"].items()}
    assert rules.ladder.bounds == tuple(RULES["ladder"]["bounds"]) and rules.ladder.axis == RULES["ladder"]["axis"]
    assert [n.text for n in rules.ladder.notes] == [b["note"] for b in RULES["ladder"]["bands"]]
