"""One broken-data test per error message of the knowledge loaders: bank, axes, prices, rules and conditions.

Each case breaks one thing in a copy of the shipped, parsed data and expects exactly the problems that break names:
no message missing, none extra, each worded as shipped (admins read them when an edit is refused).
"""

from __future__ import annotations

import copy
import datetime
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from app.engine.axes import parse_axes
from app.engine.bank import DATA_DIR, BankError, build_bank, read_toml
from app.engine.cost import parse_prices
from app.engine.rules import Parser, load_bank, load_knowledge

Raw = dict[str, Any]
SOURCES = read_toml("sources.toml")
NAMES = ("questions.toml", "axes.toml", "prices.toml", "rules.toml")
QUESTIONS, AXES_RAW, PRICES, RULES = (read_toml(name) for name in NAMES)
BANK = load_bank()  # an input to the parsers only: what a loader builds is built inside each test (see below)
AXIS_KEYS = [str(a["key"]) for a in AXES_RAW["axes"]]


def question(raw: Raw, qid: str) -> Raw:
    """The questions.toml table of one question."""
    return next(q for q in raw["questions"] if q["id"] == qid)


def bank_problems(change: Callable[[Raw], None]) -> list[str]:
    """The problems build_bank reports for questions.toml after `change`."""
    raw = copy.deepcopy(QUESTIONS)
    change(raw)
    try:
        build_bank(raw, SOURCES)
    except BankError as error:
        return error.problems
    return []


def test_the_shipped_data_has_no_problem() -> None:
    problems: list[str] = []
    parse_axes(AXES_RAW, SOURCES, problems)
    parse_prices(PRICES, SOURCES, problems)
    Parser(BANK, SOURCES, problems, AXIS_KEYS).rules(RULES)
    assert problems == [] and bank_problems(lambda raw: None) == []


def test_a_bank_error_lists_every_problem_in_its_message() -> None:
    error = BankError(["first", "second"])
    assert str(error) == "invalid Tunewise data:\n- first\n- second" and error.problems == ["first", "second"]


def _drop_step_questions(raw: Raw) -> None:
    raw["questions"] = [q for q in raw["questions"] if q["step"] != raw["steps"][-1]["slug"]]


BANK_CASES: list[tuple[str, Callable[[Raw], None], list[str]]] = [
    ("duplicate step", lambda r: r["steps"].append(dict(r["steps"][0])), ["duplicate step slugs"]),
    ("duplicate id", lambda r: r["questions"].append(dict(question(r, "eval_set"))),
     ["duplicate question id 'eval_set'"]),
    ("unknown kind", lambda r: question(r, "eval_set").update(kind="slider"),
     ["question 'eval_set': unknown kind 'slider'"]),
    ("missing label", lambda r: question(r, "eval_set").update(label="  "), ["question 'eval_set': missing label"]),
    ("missing help", lambda r: question(r, "eval_set").pop("help"), ["question 'eval_set': missing help"]),
    ("missing why", lambda r: question(r, "eval_set").update(why=""), ["question 'eval_set': missing why"]),
    ("unknown step", lambda r: question(r, "eval_set").update(step="nowhere"),
     ["question 'eval_set': unknown step 'nowhere'"]),
    ("unknown tag", lambda r: question(r, "eval_set").update(sources=["S0", "S99"]),
     ["question 'eval_set': unknown source tag 'S99'"]),
    ("no source", lambda r: question(r, "eval_set").update(sources=[]), ["question 'eval_set': names no source"]),
    ("int bounds", lambda r: question(r, "monthly_calls").update(minimum=5, maximum=4),
     ["question 'monthly_calls': needs integer minimum <= maximum"]),
    ("int bound type", lambda r: question(r, "monthly_calls").update(maximum=2.5),
     ["question 'monthly_calls': needs integer minimum <= maximum"]),
    ("int default", lambda r: question(r, "monthly_calls").update(default=-1),
     ["question 'monthly_calls': default must be an integer within its bounds"]),
    ("int default type", lambda r: question(r, "monthly_calls").update(default="many"),
     ["question 'monthly_calls': default must be an integer within its bounds"]),
    ("unit", lambda r: question(r, "monthly_calls").pop("unit"), ["question 'monthly_calls': missing unit"]),
    ("one option", lambda r: question(r, "eval_set").update(options=question(r, "eval_set")["options"][:1],
                                                            default=question(r, "eval_set")["options"][0]["value"]),
     ["question 'eval_set': needs at least two distinct options"]),
    ("same options", lambda r: question(r, "eval_set").update(options=[question(r, "eval_set")["options"][0]] * 2,
                                                              default=question(r, "eval_set")["options"][0]["value"]),
     ["question 'eval_set': needs at least two distinct options"]),
    ("reserved", lambda r: question(r, "eval_set")["options"].append({"value": "unknown", "label": "Not sure"}),
     ["question 'eval_set': the option value 'unknown' is reserved for \"Not sure\""]),
    ("default", lambda r: question(r, "eval_set").update(default="lots"),
     ["question 'eval_set': default 'lots' is not one of its options"]),
    ("multi default", lambda r: question(r, "gap_types").update(default="behavior"),
     ["question 'gap_types': a multi-select question has no default (reading 18)"]),
]


@pytest.mark.parametrize(("change", "expected"), [c[1:] for c in BANK_CASES], ids=[c[0] for c in BANK_CASES])
def test_each_bank_message(change: Callable[[Raw], None], expected: list[str]) -> None:
    assert bank_problems(change) == expected


def test_a_step_without_questions_is_named() -> None:
    slug = QUESTIONS["steps"][-1]["slug"]
    assert bank_problems(_drop_step_questions) == [f"step {slug!r} has no questions"]


def test_a_question_without_id_is_named_by_its_position() -> None:
    order = QUESTIONS["questions"].index(question(QUESTIONS, "eval_set"))
    assert bank_problems(lambda r: question(r, "eval_set").update(id="")) == [f"question {order!r}: missing id"]


def test_the_bank_keeps_every_field_of_a_question() -> None:
    bank = load_bank()  # built here, not at import: mutation testing swaps the loader in each test's process
    q = bank.questions["monthly_calls"]
    raw = question(QUESTIONS, "monthly_calls")
    assert (q.minimum, q.maximum, q.unit, q.default) == (raw["minimum"], raw["maximum"], raw["unit"], raw["default"])
    assert (q.label, q.help, q.why, q.sources) == (raw["label"], raw["help"], raw["why"], tuple(raw["sources"]))
    assert [s.slug for s in bank.steps] == [s["slug"] for s in QUESTIONS["steps"]]
    assert [s.number for s in bank.steps] == list(range(1, len(QUESTIONS["steps"]) + 1))
    first = QUESTIONS["steps"][0]
    assert (bank.steps[0].title, bank.steps[0].intro) == (first["title"], first["intro"])
    assert bank.version == QUESTIONS["bank_version"] and [q.order for q in bank.questions.values()] == list(
        range(len(QUESTIONS["questions"])))


# ------------------------------------------------------------------ axes.toml
# A refused axis counts with weight 0, so the sum check names it too unless its weight was 0.
def axes_problems(change: Callable[[list[Raw]], None]) -> list[str]:
    """The problems parse_axes reports for axes.toml after `change` (given the list of [[axes]] tables)."""
    raw = copy.deepcopy(AXES_RAW)
    change(raw["axes"])
    problems: list[str] = []
    parse_axes(raw, SOURCES, problems)
    return problems


def _swap_weight(axes: list[Raw], key: str, value: Any) -> None:
    """Give one axis a new weight and move the difference onto fit, so the sum stays 1 where it can."""
    axis = next(a for a in axes if a["key"] == key)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        axes[0]["weight"] += axis["weight"] - value
    axis["weight"] = value


AXES_CASES: list[tuple[str, Callable[[list[Raw]], None], list[str]]] = [
    ("key case", lambda a: a[1].update(key="Data"),
     ["axes: key 'Data' must be lower-case letters and digits, starting with a letter"]),
    ("key underscore", lambda a: a[1].update(key="da_ta"),
     ["axes: key 'da_ta' must be lower-case letters and digits, starting with a letter"]),
    ("key digit", lambda a: a[1].update(key="2data"),
     ["axes: key '2data' must be lower-case letters and digits, starting with a letter"]),
    ("no label", lambda a: a[1].update(label=""),
     ["axis 'data': needs a label, help and a non-negative weight", "axes: default weights must sum to 1"]),
    ("no help", lambda a: a[1].pop("help"),
     ["axis 'data': needs a label, help and a non-negative weight", "axes: default weights must sum to 1"]),
    ("negative", lambda a: _swap_weight(a, "data", -0.1),
     ["axis 'data': needs a label, help and a non-negative weight", "axes: default weights must sum to 1"]),
    ("text weight", lambda a: a[1].update(weight="0.2"),
     ["axis 'data': needs a label, help and a non-negative weight", "axes: default weights must sum to 1"]),
    ("zero weight", lambda a: _swap_weight(a, "data", 0), []),
    ("no sources", lambda a: a[1].update(sources=[]), ["axis 'data': missing or unknown source tags"]),
    ("unknown tag", lambda a: a[1].update(sources=["M1", "X9"]), ["axis 'data': missing or unknown source tags"]),
    ("twice", lambda a: a.append({**a[1], "weight": 0.0}), ["axes: 'data' is defined more than once"]),
    ("no fit", lambda a: a[0].update(key="fitness"), ["axes: must define the 'fit' axis"]),
    ("no cost", lambda a: a.remove(next(x for x in a if x["key"] == "cost")) or a[0].update(
        weight=a[0]["weight"] + next(x for x in AXES_RAW["axes"] if x["key"] == "cost")["weight"]),
     ["axes: must define the 'cost' axis"]),
    ("sum", lambda a: a[0].update(weight=a[0]["weight"] + 0.001), ["axes: default weights must sum to 1"]),
    ("sum within rounding", lambda a: a[0].update(weight=a[0]["weight"] + 1e-7), []),
]


@pytest.mark.parametrize(("change", "expected"), [c[1:] for c in AXES_CASES], ids=[c[0] for c in AXES_CASES])
def test_each_axes_message(change: Callable[[list[Raw]], None], expected: list[str]) -> None:
    assert axes_problems(change) == expected


def test_axes_keep_their_fields_in_file_order() -> None:
    axes = parse_axes(AXES_RAW, SOURCES, [])
    raw = AXES_RAW["axes"]
    assert [(a.key, a.label, a.help, a.weight, a.sources) for a in axes] == [
        (x["key"], x["label"], x["help"], x["weight"], tuple(x["sources"])) for x in raw
    ]
    assert parse_axes({}, SOURCES, problems := []) == () and problems == [
        "axes: must define the 'fit' axis", "axes: must define the 'cost' axis", "axes: default weights must sum to 1"]


# ------------------------------------------------------------------ prices.toml
def prices_problems(change: Callable[[Raw], None]) -> list[str]:
    """The problems parse_prices reports for prices.toml after `change`."""
    raw = copy.deepcopy(PRICES)
    change(raw)
    problems: list[str] = []
    parse_prices(raw, SOURCES, problems)
    return problems


def preset(raw: Raw, index: int = 0) -> Raw:
    return raw["presets"][index]  # type: ignore[no-any-return]


PRICE_CASES: list[tuple[str, Callable[[Raw], None], list[str]]] = [
    ("parameter source", lambda r: r["parameters"]["p_in"].update(sources=[]), ["parameter p_in: names no source"]),
    ("parameter sources not a list", lambda r: r["parameters"]["p_in"].update(sources="O5"),
     ["parameter p_in: names no source"]),
    ("parameter tag", lambda r: r["parameters"]["p_in"].update(sources=["O5", "Q1"]),
     ["parameter p_in: unknown source tag 'Q1'"]),
    ("duplicate preset", lambda r: r["presets"].append(copy.deepcopy(preset(r))),
     ["duplicate price preset 'gpt-4.1-mini'"]),
    ("provider", lambda r: preset(r).update(provider="acme"), ["preset 'gpt-4.1-mini': unknown provider 'acme'"]),
    ("default", lambda r: r.update(default="cheapest"), ["default price preset 'cheapest' is not defined"]),
    ("missing", lambda r: preset(r)["values"].pop("gpu_rate"), ["preset 'gpt-4.1-mini': missing parameter 'gpu_rate'"]),
    ("unknown", lambda r: preset(r)["values"].update(gpu_rat=1.0),
     ["preset 'gpt-4.1-mini': unknown parameter 'gpu_rat'"]),
    ("negative", lambda r: preset(r)["values"].update(ft_hosting=-2),
     ["preset 'gpt-4.1-mini': parameter 'ft_hosting' must be a non-negative number"]),
    ("boolean", lambda r: preset(r)["values"].update(ft_hosting=True),
     ["preset 'gpt-4.1-mini': parameter 'ft_hosting' must be a non-negative number"]),
    ("text", lambda r: preset(r)["values"].update(ft_hosting="2"),
     ["preset 'gpt-4.1-mini': parameter 'ft_hosting' must be a non-negative number"]),
    ("zero", lambda r: preset(r)["values"].update(ft_hosting=0), []),
    ("no name", lambda r: preset(r).pop("name"), ["preset 'gpt-4.1-mini': needs a name and an as_of date"]),
    ("text date", lambda r: preset(r).update(as_of="2026-08-05"),
     ["preset 'gpt-4.1-mini': needs a name and an as_of date"]),
    ("preset source", lambda r: preset(r).update(sources=["Z0"]), ["preset 'gpt-4.1-mini': unknown source tag 'Z0'"]),
    ("preset no source", lambda r: preset(r).pop("sources"), ["preset 'gpt-4.1-mini': names no source"]),
    ("tuning_open", lambda r: r["providers"][0].update(tuning_open="no"),
     ["provider 'openai': tuning_open and supports_sft must be true or false"]),
    ("supports_sft", lambda r: r["providers"][0].pop("supports_sft"),
     ["provider 'openai': tuning_open and supports_sft must be true or false"]),
    ("provider source", lambda r: r["providers"][0].update(sources=[]), ["provider 'openai': names no source"]),
]


@pytest.mark.parametrize(("change", "expected"), [c[1:] for c in PRICE_CASES], ids=[c[0] for c in PRICE_CASES])
def test_each_prices_message(change: Callable[[Raw], None], expected: list[str]) -> None:
    assert prices_problems(change) == expected


def test_presets_and_providers_keep_their_fields() -> None:
    presets, providers = parse_prices(PRICES, SOURCES, [])
    raw, shipped = preset(PRICES), presets["gpt-4.1-mini"]
    assert (shipped.name, shipped.provider, shipped.note, shipped.sources) == (
        raw["name"], raw["provider"], raw["note"], tuple(raw["sources"]))
    assert shipped.as_of == str(raw["as_of"]) and isinstance(raw["as_of"], datetime.date)
    assert shipped.values == {k: float(x) for k, x in raw["values"].items()}
    bad, _ = parse_prices({**PRICES, "presets": [{**raw, "values": {**raw["values"], "infra": -1}}]}, SOURCES, [])
    assert "infra" not in bad["gpt-4.1-mini"].values  # a refused value is left out, not kept
    openai, raw_openai = providers["openai"], PRICES["providers"][0]
    assert (openai.name, openai.supports_sft, openai.tuning_open, openai.hosting, openai.sources) == (
        raw_openai["name"], raw_openai["supports_sft"], raw_openai["tuning_open"], raw_openai["hosting"],
        tuple(raw_openai["sources"]))
    assert openai.events[0] == (str(raw_openai["events"][0]["date"]), raw_openai["events"][0]["text"])
    assert list(providers) == [p["id"] for p in PRICES["providers"]]


def test_steps_and_defaults_of_the_bank() -> None:
    bank = load_bank()  # built here, not at import: mutation testing swaps the loader in each test's process
    assert bank.step(bank.steps[1].slug) is bank.steps[1]
    with pytest.raises(KeyError, match="nowhere"):
        bank.step("nowhere")
    defaults = bank.defaults()
    assert defaults == {q["id"]: q["default"] for q in QUESTIONS["questions"] if "default" in q}
    assert "gap_types" not in defaults and defaults["failure_mode"] == "not_observed"


def test_every_file_is_read_from_the_given_directory(tmp_path: Path) -> None:
    """A knowledge directory is read whole: a tag added to its sources.toml may be cited, its chart volumes count."""
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    with open(data / "sources.toml", "a", encoding="utf-8") as handle:
        handle.write('Z9 = { title = "A source only this copy has", url = "" }\n')
    axes = (data / "axes.toml").read_text(encoding="utf-8")
    axes = axes.replace('sources = ["M1", "O1"]', 'sources = ["M1", "Z9"]', 1)
    (data / "axes.toml").write_text(axes, encoding="utf-8")
    prices = (data / "prices.toml").read_text(encoding="utf-8")
    prices = prices.replace(f"chart_calls = {PRICES['chart_calls']}".replace("'", ""), "chart_calls = [10, 20]")
    (data / "prices.toml").write_text(prices.replace('default = "gpt-4.1-mini"', 'default = "vertex-gemini-2.0-flash"'),
                                      encoding="utf-8")
    questions = (data / "questions.toml").read_text(encoding="utf-8")
    label = question(QUESTIONS, "eval_set")["label"]
    questions = questions.replace(f'label = "{label}"', 'label = "Our own wording"', 1)
    (data / "questions.toml").write_text(questions.replace('sources = ["S0", "S1", "O8"]', 'sources = ["Z9"]', 1),
                                         encoding="utf-8")
    k = load_knowledge(data)
    assert k.bank.questions["eval_set"].label == "Our own wording" and k.bank.questions["gap_types"].sources == ("Z9",)
    assert next(a for a in k.axes if a.key == "data").sources == ("M1", "Z9")
    assert k.chart_calls == (10.0, 20.0) and k.default_preset == "vertex-gemini-2.0-flash"


def test_an_empty_price_file_names_only_its_missing_default() -> None:
    problems: list[str] = []
    assert parse_prices({}, SOURCES, problems) == ({}, {})
    assert problems == ["default price preset None is not defined"]


def test_a_bare_preset_and_provider_are_read_with_empty_fields() -> None:
    problems: list[str] = []
    raw = {"parameters": {}, "default": "bare", "presets": [{"id": "bare"}], "providers": [{"id": "acme"}, {
        "id": "dated", "tuning_open": True, "supports_sft": True, "sources": ["O5"], "events": [{}, {"date": "2026"}]}]}
    presets, providers = parse_prices(raw, SOURCES, problems)
    bare = presets["bare"]
    assert (bare.name, bare.provider, bare.as_of, bare.note, bare.sources) == ("", "", "", "", ())
    assert dict(bare.values) == {}
    acme = providers["acme"]
    assert (acme.id, acme.name, acme.hosting, acme.sources, acme.events, acme.tuning_open) == (
        "acme", "", "", (), (), False)
    assert providers["dated"].events == (("", ""), ("2026", "")) and providers["dated"].supports_sft
    assert problems == [
        "provider 'acme': tuning_open and supports_sft must be true or false", "provider 'acme': names no source",
        "preset 'bare': needs a name and an as_of date", "preset 'bare': names no source",
        "preset 'bare': unknown provider ''",
    ]


def test_a_refused_axis_counts_with_weight_zero() -> None:
    def axis(key: str, weight: Any, **more: Any) -> Raw:
        return {"key": key, "label": key.title(), "help": "h", "sources": ["S0"], "weight": weight, **more}
    problems: list[str] = []
    axes = parse_axes({"axes": [axis("fit", -1), axis("cost", 0)]}, SOURCES, problems)
    assert [a.weight for a in axes] == [0.0, 0.0]
    assert problems == [
        "axis 'fit': needs a label, help and a non-negative weight", "axes: default weights must sum to 1"]
    problems = []
    bare = {"key": "fit", "label": "Fit", "help": "h", "weight": 1.0}
    axes = parse_axes({"axes": [bare, axis("cost", 0)]}, SOURCES, problems)
    assert axes[0].sources == () and problems == ["axis 'fit': missing or unknown source tags"]


def test_a_knowledge_directory_without_chart_volumes_has_none(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    prices = (data / "prices.toml").read_text(encoding="utf-8")
    (data / "prices.toml").write_text(prices.replace("chart_calls = [", "unused_calls = [", 1), encoding="utf-8")
    assert load_knowledge(data).chart_calls == ()


def test_sources_and_a_bank_without_steps() -> None:
    bank = load_bank()  # built here, not at import: mutation testing swaps the loader in each test's process
    o1 = bank.sources["O1"]
    assert (o1.tag, o1.title, o1.url) == ("O1", SOURCES["O1"]["title"], SOURCES["O1"]["url"])
    bank = build_bank({}, {"Q9": {}})
    assert (bank.version, bank.steps, dict(bank.questions)) == ("", (), {})
    assert (bank.sources["Q9"].tag, bank.sources["Q9"].title, bank.sources["Q9"].url) == ("Q9", "", "")
    with pytest.raises(BankError) as caught:
        build_bank({"steps": [{}]}, {})
    assert caught.value.problems == ["step '' has no questions"]


def test_numeric_bounds_may_meet_and_a_default_may_sit_on_either_bound() -> None:
    for low, high, default in ((5, 5, 5), (0, 10, 10), (0, 10, 0)):
        assert bank_problems(lambda r, b=(low, high, default): question(r, "monthly_calls").update(
            minimum=b[0], maximum=b[1], default=b[2])) == []


def test_a_choice_question_has_no_bounds_or_unit() -> None:
    eval_set = load_bank().questions["eval_set"]
    raw = question(QUESTIONS, "eval_set")
    assert (eval_set.minimum, eval_set.maximum, eval_set.unit) == (0, 0, "")
    assert [(o.value, o.label) for o in eval_set.options] == [(o["value"], o["label"]) for o in raw["options"]]
    assert (eval_set.id, eval_set.step, eval_set.label, eval_set.help, eval_set.why) == (
        raw["id"], raw["step"], raw["label"], raw["help"], raw["why"])
