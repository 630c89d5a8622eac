"""The read-only report: context, rendered page, SVG charts, exports and the JSON schema of the snapshot.

Every public scenario is scored for real, turned into a snapshot like the one the routes store, and the
page is rendered through the application's own Jinja environment with strict undefined.
"""

from __future__ import annotations

import copy
import html
import json
import re
from datetime import date, datetime
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import pytest

from app.engine.rules import load_knowledge
from app.engine.scoring import result_to_dict, score
from app.settings import ROOT, Settings
from app.views.exports import SCHEMA_ID, decision_record, md_text, snapshot_json
from app.views.report import report_context
from app.views.wizard import answer_text
from app.web.render import make_templates, money

FIXTURES = Path(__file__).parent / "fixtures" / "public-scenarios.jsonl"
SCHEMA = ROOT / "app" / "data" / "result.schema.json"
SCENARIOS = [json.loads(line) for line in FIXTURES.read_text().splitlines() if line.strip()]
IDS = [s["id"] for s in SCENARIOS]
AXIS_HEADERS = ("Fit", "Data", "Iteration speed", "Recurring cost", "Risk", "What changes")
BASE = "/r/TESTTOKEN"


@lru_cache(maxsize=1)
def knowledge() -> Any:
    return load_knowledge()


@lru_cache(maxsize=1)
def env() -> Any:
    return make_templates(Settings(strict_templates=True))


@cache
def _result(sid: str) -> dict[str, Any]:
    scenario = next(s for s in SCENARIOS if s["id"] == sid)
    return result_to_dict(score(knowledge(), scenario["answers"]))


def snapshot(sid: str, **overrides: Any) -> dict[str, Any]:
    """A snapshot shaped like the stored one: answers, weights, prices, versions and the result dict."""
    scenario = next(s for s in SCENARIOS if s["id"] == sid)
    result = copy.deepcopy(_result(sid))
    preset = result["cost"]["preset"]
    snap = {
        "team": f"Team {sid}", "title": scenario["title"], "created_at": "2026-11-21T09:15:00+00:00",
        "answers": dict(scenario["answers"]), "weights": dict(result["weights"]), "weights_version": None,
        "prices": {"id": preset["id"], "name": preset["name"], "as_of": preset["as_of"], "provider": preset["provider"]},
        "rules_version": result["rules_version"], "engine_version": result["engine_version"], "result": result,
        "newer_exists": False, "expires_at": None,
    }
    snap.update(overrides)
    return snap


def render(snap: dict[str, Any]) -> str:
    context = {**report_context(snap, knowledge().bank), "base": BASE, "csrf_token": "x", "partial": False, "request": None}
    return env().get_template("report/page.html").render(context)


def text_of(page: str) -> str:
    """The page's visible text, tags removed and entities decoded, whitespace collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def section(page: str, heading_id: str) -> str:
    """The markup of one <section aria-labelledby=…>."""
    match = re.search(rf'<section[^>]*aria-labelledby="{heading_id}"[^>]*>(.*?)</section>', page, re.DOTALL)
    assert match, f"no section labelled by {heading_id}"
    return match.group(1)


def meta_content(page: str, attr: str, name: str) -> str:
    match = re.search(rf'<meta {attr}="{re.escape(name)}" content="([^"]*)">', page)
    assert match, f"missing <meta {attr}={name}>"
    return html.unescape(match.group(1))


# ---------------------------------------------------------------- the page, for every scenario


@pytest.mark.parametrize("sid", IDS)
def test_report_page_for_each_scenario(sid: str) -> None:
    snap = snapshot(sid)
    result = snap["result"]
    page = render(snap)
    text = text_of(page)
    labels = {a["id"]: a["label"] for a in result["approaches"]}

    # Headline: team · title, the recommendation in words and the confidence wording.
    assert page.count("<h1") == 1
    h1 = text_of(re.search(r"<h1[^>]*>(.*?)</h1>", page, re.DOTALL).group(1))
    assert h1 == f"{snap['team']} · {snap['title']}"
    verdict = text_of(section(page, "verdict-h"))
    assert labels[result["primary"]] in verdict
    conf = result["confidence"]
    if result["forced_by"]:
        assert "Confidence: rule-based" in verdict and f"gate {result['forced_by']}" in verdict
        assert "weight draws" not in verdict
        if result["companion"]:
            assert f"then address the language part with {labels[result['companion']]}" in verdict
    elif conf["label"] == "High (only feasible option)":
        assert "Confidence: High (only feasible option)" in verdict
    else:
        assert f"Confidence: {conf['label']}" in verdict
        assert f"{conf['margin']:.1f} points over {labels[result['runner_up']]}" in verdict
        assert f"{conf['stability'] * 100:.0f} % of 2,000 weight draws" in verdict
        assert f"{conf['relative_margin'] * 100:.0f} % of the winner's total" in verdict

    # Six-axis comparison: the axis headers, one row per approach, tailored sentences, blocked rows marked.
    compare = section(page, "compare-h")
    head = text_of(re.search(r"<thead>(.*?)</thead>", compare, re.DOTALL).group(1))
    for header in AXIS_HEADERS:
        assert header in head
    body_rows = re.findall(r"<tr[^>]*>\s*<th scope=\"row\">(.*?)</tr>", compare, re.DOTALL)
    assert len(body_rows) == 6
    row_names = [text_of(r) for r in body_rows]
    for a in result["approaches"]:
        assert sum(1 for r in row_names if r.startswith(a["label"])) == 1
        assert html.escape(result["axis_text"][a["id"]]["fit"], quote=False) in compare
        if a["blocked"]:
            row = next(r for r in row_names if r.startswith(a["label"]))
            assert f"Blocked by {', '.join(a['blocked_by'])}" in row
    assert compare.count('class="is-blocked') == sum(a["blocked"] for a in result["approaches"])
    assert '<th scope="col"' in compare and "<caption" in compare

    # Blocked approaches carry their gate's reason.
    for a in result["approaches"]:
        for gate_text in a["gate_texts"]:
            assert gate_text in text

    # Radar and cost chart: SVG with a title and a description, a legend and a data table each.
    svgs = re.findall(r"<svg class=\"chart-svg[^\"]*\"[^>]*>(.*?)</svg>", page, re.DOTALL)
    assert len(svgs) == 2
    for svg in svgs:
        assert re.search(r"<title id=\"[^\"]+\">[^<]+</title>", svg) and re.search(r"<desc id=\"[^\"]+\">[^<]{40,}</desc>", svg)
        assert "<polygon" in svg or "<polyline" in svg
    assert 'role="img" aria-labelledby="radar-title radar-desc"' in page
    assert 'role="img" aria-labelledby="cost-chart-title cost-chart-desc"' in page
    radar = section(page, "radar-h")
    assert "<table" in radar and "Data of the six-axis chart" in radar
    assert radar.count('<g class="series ') >= 2
    cost = section(page, "cost-h")
    assert "Monthly cost (US$) of each approach by calls per month" in cost
    assert cost.count('<g class="series ') == 6
    assert cost.count("<tr><th scope=\"row\" class=\"num\">") == len(result["cost"]["lines"]["calls"])

    # Recurring cost: monthly figures as money, break-even, preset and date, assumptions and caveats.
    for monthly in result["cost"]["monthly"].values():
        assert money(monthly) in text_of(cost)
    assert result["cost"]["preset"]["name"] in cost and result["cost"]["preset"]["as_of"] in cost
    assert "Break-even volumes" in cost and "calls a month" in text_of(cost)
    assert "Assumptions used" in cost and "Output per call" in cost
    assert "Token counts are estimates" in cost and "Labelling and engineering effort are not included" in cost
    assert "Self-hosting capacity" in cost and "Provider availability" in cost

    # Reasons: each for/against item names the question, the answer and the source tags.
    reasons = section(page, "reasons-h")
    items = re.findall(r"<li>(.*?)</li>", reasons, re.DOTALL)
    assert len(items) == len(result["reasons_for"]) + len(result["reasons_against"])
    assert result["reasons_for"], "every scenario has a reason for the recommendation"
    for r in result["reasons_for"] + result["reasons_against"]:
        block = next(text_of(i) for i in items if html.escape(r["answer_label"], quote=False) in i or r["answer_label"] in text_of(i))
        for tag in r["sources"]:
            assert f"[{tag}]" in block
        if r["kind"] == "answer":
            assert r["question_label"] in block
    if result["reasons_against"]:
        assert "Reasons against" in reasons and "<ol class=\"reasons\">" in reasons.split("Reasons against", 1)[1]
    else:
        assert "None of your answers counts against it." in reasons

    # What would change the recommendation.
    changes = text_of(section(page, "changes-h"))
    for flip in result["weight_flips"]:
        assert flip["text"][1:] in changes
    if result["forced_by"]:
        assert "Rule-based" in changes
    elif not result["weight_flips"]:
        assert "no weight change alters the winner" in changes
    for c in result["counterfactuals"]:
        assert c["text"] in changes

    # Advisories, next steps, answers and the footer.
    for a in result["advisories"]:
        assert a["text"] in text
    for step in result["next_steps"]:
        assert step in text
    answers = text_of(section(page, "answers-h"))
    bank = knowledge().bank
    for qid, value in snap["answers"].items():
        assert bank.questions[qid].label in answers and answer_text(bank.questions[qid], value) in answers
    footer = text_of(page.split('<footer class="site-footer">', 1)[1])
    assert f"Rules version {result['rules_version']}" in footer and "Weights defaults" in footer
    assert f"Engine {result['engine_version']}" in footer and "Generated 2026-11-21 09:15 UTC" in footer
    assert result["cost"]["preset"]["as_of"] in footer

    # Exports and the read-only, CSP-safe contract.
    assert f'href="{BASE}.json"' in page and "Download JSON" in page
    assert f'href="{BASE}.md"' in page and "Decision record (Markdown)" in page
    assert "Print" in page
    assert "<form" not in page and "hx-post" not in page and ' style="' not in page and "<style" not in page
    assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page) is None, "no inline scripts"
    assert re.search(r"<main[^>]*\bhx-disable\b", page)
    assert "|safe" not in "".join(p.read_text() for p in (ROOT / "templates" / "report").glob("*.html"))

    # Open Graph and robots: present, generic, and without any answer.
    og_title = meta_content(page, "property", "og:title")
    og_desc = meta_content(page, "property", "og:description")
    assert og_title == f"Tunewise decision: {snap['title']}"
    assert og_desc == f"Recommendation: {labels[result['primary']]}" + (
        f" with {labels[result['companion']]}" if result["companion"] else "") + f" (confidence {conf['label']})"
    assert meta_content(page, "name", "robots") == "noindex, nofollow"
    assert meta_content(page, "name", "referrer") == "no-referrer"
    # Apart from the title the team typed (checked exactly above), nothing in the previews may come from the answers.
    og_all = "\n".join(re.findall(r'<meta (?:property="og:[^"]+"|name="description") content="([^"]*)">', page))
    og_all = html.unescape(og_all).replace(og_title, "").replace(f"(confidence {conf['label']})", "")
    for label in labels.values():
        og_all = og_all.replace(label, "")
    for qid, value in snap["answers"].items():
        q = bank.questions[qid]
        assert answer_text(q, value) not in og_all
        for v in value if isinstance(value, list) else [value]:
            if isinstance(v, str):
                assert v not in og_all and q.option_label(v) not in og_all
    assert "$" not in og_all


def test_newer_result_banner_and_expiry() -> None:
    page = render(snapshot("S01", newer_exists=True, expires_at="2026-12-21T09:15:00Z"))
    assert "A newer result exists for this assessment; this link shows the snapshot of 2026-11-21 09:15 UTC." in text_of(page)
    assert "this link expires 2026-12-21 09:15 UTC" in text_of(page)
    assert "A newer result exists" not in render(snapshot("S01"))


def test_weights_version_in_footer() -> None:
    page = render(snapshot("S01", weights_version=3))
    assert "Weights version 3" in text_of(page.split('<footer class="site-footer">', 1)[1])


def test_rule_based_g1_wording() -> None:
    sid = next(s["id"] for s in SCENARIOS if _result(s["id"])["forced_by"] == "G1")
    page = text_of(render(snapshot(sid)))
    assert "Confidence: rule-based" in page and "gate G1" in page and "weight draws" not in page


def test_blocked_rows_are_labelled_not_just_faded() -> None:
    page = render(snapshot("S03"))
    compare = section(page, "compare-h")
    for row in re.findall(r'<tr class="is-blocked[^"]*">(.*?)</tr>', compare, re.DOTALL):
        assert "Blocked by G" in text_of(row)
    css = (ROOT / "static" / "css" / "report.css").read_text()
    rule = re.search(r"\.is-blocked \{([^}]*)\}", css).group(1)
    assert "opacity" not in rule


def test_autoescape_of_user_text() -> None:
    snap = snapshot("S01", team="<script>alert(1)</script>", title="{{7*7}}")
    page = render(snap)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    # The title shows literally wherever it appears (<title>, h1, og:title) and is never evaluated to 49.
    assert page.count("{{7*7}}") == 3
    assert "<title>{{7*7}} — Tunewise decision report</title>" in page
    assert 'content="Tunewise decision: {{7*7}}"' in page
    h1 = re.search(r"<h1[^>]*>(.*?)</h1>", page, re.DOTALL).group(1)
    assert h1 == "&lt;script&gt;alert(1)&lt;/script&gt; · {{7*7}}" and "49" not in h1
    plain = render(snapshot("S01", team="Team", title="Plain"))
    assert page.count("49") == plain.count("49"), "the title added a 49 somewhere"


def test_report_templates_stay_small() -> None:
    folder = ROOT / "templates" / "report"
    assert len((folder / "page.html").read_text().splitlines()) <= 150
    for partial in folder.glob("_*.html"):
        assert len(partial.read_text().splitlines()) <= 60, partial.name


# ---------------------------------------------------------------- charts


def test_radar_geometry_is_computed_in_python() -> None:
    from app.views.charts import radar

    result = _result("S01")
    labels = {a["id"]: a["label"] for a in result["approaches"]}
    chart = radar(result, ["LORA", "PROMPT"], labels)
    lora = chart["series"][0]
    points = [tuple(map(float, p.split(","))) for p in lora["points"].split()]
    assert len(points) == 6
    # Fit is the top spoke: a score of 10 reaches the outer ring straight above the centre.
    assert result["approaches"][2]["scores"]["fit"] == 10.0
    assert points[0] == (chart["cx"], pytest.approx(chart["cy"] - 158, abs=0.1))
    assert chart["series"][0]["dash"] != chart["series"][1]["dash"]
    assert chart["series"][0]["marker"] != chart["series"][1]["marker"]
    assert "leads" in chart["summary"]


# ---------------------------------------------------------------- decision record (Markdown)


MADR_HEADINGS = (
    "## Context and Problem Statement", "## Decision Drivers", "## Considered Options", "## Decision Outcome",
    "### Consequences", "## Pros and Cons of the Options", "## More Information",
)


@pytest.mark.parametrize("sid", IDS)
def test_decision_record_is_madr(sid: str) -> None:
    snap = snapshot(sid)
    result = snap["result"]
    md = decision_record(snap, knowledge().bank)
    assert md.startswith("# ")
    for heading in MADR_HEADINGS:
        assert f"\n{heading}\n" in md
    assert "* Status: proposed" in md and "* Date: 2026-11-21" in md
    labels = {a["id"]: a["label"] for a in result["approaches"]}
    assert f"Chosen option: “{labels[result['primary']]}" in md
    for a in result["approaches"]:
        assert f"### {a['label']}\n" in md
        assert f"{a['label']}: {a['total']:.1f} points of 100" in md
    for name in ("Fit (weight", "Recurring cost (weight"):
        assert name in md
    assert f"Rules version: {result['rules_version']}" in md and "Weights: defaults" in md
    assert result["cost"]["preset"]["as_of"] in md


def test_decision_record_neutralises_user_text() -> None:
    snap = snapshot("S01", team="<script>alert(1)</script>\n# Owned", title="[x](javascript:alert(1)) ![i](http://e/x.png) `code`")
    md = decision_record(snap, knowledge().bank)
    assert "<script" not in md and "</script>" not in md
    assert "](javascript:" not in md and "[x](" not in md and "![i](" not in md
    assert "\n# Owned" not in md
    assert "`code`" not in md
    assert "&lt;script&gt;" in md and "\\[x\\]" in md


def test_md_text_escapes() -> None:
    assert md_text("a<b>&c") == "a&lt;b&gt;&amp;c"
    assert md_text("[l](u)") == "\\[l\\]\\(u\\)"
    assert md_text("line\nbreak\u202e") == "line break"
    assert md_text("`x` *y* _z_ |t| ~s~ #h") == "\\`x\\` \\*y\\* \\_z\\_ \\|t\\| \\~s\\~ \\#h"


# ---------------------------------------------------------------- JSON export and its schema


def validate(instance: Any, schema: dict[str, Any], root: dict[str, Any], path: str = "$") -> list[str]:
    """A small JSON Schema (2020-12) validator for exactly the keywords result.schema.json uses."""
    errors: list[str] = []
    known = {"$schema", "$id", "$defs", "title", "description", "$ref", "type", "enum", "const", "required",
             "properties", "additionalProperties", "propertyNames", "items", "minItems", "maxItems", "minimum",
             "maximum", "minLength", "anyOf", "format"}
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
            "string": lambda v: isinstance(v, str), "boolean": lambda v: isinstance(v, bool), "null": lambda v: v is None,
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
        lambda d: d["weights"].__setitem__("vibes", 0.1),
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
    page = text_of(render(snap))
    assert "Snapshot of 2026-11-21 09:15 UTC; this link expires 2026-12-21 09:15 UTC." in page


def test_team_cost_overrides_are_marked() -> None:
    snap = snapshot("S01")
    snap["prices"]["assumptions"] = {"output_tokens": 300.0}
    cost = text_of(section(render(snap), "cost-h"))
    assert "300 tokens (your override; the preset assumes 300 tokens)" in cost
    assert "User input per call 200 tokens Output" in cost
