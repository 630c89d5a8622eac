"""Loading and validating the data files; the standard-library-only import rule of app/engine."""

from __future__ import annotations

import ast
import shutil
import sys
from pathlib import Path

import pytest

from app.engine.bank import DATA_DIR, BankError
from app.engine.model import Kind
from app.engine.rules import APPROACHES, Knowledge, load_knowledge
from app.engine.scoring import fill_answers

AXES = load_knowledge().axis_keys  # the shipped axes, in axes.toml order

ENGINE = Path(__file__).resolve().parents[2] / "app" / "engine"


@pytest.fixture(scope="module")
def k() -> Knowledge:
    return load_knowledge()


def test_it_loads_every_data_file(k: Knowledge) -> None:
    assert k.rules.version
    assert [a.key for a in k.axes] == list(AXES)
    assert abs(sum(a.weight for a in k.axes) - 1) < 1e-9
    assert k.default_preset in k.presets
    assert {g.id for g in k.rules.gates} == {f"G{i}" for i in range(9)}
    assert [c.id for c in k.rules.combos] == [f"R{i}" for i in range(1, 12)]
    assert [n.id for n in k.rules.advisories] == [f"A{i}" for i in range(1, 7)]


def test_every_delta_names_a_real_option(k: Knowledge) -> None:
    assert len(k.rules.deltas) == 42
    for q, option in k.rules.deltas:
        assert k.bank.questions[q].kind is not Kind.INT
        assert option in k.bank.questions[q].option_values()


def test_every_cited_tag_exists(k: Knowledge) -> None:
    tags = set(k.bank.sources)
    cited = [t for d in k.rules.deltas.values() for t in d.sources]
    cited += [t for g in k.rules.gates for t in g.sources] + [t for p in k.presets.values() for t in p.sources]
    assert cited and set(cited) <= tags


def test_static_texts_cover_every_approach_and_axis(k: Knowledge) -> None:
    for a in APPROACHES:
        assert set(k.rules.static[a]) == set(AXES)
        assert all(t.text and t.sources for t in k.rules.static[a].values())


def _broken_copy(tmp_path: Path) -> Path:
    """A copy of the data directory with several independent mistakes."""
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    rules = (data / "rules.toml").read_text(encoding="utf-8")
    rules = rules.replace('option = "wrong_facts"', 'option = "wrong_fact"', 1)
    rules = rules.replace(
        'question = "ml_capacity"\noption = "in_house"', 'question = "ml_skills"\noption = "in_house"', 1
    )
    rules = rules.replace("fit = { PROMPT = 2, RAG = -1, LORA = 4", "fit = { PROMPT = 2, RAGG = -1, LORA = 4", 1)
    rules = rules.replace('risk = { LORA = -3, FT_FULL = -3, HYBRID = -3, RAG = -1 }', 'riskiness = { LORA = -3 }', 1)
    rules = rules.replace('sources = ["S4"]\n', 'sources = ["S99"]\n', 1)
    rules = rules.replace('eval_set = ["20to99"]\n', "", 1)
    (data / "rules.toml").write_text(rules, encoding="utf-8")
    axes = (data / "axes.toml").read_text(encoding="utf-8").replace("weight = 0.30", "weight = 0.50")
    (data / "axes.toml").write_text(axes, encoding="utf-8")
    prices = (data / "prices.toml").read_text(encoding="utf-8").replace("p_train = 5.00\n", "", 1)
    (data / "prices.toml").write_text(prices, encoding="utf-8")
    return data


def test_validation_lists_every_problem_at_once(tmp_path: Path) -> None:
    with pytest.raises(BankError) as caught:
        load_knowledge(_broken_copy(tmp_path))
    text = "\n".join(caught.value.problems)
    expected = [
        "delta failure_mode=wrong_fact: unknown question or option",
        "delta ml_skills=in_house: unknown question or option",
        "unknown approach 'RAGG'",
        "unknown key 'riskiness'",
        "unknown source tag 'S99'",
        "eval_set=20to99: needs exactly one of a delta or a neutral listing",
        "failure_mode=wrong_facts: needs exactly one of a delta or a neutral listing",
        "axes: default weights must sum to 1",
        "missing parameter 'p_train'",
    ]
    for fragment in expected:
        assert fragment in text, fragment


def test_answers_are_validated(k: Knowledge) -> None:
    with pytest.raises(ValueError, match="gap_types"):
        fill_answers(k, {})
    with pytest.raises(ValueError, match="unknown questions"):
        fill_answers(k, {"gap_types": ["behavior"], "colour": "red"})
    with pytest.raises(ValueError, match="eval_set"):
        fill_answers(k, {"gap_types": ["behavior"], "eval_set": "lots"})
    with pytest.raises(ValueError, match="monthly_calls"):
        fill_answers(k, {"gap_types": ["behavior"], "monthly_calls": -1})


def test_unanswered_questions_take_their_defaults(k: Knowledge) -> None:
    filled = fill_answers(k, {"gap_types": ["knowledge", "behavior"]})
    assert filled["gap_types"] == ("behavior", "knowledge")
    assert filled["failure_mode"] == "not_observed"
    assert filled["monthly_calls"] == 10000 and filled["fixed_prompt_tokens"] == 800


# mutmut's copy of the tree (`make mutation`) imports its own trampoline into every mutated module; nothing else may.
MUTATION_TOOL = "mutmut"


def _imports(path: Path) -> list[str]:
    """Top-level module names imported by a file, excluding relative imports and __future__."""
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name.split(".")[0] for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module.split(".")[0])
    return [n for n in names if n != "__future__"]


def test_engine_imports_only_the_standard_library() -> None:
    files = sorted(ENGINE.glob("*.py"))
    assert len(files) >= 8
    allowed = set(sys.stdlib_module_names) | {MUTATION_TOOL}
    outside = {f"{f.name}: {n}" for f in files for n in _imports(f) if n not in allowed}
    assert not outside
