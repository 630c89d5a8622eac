"""The manage page shows each working link's address (recomputed from the edit link in its own URL), expiry and
state, and "Your report"; a tampered nonce or hash shows no address; the JSON API's links are shown too; the
re-evaluation's changes name approaches and axes in words."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from fastapi.testclient import TestClient
from sqlmodel import select, update

from app.engine.rules import APPROACHES
from app.store.models import ShareLink, WeightSet
from app.store.tokens import new_token, token_hash
from app.views.history import NOT_SHOWN

from ..conftest import csrf_of
from .admin.conftest import login, make_admin
from .test_results import finished

ORIGIN = "http://testserver"


class _Text(HTMLParser):
    """The text a person reads: no tags, attribute values, scripts or styles."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self._skip += tag in ("script", "style")

    def handle_endtag(self, tag: str) -> None:
        self._skip -= tag in ("script", "style")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def page_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(parser.parts)


def codes_in(text: str, names: dict[str, str]) -> list[str]:
    """Approach codes ("PROMPT", "FT_FULL", …) a page shows outside the approaches' names ("… (RAG)" is a name)."""
    for name in names.values():
        text = text.replace(name, " ")
    return [code for code in APPROACHES if re.search(rf"\b{code}\b", text)]


def addresses(html: str) -> list[str]:
    """The values of the manage page's per-link address fields."""
    return re.findall(r'<input id="link-\d+" type="text" readonly value="([^"]+)">', html)


def test_the_manage_page_shows_each_link_address_and_it_opens_the_report(client: TestClient) -> None:
    edit, view = finished(client)
    manage = client.get(f"/a/{edit}/manage").text
    rid = re.search(r'name="result" value="(\d+)"', manage).group(1)
    other = client.post(f"/a/{edit}/links", data={"csrf_token": csrf_of(manage), "result": rid, "expires": "7"},
                        follow_redirects=False).headers["location"]
    page = client.get(f"/a/{edit}/manage").text
    assert addresses(page) == [f"{ORIGIN}/r/{view}", f"{ORIGIN}{other}"]
    for url in addresses(page):
        assert client.get(url.removeprefix(ORIGIN)).status_code == 200
        assert f'<a href="{url}">Open<span class="visually-hidden">' in page
    assert page.count('hidden>Copy link</button>') == 3  # each link and "Your report"; app.js reveals them
    assert 'State: <span class="link-state">Live</span>' in page  # 30 days left
    assert 'State: <span class="link-state">Expires in 7 days</span>' in page
    assert "Expires: never" not in page and NOT_SHOWN not in page
    your = page[page.index('<section class="your-report"'):]
    assert f'<input id="your-report-link" type="text" readonly value="{ORIGIN}{other}">' in your  # the newest


def test_a_tampered_nonce_or_hash_shows_no_address(client: TestClient) -> None:
    edit, view = finished(client)
    with client.app.state.db.write() as session:
        nonce = session.exec(select(ShareLink.nonce)).one()
        session.exec(update(ShareLink).values(nonce="A" * 22))
    page = client.get(f"/a/{edit}/manage").text
    assert addresses(page) == [] and view not in page and NOT_SHOWN in page
    assert "Make a new read-only link and open the report" in page[page.index('class="your-report"'):]
    with client.app.state.db.write() as session:  # the nonce back, the hash another link's
        session.exec(update(ShareLink).values(nonce=nonce, token_hash=token_hash(new_token())))
    page = client.get(f"/a/{edit}/manage").text
    assert addresses(page) == [] and NOT_SHOWN in page


def test_after_replacing_the_edit_link_old_addresses_are_not_shown_but_work(client: TestClient) -> None:
    edit, view = finished(client)
    manage = client.get(f"/a/{edit}/manage").text
    moved = client.post(f"/a/{edit}/rotate", data={"csrf_token": csrf_of(manage)}, follow_redirects=False)
    new_edit = moved.headers["location"].split("/")[2]
    page = client.get(f"/a/{new_edit}/manage").text
    assert addresses(page) == [] and NOT_SHOWN in page and view not in page
    assert client.get(f"/r/{view}").status_code == 200
    review = client.get(f"/a/{new_edit}/review").text
    assert "Your report" in review and 'id="your-report-link"' not in review
    assert "Make a new read-only link and open the report" in review


def test_links_of_the_json_api_are_shown_on_the_manage_page(client: TestClient) -> None:
    body = client.post("/api/assessments", json={"team": "T", "title": "X", "answers": {"gap_types": ["behavior"]}})
    assert body.status_code == 201, body.text
    edit_url, view_url = body.json()["edit_url"], body.json()["view_url"]
    page = client.get(edit_url.removeprefix(ORIGIN) + "/manage").text
    assert addresses(page) == [view_url]


def test_the_reevaluation_changes_name_approaches_in_words(client: TestClient) -> None:
    edit, _ = finished(client)
    with client.app.state.db.write() as session:  # an admin publishes weights that favour speed
        session.add(WeightSet(version=1, method="direct", created_by="admin@example.org",
                              weights={"fit": 0.05, "data": 0.05, "speed": 0.6, "cost": 0.1, "risk": 0.1,
                                       "change": 0.1}))
    manage = client.get(f"/a/{edit}/manage").text
    done = client.post(f"/a/{edit}/reevaluate", data={"csrf_token": csrf_of(manage)}, follow_redirects=False)
    html = client.get(done.headers["location"]).text
    diff = html[html.index('<section aria-labelledby="changes"'):html.index("</section>", html.index('id="changes"'))]
    assert "Primary:" in diff and "Totals per approach" in diff
    names = dict(client.app.state.knowledge.rules.labels)
    assert codes_in(page_text(html), names) == []
    make_admin(client.app.state.db)
    login(client)
    rid = re.search(r"diff=(\d+)", done.headers["location"]).group(1)
    admin = client.get(f"/admin/assessments/1?diff={rid}").text
    assert "What the re-evaluation changed" in admin and codes_in(page_text(admin), names) == []
