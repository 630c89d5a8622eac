"""The read-only report: context, rendered page and SVG charts (the exports: tests/views/test_exports.py).

Every public scenario is scored for real, turned into a snapshot like the one the routes store, and the
page is rendered through the application's own Jinja environment with strict undefined.
"""

from __future__ import annotations

import copy
import html
import json
import re
from datetime import datetime
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import pytest

from app.engine.rules import load_knowledge
from app.engine.scoring import result_to_dict, score
from app.settings import ROOT, Settings
from app.views.format import money
from app.views.report import report_context
from app.views.report_summary import gate_in_words
from app.views.wizard import answer_text
from app.web.render import make_templates

FIXTURES = Path(__file__).parent.parent / "fixtures" / "public-scenarios.jsonl"
SCENARIOS = [json.loads(line) for line in FIXTURES.read_text().splitlines() if line.strip()]
IDS = [s["id"] for s in SCENARIOS]
AXIS_HEADERS = ("Fit", "Data ready", "Iteration speed", "Low recurring cost", "Low risk", "Easy to undo")
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
        "prices": {"id": preset["id"], "name": preset["name"], "as_of": preset["as_of"],
                   "provider": preset["provider"]},
        "rules_version": result["rules_version"], "engine_version": result["engine_version"], "result": result,
        "newer_exists": False, "expires_at": None,
    }
    snap.update(overrides)
    return snap


def render(snap: dict[str, Any]) -> str:
    context = {**report_context(snap, knowledge().bank), "base": BASE, "csrf_token": "x", "partial": False,
               "request": None}
    return env().get_template("report/page.html").render(context)


def rendered(sid: str) -> tuple[dict[str, Any], dict[str, Any], str]:
    """One scenario's snapshot, its result and its rendered report page."""
    snap = snapshot(sid)
    return snap, snap["result"], render(snap)


def text_of(page: str) -> str:
    """The page's visible text, tags removed and entities decoded, whitespace collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def section(page: str, heading_id: str) -> str:
    """The markup of one <section aria-labelledby=…>, or of one collapsed detail whose summary holds the heading."""
    match = re.search(rf'<section[^>]*aria-labelledby="{heading_id}"[^>]*>(.*?)</section>', page, re.DOTALL)
    match = match or re.search(rf'<details class="detail[^"]*">\s*<summary><h2 id="{heading_id}">(.*?)</details>\s*'
                               r'(?=<details class="detail|</main>)', page, re.DOTALL)
    assert match, f"no section labelled by {heading_id}"
    return match.group(1)


def meta_content(page: str, attr: str, name: str) -> str:
    match = re.search(rf'<meta {attr}="{re.escape(name)}" content="([^"]*)">', page)
    assert match, f"missing <meta {attr}={name}>"
    return html.unescape(match.group(1))


# ---------------------------------------------------------------- the page, for every scenario


@pytest.mark.parametrize("sid", IDS)
def test_report_headline(sid: str) -> None:
    """Headline: team · title, the recommendation in words and the confidence in plain words; the statistics
    (margin, weight draws) live in "How sure is this", not in the answer."""
    snap, result, page = rendered(sid)
    labels = {a["id"]: a["label"] for a in result["approaches"]}
    assert page.count("<h1") == 1
    h1 = text_of(re.search(r"<h1[^>]*>(.*?)</h1>", page, re.DOTALL).group(1))
    assert h1 == f"{snap['team']} · {snap['title']}"
    verdict = text_of(section(page, "verdict-h"))
    assert labels[result["primary"]] in verdict
    assert "weight draws" not in verdict and "flips it" not in verdict
    conf = result["confidence"]
    sure = text_of(section(page, "how-sure-h"))
    if result["forced_by"]:
        gate = next(g for g in result["gates"] if g["id"] == result["forced_by"])
        assert f"Required by a hard rule: {gate['name']}" in verdict
        assert "Confidence in the rules’ terms: rule-based" in sure
        if result["companion"]:
            assert f"then {labels[result['companion']]} for the language part" in verdict
    elif conf["label"] == "High (only feasible option)":
        assert "The only feasible option" in verdict
    else:
        assert ("Close call: a small change in priorities" if conf["label"] == "Low" else "Clear choice") in verdict
        assert f"{conf['margin']:.1f} points over {labels[result['runner_up']]}" in sure
        assert f"{conf['stability'] * 100:.0f} % of 2,000 weight draws" in sure
        assert f"{conf['relative_margin'] * 100:.0f} % of the winner's total" in sure


@pytest.mark.parametrize("sid", IDS)
def test_report_comparison(sid: str) -> None:
    """Six-axis comparison: the axis headers, one row per approach, tailored sentences, blocked rows marked."""
    snap, result, page = rendered(sid)
    compare = section(page, "compare-h")
    head = text_of(re.search(r"<thead>(.*?)</thead>", compare, re.DOTALL).group(1))
    for header in AXIS_HEADERS:
        assert header in head
    body_rows = re.findall(r"<tr[^>]*>\s*<th scope=\"row\">(.*?)</tr>", compare, re.DOTALL)
    assert len(body_rows) == 6
    row_names = [text_of(r) for r in body_rows]
    for a in result["approaches"]:
        assert sum(1 for r in row_names if r.startswith(a["label"])) == 1
        assert html.escape(result["axis_text"][a["id"]]["fit"], quote=False) in compare  # in its full-text detail
        if a["blocked"]:
            row = next(r for r in row_names if r.startswith(a["label"]))
            names = {g["id"]: g["name"] for g in result["gates"]}
            assert "Blocked by the hard rule" in row and all(f"“{names[g]}”" in row for g in a["blocked_by"])
    assert compare.count('class="is-blocked') == sum(a["blocked"] for a in result["approaches"])
    assert '<th scope="col"' in compare and "<caption" in compare


@pytest.mark.parametrize("sid", IDS)
def test_report_blocked_reasons(sid: str) -> None:
    """Blocked approaches carry their gate's reason."""
    snap, result, page = rendered(sid)
    text = text_of(page)
    for a in result["approaches"]:
        for gate_text in a["gate_texts"]:
            assert gate_text in text


@pytest.mark.parametrize("sid", IDS)
def test_report_charts(sid: str) -> None:
    """Radar and cost chart: SVG with a title and a description, a legend and a data table each."""
    snap, result, page = rendered(sid)
    svgs = re.findall(r"<svg class=\"chart-svg[^\"]*\"[^>]*>(.*?)</svg>", page, re.DOTALL)
    assert len(svgs) == 3  # radar, cost at your volume (bars), cost against volume
    for svg in svgs:
        assert re.search(r"<title id=\"[^\"]+\">[^<]+</title>", svg)
        assert re.search(r"<desc id=\"[^\"]+\">[^<]{40,}</desc>", svg)
        assert "<polygon" in svg or "<polyline" in svg or "<rect" in svg
    assert 'role="img" aria-labelledby="cost-bars-title cost-bars-desc"' in page
    assert 'role="img" aria-labelledby="radar-title radar-desc"' in page
    assert 'role="img" aria-labelledby="cost-chart-title cost-chart-desc"' in page
    radar = section(page, "radar-h")
    assert "<table" in radar and "Data of the six-axis chart" in radar
    assert radar.count('<g class="series ') >= 2
    cost = section(page, "cost-h")
    assert "Monthly cost (US$) of each approach by calls per month" in cost
    assert cost.count('<g class="series ') == 6
    assert cost.count("<tr><th scope=\"row\" class=\"num\">") == len(result["cost"]["lines"]["calls"])


@pytest.mark.parametrize("sid", IDS)
def test_report_recurring_cost(sid: str) -> None:
    """Recurring cost: monthly figures as money, break-even, preset and date, assumptions and caveats."""
    snap, result, page = rendered(sid)
    cost = section(page, "cost-h")
    for monthly in result["cost"]["monthly"].values():
        assert money(monthly) in text_of(cost)
    assert result["cost"]["preset"]["name"] in cost and result["cost"]["preset"]["as_of"] in cost
    assert "Break-even volumes" in cost and "calls a month" in text_of(cost)
    assert "Assumptions used" in cost and "Output per call" in cost
    assert "Token counts are estimates" in cost and "Labelling and engineering effort are not included" in cost
    assert "Self-hosting capacity" in cost and "Provider availability" in cost


@pytest.mark.parametrize("sid", IDS)
def test_report_reasons(sid: str) -> None:
    """Reasons: each for/against item names the question, the answer and the source tags."""
    snap, result, page = rendered(sid)
    reasons = section(page, "reasons-h")
    items = re.findall(r"<li>(.*?)</li>", reasons, re.DOTALL)
    assert len(items) == len(result["reasons_for"]) + len(result["reasons_against"])
    assert result["reasons_for"], "every scenario has a reason for the recommendation"
    for r in result["reasons_for"] + result["reasons_against"]:
        label = r["answer_label"]
        block = next(text_of(i) for i in items if html.escape(label, quote=False) in i or label in text_of(i))
        for tag in r["sources"]:
            assert f"[{tag}]" in block
        if r["kind"] == "answer":
            assert r["question_label"] in block
    if result["reasons_against"]:
        assert "Reasons against" in reasons and "<ol class=\"reasons\">" in reasons.split("Reasons against", 1)[1]
    else:
        assert "None of your answers counts against it." in reasons


@pytest.mark.parametrize("sid", IDS)
def test_report_changes(sid: str) -> None:
    """What would change the recommendation."""
    snap, result, page = rendered(sid)
    changes = text_of(section(page, "changes-h"))
    for flip in result["weight_flips"]:
        assert flip["text"][1:] in changes
    if result["forced_by"]:
        assert "Rule-based" in changes
    elif not result["weight_flips"]:
        assert "no weight change alters the winner" in changes
    for c in result["counterfactuals"]:  # a gate by its name: "(the hard rule “Integration”)", never "(gate G1: …)"
        assert gate_in_words(c["text"]) in changes and "(gate G" not in changes


@pytest.mark.parametrize("sid", IDS)
def test_report_advisories_answers_footer(sid: str) -> None:
    """Advisories, next steps, answers and the footer."""
    snap, result, page = rendered(sid)
    text = text_of(page)
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


@pytest.mark.parametrize("sid", IDS)
def test_report_exports_and_safety(sid: str) -> None:
    """Exports and the read-only, CSP-safe contract."""
    snap = snapshot(sid)
    page = render(snap)
    assert f'href="{BASE}.json"' in page and "Download JSON" in page
    assert f'href="{BASE}.md"' in page and "Decision record (Markdown)" in page
    assert "Print" in page
    assert "<form" not in page and "hx-post" not in page and ' style="' not in page and "<style" not in page
    assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page) is None, "no inline scripts"
    assert re.search(r"<main[^>]*\bhx-disable\b", page)
    assert "|safe" not in "".join(p.read_text() for p in (ROOT / "templates" / "report").glob("*.html"))


@pytest.mark.parametrize("sid", IDS)
def test_report_previews_carry_no_answers(sid: str) -> None:
    """Open Graph and robots: present, generic, and without any answer."""
    snap, result, page = rendered(sid)
    labels = {a["id"]: a["label"] for a in result["approaches"]}
    conf = result["confidence"]
    bank = knowledge().bank
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
    banner = "A newer result exists for this assessment; this link shows the snapshot of 2026-11-21 09:15 UTC."
    assert banner in text_of(page)
    assert "this link expires 2026-12-21 09:15 UTC" in text_of(page)
    assert "A newer result exists" not in render(snapshot("S01"))


def test_weights_version_in_footer() -> None:
    page = render(snapshot("S01", weights_version=3))
    assert "Weights version 3" in text_of(page.split('<footer class="site-footer">', 1)[1])


def test_rule_based_g1_wording() -> None:
    sid = next(s["id"] for s in SCENARIOS if _result(s["id"])["forced_by"] == "G1")
    page = text_of(render(snapshot(sid)))
    assert "Required by a hard rule: Integration" in page and "rules’ terms: rule-based" in page
    assert "Rule-based: gate G1" not in page and "G1 forces" not in page
    assert "weight draws" not in page


def test_blocked_rows_are_labelled_not_just_faded() -> None:
    page = render(snapshot("S03"))
    compare = section(page, "compare-h")
    for row in re.findall(r'<tr class="is-blocked[^"]*">(.*?)</tr>', compare, re.DOTALL):
        assert "Blocked by the hard rule" in text_of(row)
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


def test_footer_states_database_timestamps_in_utc() -> None:
    """SQLite hands back naive UTC datetimes; the page shows them as UTC."""
    snap = snapshot("S01", created_at="2026-11-21T09:15:00.123456", expires_at=datetime(2026, 12, 21, 9, 15))
    page = text_of(render(snap))
    assert "Snapshot of 2026-11-21 09:15 UTC; this link expires 2026-12-21 09:15 UTC." in page


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
    assert points[0] == (chart["cx"], pytest.approx(chart["cy"] - chart["radius"], abs=0.1))
    # The scale leaves out the numbers a series' top vertex would cover (LoRA's fit is 10, Prompt's 2.9).
    assert [t["text"] for t in chart["ticks"]] == ["6", "8"]
    assert chart["series"][0]["dash"] != chart["series"][1]["dash"]
    assert chart["series"][0]["marker"] != chart["series"][1]["marker"]
    assert "leads" in chart["summary"]


def test_team_cost_overrides_are_marked() -> None:
    snap = snapshot("S01")
    snap["prices"]["assumptions"] = {"output_tokens": 300.0}
    cost = text_of(section(render(snap), "cost-h"))
    assert "300 tokens (your override; the preset assumes 300 tokens)" in cost
    assert "User input per call 200 tokens Output" in cost
