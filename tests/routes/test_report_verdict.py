"""Issue 12, item 6: one verdict everywhere. The page, the JSON export and the Markdown record of one stored result
say the same thing in the same words; a close call says so in all three (the record once said "Chosen option:
LoRA" where the page said "two acceptable options"). Items 1 and 5: the answer block and the handout's QR code."""

from __future__ import annotations

import html
import json
import re

import segno
from fastapi.testclient import TestClient

from app.engine.rules import Knowledge
from app.store.db import Database
from app.store.results import add_share_link

from ..stored import scenarios, seed_results

CLOSE = "Close call: a small change in priorities would make it"


def links(db: Database, knowledge: Knowledge, *names: str) -> dict[str, str]:
    """Every fixture scenario stored as a result; a view link to each named one (a name repeated: 'S01', 'S01#1')."""
    ids = dict(zip((c["id"] for c in scenarios()), seed_results(db, knowledge)))
    keys = [name if name not in names[:i] else f"{name}#{i}" for i, name in enumerate(names)]
    with db.write() as session:
        return {key: add_share_link(session, result_id=ids[key.split("#")[0]], days=None) for key in keys}


def said(client: TestClient, token: str) -> tuple[str, dict, str]:
    """The page's text, the JSON document and the Markdown record of one view link."""
    page = client.get(f"/r/{token}")
    doc = client.get(f"/r/{token}.json")
    record = client.get(f"/r/{token}.md")
    assert page.status_code == doc.status_code == record.status_code == 200
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page.text)).split())
    return text, doc.json(), record.text


def test_a_close_call_is_a_close_call_everywhere(client: TestClient, db: Database, knowledge: Knowledge) -> None:
    tokens = links(db, knowledge, "H20", "S01", "H21", "S03")  # H20: a close call (H19 since issue 12 item 7 is not)
    kinds = {}
    for name, token in tokens.items():
        page, doc, record = said(client, token)
        verdict = doc["verdict"]
        kinds[name] = verdict["kind"]
        sentence = f"{verdict['confidence']}"
        assert sentence in page and sentence in record, name
        assert verdict["recommendation"] in page and f"Chosen option: “{verdict['recommendation']}”" in record
        assert f"* Verdict: {verdict['confidence']}" in record
        assert verdict["why"] in page and verdict["why"] in record
        if verdict["close_call"]:
            assert verdict["confidence"].startswith(CLOSE) and verdict["alternative_label"] in verdict["confidence"]
            assert "”, narrowly." in record
        else:
            assert CLOSE not in page and CLOSE not in record and "narrowly" not in record
    assert kinds == {"H20": "close_call", "S01": "clear", "H21": "rule_based", "S03": "only_feasible"}


def test_the_verdict_is_derived_not_stored(client: TestClient, db: Database, knowledge: Knowledge) -> None:
    """The JSON keeps the stored snapshot untouched beside the verdict: a re-import cannot smuggle one in."""
    token = links(db, knowledge, "H20")["H20"]
    doc = client.get(f"/r/{token}.json").json()
    assert doc["result"]["confidence"]["label"] == "Low" and doc["verdict"]["kind"] == "close_call"
    assert json.dumps(doc["result"]).count("Close call") == 0


def test_the_printed_qr_code_is_the_report_address(client: TestClient, db: Database, knowledge: Knowledge) -> None:
    """Each view link's page carries the QR code of its own address (the page itself is cached per result)."""
    tokens = links(db, knowledge, "S01", "S01")
    assert len(set(tokens.values())) == 2
    for token in tokens.values():
        page = client.get(f"/r/{token}").text
        address = f"http://testserver/r/{token}"
        assert f'<span class="url">{address}</span>' in page
        svg = re.search(r'<svg aria-hidden="true" focusable="false" [^>]*class="qr-code".*?</svg>', page, re.DOTALL)
        assert svg and "<!--qr" not in page
        assert read_matrix(svg.group(0)) == [list(row) for row in segno.make(address, error="m", micro=False).matrix]


def read_matrix(svg: str) -> list[list[int]]:
    """The modules of segno's one-path SVG (border 2): 'M x y.5 h n m dx dy …' drawn as horizontal runs."""
    size = int(re.search(r'viewBox="0 0 (\d+) \d+"', svg).group(1)) - 4
    grid = [[0] * size for _ in range(size)]
    x = y = 0.0
    path = re.search(r'class="qr-line"[^>]* d="([^"]+)"', svg).group(1)
    for op, a, b in re.findall(r"([Mmh])(-?[\d.]+)(?: (-?[\d.]+))?", path):
        if op == "M":
            x, y = float(a), float(b)
        elif op == "m":
            x, y = x + float(a), y + float(b)
        else:
            for col in range(int(x), int(x + float(a))):
                grid[int(y) - 2][col - 2] = 1
            x += float(a)
    return grid
