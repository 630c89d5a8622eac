"""The exports of a result: the Markdown decision record (templates/exports/, rendered by app/web/exports.py over
app/views/exports.py record_context) and the JSON document with its schema (app/data/result.schema.json).

Snapshots are built as in tests/test_report_view.py: every public scenario scored for real."""

from __future__ import annotations

import copy
import json
import re
from datetime import date, datetime
from functools import lru_cache
from typing import Any

import jinja2
import pytest

from app.settings import ROOT, Settings
from app.views.exports import SCHEMA_ID, md_text, record_context, snapshot_json
from app.views.report import report_context
from app.web.exports import markdown_templates, record_markdown

from .test_report_page import IDS, _result, knowledge, snapshot

SCHEMA = ROOT / "app" / "data" / "result.schema.json"


def decision_record(snap: dict[str, Any]) -> str:
    return record_markdown(markdown_templates(Settings(strict_templates=True)), snap, knowledge().bank)


# ---------------------------------------------------------------- decision record (Markdown)


MADR_HEADINGS = (
    "## Context and Problem Statement", "## Decision Drivers", "## Considered Options", "## Decision Outcome",
    "### Consequences", "## Pros and Cons of the Options", "## More Information",
)


@pytest.mark.parametrize("sid", IDS)
def test_decision_record_is_madr(sid: str) -> None:
    snap = snapshot(sid)
    result = snap["result"]
    md = decision_record(snap)
    assert md.startswith("# ")
    for heading in MADR_HEADINGS:
        assert f"\n\n{heading}\n\n" in md
    assert "* Status: proposed" in md and "* Date: 2026-11-21" in md
    labels = {a["id"]: a["label"] for a in result["approaches"]}
    assert f"Chosen option: “{labels[result['primary']]}" in md
    for a in result["approaches"]:
        assert f"\n### {a['label']}\n" in md
        assert f"{a['label']}: {a['total']:.1f} points of 100" in md
    for name in ("Fit (weight", "Low recurring cost (weight"):
        assert name in md
    assert f"Rules version: {result['rules_version']}" in md and "Weights: defaults" in md
    assert result["cost"]["preset"]["as_of"] in md
    # The template's whitespace: one blank line between blocks, one newline at the end, no trailing spaces.
    assert md.endswith(">\n") and "\n\n\n" not in md
    assert not [line for line in md.splitlines() if line != line.rstrip() and not line.startswith("Confidence: ")]


def test_decision_record_neutralises_user_text() -> None:
    title = "[x](javascript:alert(1)) ![i](http://e/x.png) `code`"
    snap = snapshot("S01", team="<script>alert(1)</script>\n# Owned", title=title)
    md = decision_record(snap)
    assert "<script" not in md and "</script>" not in md
    assert "](javascript:" not in md and "[x](" not in md and "![i](" not in md
    assert "\n# Owned" not in md
    assert "`code`" not in md
    assert "&lt;script&gt;" in md and "\\[x\\]" in md
    assert md.count("&lt;script&gt;alert\\(1\\)&lt;/script&gt; \\# Owned") == 2  # Deciders and the context


def test_decision_record_escapes_the_admins_preset_name() -> None:
    snap = snapshot("S01")
    snap["prices"]["name"] = "<b>[cheap](http://e)</b>"
    md = decision_record(snap)
    assert "* Price preset: &lt;b&gt;\\[cheap\\]\\(http://e\\)&lt;/b&gt; (OpenAI), prices as of" in md


def test_md_text_escapes() -> None:
    assert md_text("a<b>&c") == "a&lt;b&gt;&amp;c"
    assert md_text("[l](u)") == "\\[l\\]\\(u\\)"
    assert md_text("line\nbreak\u202e") == "line break"
    assert md_text("`x` *y* _z_ |t| ~s~ #h") == "\\`x\\` \\*y\\* \\_z\\_ \\|t\\| \\~s\\~ \\#h"
    assert md_text(None) == ""


def test_decision_record_sections_that_depend_on_the_result() -> None:
    newer = decision_record(snapshot("S01", newer_exists=True, weights_version=3))
    assert "earlier snapshot.\n\n## Decision Drivers" in newer and "* Weights: version 3\n" in newer
    assert "> A newer result" not in decision_record(snapshot("S01"))
    bare = snapshot("S01", created_at=None)
    for key in ("counterfactuals", "reasons_for", "advisories", "next_steps"):
        bare["result"][key] = []
    md = decision_record(bare)
    assert "* No single change to one answer alters the recommendation.\n" in md
    assert "because it scores highest on the weighted axes." in md
    assert f"* Date: {date.today().isoformat()}\n" in md and "* Generated: unknown\n" in md
    assert "### Next Steps\n\n\n## Pros and Cons of the Options\n" in md  # as before the template: an empty list


def test_decision_record_names_gates_and_blocked_options() -> None:
    for sid in IDS:
        result = _result(sid)
        md = decision_record(snapshot(sid))
        names = {g["id"]: g["name"] for g in result["gates"]}  # gates by name, never by id ("G1")
        if result["forced_by"]:
            assert f"because the hard rule “{names[result['forced_by']]}” requires it (" in md
        for a in result["approaches"]:
            for gate in a["blocked_by"]:
                assert f"* Bad, because the hard rule “{names[gate]}” blocks it: " in md
            if a["blocked"]:
                assert "a month (blocked by the hard rule" in md or "; blocked by the hard rule" in md
        assert not re.search(r"because gate G\d|Advisory A\d|blocked by G\d", md), sid


def test_record_context_is_the_report_context_plus_its_own_keys() -> None:
    snap = snapshot("S02")
    page, record = report_context(snap, knowledge().bank), record_context(snap, knowledge().bank)
    assert {k: record[k] for k in page} == page
    assert set(record) - set(page) == {"day", "drivers", "key_answers", "options"}


def test_markdown_environment_is_separate_and_unescaped() -> None:
    env = markdown_templates(Settings(strict_templates=True))
    assert env.autoescape is False and env.keep_trailing_newline
    assert env is markdown_templates(Settings(strict_templates=True))
    with pytest.raises(jinja2.TemplateNotFound):
        env.get_template("report/page.html")  # only templates/exports/ is reachable without autoescape


def test_export_templates_stay_small() -> None:
    for template in (ROOT / "templates" / "exports").iterdir():
        assert template.name.endswith(".md.j2") and len(template.read_text().splitlines()) <= 150, template.name


# ---------------------------------------------------------------- JSON export and its schema


def validate(instance: Any, schema: dict[str, Any], root: dict[str, Any], path: str = "$") -> list[str]:
    """A small JSON Schema (2020-12) validator for exactly the keywords result.schema.json uses."""
    errors: list[str] = []
    known = {"$schema", "$id", "$defs", "title", "description", "$ref", "type", "enum", "const", "required",
             "properties", "additionalProperties", "propertyNames", "items", "minItems", "maxItems", "minimum",
             "maximum", "minLength", "anyOf", "format", "pattern"}
    unknown = set(schema) - known
    assert not unknown, f"validator does not implement {unknown}"
    if "$ref" in schema:
        target: Any = root
        for part in schema["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        errors += validate(instance, target, root, path)
    types = schema.get("type")
    if types is not None:
        allowed = types if isinstance(types, list) else [types]
        checks = {
            "object": lambda v: isinstance(v, dict), "array": lambda v: isinstance(v, list),
            "string": lambda v: isinstance(v, str), "boolean": lambda v: isinstance(v, bool),
            "null": lambda v: v is None,
            "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
            "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
        }
        if not any(checks[t](instance) for t in allowed):
            return errors + [f"{path}: expected {types}, got {type(instance).__name__}"]
    if "enum" in schema and instance not in schema["enum"]:
        errors.append(f"{path}: {instance!r} not in {schema['enum']}")
    if "const" in schema and instance != schema["const"]:
        errors.append(f"{path}: {instance!r} != {schema['const']!r}")
    if "anyOf" in schema and all(validate(instance, s, root, path) for s in schema["anyOf"]):
        errors.append(f"{path}: matches none of anyOf")
    if isinstance(instance, (int, float)) and not isinstance(instance, bool):
        if "minimum" in schema and instance < schema["minimum"]:
            errors.append(f"{path}: {instance} < {schema['minimum']}")
        if "maximum" in schema and instance > schema["maximum"]:
            errors.append(f"{path}: {instance} > {schema['maximum']}")
    if isinstance(instance, str):
        if len(instance) < schema.get("minLength", 0):
            errors.append(f"{path}: shorter than {schema['minLength']}")
        if "pattern" in schema and not re.search(schema["pattern"], instance):
            errors.append(f"{path}: {instance!r} does not match {schema['pattern']}")
        fmt = schema.get("format")
        try:
            if fmt == "date-time":
                datetime.fromisoformat(instance)
                assert "T" in instance
            elif fmt == "date":
                date.fromisoformat(instance)
        except (ValueError, AssertionError):
            errors.append(f"{path}: not a valid {fmt}")
    if isinstance(instance, list):
        if len(instance) < schema.get("minItems", 0) or len(instance) > schema.get("maxItems", len(instance)):
            errors.append(f"{path}: wrong number of items ({len(instance)})")
        if "items" in schema:
            for i, item in enumerate(instance):
                errors += validate(item, schema["items"], root, f"{path}[{i}]")
    if isinstance(instance, dict):
        errors += [f"{path}: missing {key!r}" for key in schema.get("required", []) if key not in instance]
        props = schema.get("properties", {})
        for key, value in instance.items():
            if "propertyNames" in schema:
                errors += validate(key, schema["propertyNames"], root, f"{path}.<{key}>")
            if key in props:
                errors += validate(value, props[key], root, f"{path}.{key}")
            elif schema.get("additionalProperties") is False:
                errors.append(f"{path}: unexpected {key!r}")
            elif isinstance(schema.get("additionalProperties"), dict):
                errors += validate(value, schema["additionalProperties"], root, f"{path}.{key}")
    return errors


@lru_cache(maxsize=1)
def result_schema() -> dict[str, Any]:
    return json.loads(SCHEMA.read_text())


@pytest.mark.parametrize("sid", IDS)
def test_snapshot_json_matches_schema(sid: str) -> None:
    doc = json.loads(json.dumps(snapshot_json(snapshot(sid, expires_at="2026-12-21T09:15:00+00:00"))))
    assert doc["schema"] == SCHEMA_ID
    assert doc["result"] == _result(sid)
    assert validate(doc, result_schema(), result_schema()) == []


def test_schema_validation_can_fail() -> None:
    good = json.loads(json.dumps(snapshot_json(snapshot("S01"))))
    schema = result_schema()
    broken = []
    for mutate in (
        lambda d: d.pop("result"),
        lambda d: d.__setitem__("schema", "tunewise.result/0"),
        lambda d: d["result"].__setitem__("primary", "MAGIC"),
        lambda d: d["result"]["approaches"][0].__setitem__("total", "75.9"),
        lambda d: d["result"]["approaches"].pop(),
        lambda d: d["result"]["confidence"].__setitem__("stability", 1.5),
        lambda d: d["weights"].__setitem__("Vibes!", 0.1),
        lambda d: d["weights"].__setitem__("fit", 1.5),
        lambda d: d["result"]["approaches"][0]["scores"].pop("cost"),
        lambda d: d.__setitem__("created_at", "yesterday"),
        lambda d: d["result"]["cost"]["monthly"].__setitem__("GPT5", 1.0),
    ):
        doc = copy.deepcopy(good)
        mutate(doc)
        broken.append(validate(doc, schema, schema))
    assert all(broken), broken


def test_schema_is_valid_2020_12_and_agrees_with_a_full_validator() -> None:
    jsonschema_rs = pytest.importorskip("jsonschema_rs")  # installed with schemathesis; no new dependency
    schema = result_schema()
    jsonschema_rs.meta.validate(schema)
    validator = jsonschema_rs.Draft202012Validator(schema, validate_formats=True)
    for sid in IDS:
        doc = json.loads(json.dumps(snapshot_json(snapshot(sid))))
        assert validator.is_valid(doc), [e.message for e in validator.iter_errors(doc)][:3]
    bad = json.loads(json.dumps(snapshot_json(snapshot("S01"))))
    bad["result"]["primary"] = "MAGIC"
    assert not validator.is_valid(bad)


def test_snapshot_json_normalises_database_timestamps() -> None:
    """SQLite hands back naive UTC datetimes; the export states the offset, as RFC 3339 requires."""
    snap = snapshot("S01", created_at="2026-11-21T09:15:00.123456", expires_at=datetime(2026, 12, 21, 9, 15))
    doc = snapshot_json(snap)
    assert doc["created_at"] == "2026-11-21T09:15:00.123456+00:00"
    assert doc["expires_at"] == "2026-12-21T09:15:00+00:00"
    assert validate(doc, result_schema(), result_schema()) == []


def test_snapshot_json_is_the_snapshot_as_stored() -> None:
    """Only the schema tag, the two timestamps and the derived verdict differ; the snapshot itself is left alone."""
    snap = snapshot("S03", created_at="2026-11-21T09:15:00", expires_at=None)
    before = copy.deepcopy(snap)
    doc = snapshot_json(snap)
    assert snap == before
    assert list(doc) == ["schema", *snap, "verdict"] and doc["schema"] == SCHEMA_ID
    assert doc["verdict"]["kind"] == "only_feasible" and doc["verdict"]["primary"] == snap["result"]["primary"]
    stored = {k: v for k, v in doc.items() if k not in ("schema", "verdict")}
    assert stored == {**snap, "created_at": "2026-11-21T09:15:00+00:00"}
