"""Getting back to the report and sharing it: the share box on the report, "Your report" on check-answers, the
manage page's results in words with each link's expiry and state, and what finishing again does."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from ..conftest import csrf_of
from ..helpers import STEP_ANSWERS, complete, start, submit
from .test_results import finish, finished


def names(client: TestClient) -> dict[str, str]:
    return dict(client.app.state.knowledge.rules.labels)


def recommendation(client: TestClient, view: str) -> str:
    return client.get(f"/r/{view}.json").json()["result"]["primary"]


def test_the_report_shows_its_own_address_to_copy(client: TestClient) -> None:
    edit, view = finished(client)
    page = client.get(f"/r/{view}").text
    assert '<label for="report-link">Address of this report</label>' in page
    assert f'<input id="report-link" type="text" readonly value="http://testserver/r/{view}">' in page
    assert '<button type="button" class="button secondary" data-copy="report-link" hidden>Copy link</button>' in page
    manage = client.get(f"/a/{edit}/manage").text
    result_id = re.search(r'name="result" value="(\d+)"', manage).group(1)
    other = client.post(f"/a/{edit}/links", data={"csrf_token": csrf_of(manage), "result": result_id, "expires": "7"},
                        follow_redirects=False).headers["location"][3:]
    assert other != view
    second = client.get(f"/r/{other}").text  # the same cached page, filled with its own link
    assert f'value="http://testserver/r/{other}"' in second and view not in second


def test_check_answers_leads_back_to_the_report(client: TestClient) -> None:
    edit, view = finished(client)
    page = client.get(f"/a/{edit}/review").text
    name = names(client)[recommendation(client, view)]
    url = f"http://testserver/r/{view}"
    assert "Your report" in page and f"<strong>{name}</strong>" in page
    assert f'<input id="your-report-link" type="text" readonly value="{url}">' in page
    assert f'<a class="button secondary" href="{url}">Open the report</a>' in page
    assert 'data-copy="your-report-link" hidden>Copy link</button>' in page
    assert client.get(url).status_code == 200
    assert "Finishing again makes a <strong>new result</strong>" in page
    assert f'<a href="{url}">{name} of ' in page  # the previous result's report itself


def test_before_finishing_there_is_no_report_to_go_back_to(client: TestClient) -> None:
    fresh = start(client)
    complete(client, fresh)
    page = client.get(f"/a/{fresh}/review").text
    assert "Your report" not in page and "Finishing again" not in page
    assert "Finishing stores a snapshot" in page


def test_the_manage_page_names_results_in_words_with_each_link_state(client: TestClient) -> None:
    edit, view = finished(client)
    code = recommendation(client, view)
    page = client.get(f"/a/{edit}/manage").text
    heading = re.search(r'<div class="result-entry" id="result-\d+">\s*<h3>([^<]+)</h3>', page).group(1)
    assert names(client)[code] in heading and code not in heading.split(":")[-1]
    assert 'State: <span class="link-state">Live</span>' in page and "Expires: 20" in page
    assert "Make a new read-only link and open the report" in page


def test_finishing_again_after_a_change_keeps_the_previous_result(client: TestClient) -> None:
    edit, first = finished(client)
    submit(client, edit, "tried", {**STEP_ANSWERS["tried"], "eval_set": "none", "return": "review"})
    second = finish(client, edit)
    assert second != first and client.get(f"/r/{first}").status_code == 200
    page = client.get(f"/a/{edit}/manage").text
    assert page.count('class="result-entry"') == 2
