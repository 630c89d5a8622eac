"""Issue 15, item 1: what one edit link can add is bounded. Re-evaluating (or finishing) with nothing changed adds
no result; an assessment holds at most TUNEWISE_MAX_RESULTS results and TUNEWISE_MAX_LIVE_LINKS working view links,
with a clear message when it is full."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlmodel import func, select

from app.main import create_app
from app.settings import Settings
from app.store.models import Result, ShareLink, WeightSet

from ..conftest import csrf_of
from ..helpers import complete, start
from .test_results import finish, finished


@pytest.fixture
def small(settings: Settings) -> Iterator[TestClient]:
    """An app whose assessments hold at most 3 results and 3 working view links."""
    app = create_app(settings.model_copy(update={"max_results": 3, "max_live_links": 3}))
    with TestClient(app) as client:
        yield client
    app.state.db.dispose()


def count(client: TestClient, model: type) -> int:
    with client.app.state.db.read() as session:
        return int(session.exec(select(func.count()).select_from(model)).one())


def publish_weights(client: TestClient, version: int) -> None:
    """An admin publishes a new weight set (as another worker would, straight into the database)."""
    shift = 0.01 * version
    weights = {"fit": 0.30 - shift, "data": 0.20, "speed": 0.15, "cost": 0.15 + shift, "risk": 0.12, "change": 0.08}
    with client.app.state.db.write() as session:
        session.add(WeightSet(version=version, method="direct", weights=weights, created_by="admin@example.org"))


def reevaluate(client: TestClient, edit: str):
    page = client.get(f"/a/{edit}/manage")
    return client.post(f"/a/{edit}/reevaluate", data={"csrf_token": csrf_of(page.text)}, follow_redirects=False)


def new_link(client: TestClient, edit: str):
    page = client.get(f"/a/{edit}/manage")
    result_id = re.search(r'name="result" value="(\d+)"', page.text).group(1)
    return client.post(f"/a/{edit}/links", data={"csrf_token": csrf_of(page.text), "result": result_id},
                       follow_redirects=False)


def test_reevaluating_fifty_times_with_nothing_changed_adds_no_result(client: TestClient) -> None:
    edit, _ = finished(client)
    for _ in range(50):
        response = reevaluate(client, edit)
        assert response.status_code == 303 and response.headers["location"].endswith("?done=unchanged")
    assert count(client, Result) == 1
    assert "Nothing changed" in client.get(response.headers["location"]).text
    publish_weights(client, 1)  # a real change still makes a new result
    assert "?diff=" in reevaluate(client, edit).headers["location"] and count(client, Result) == 2


def test_finishing_again_with_nothing_changed_links_to_the_same_result(client: TestClient) -> None:
    edit, first = finished(client)
    second = finish(client, edit)
    assert second != first and count(client, Result) == 1 and count(client, ShareLink) == 2
    one, two = (client.get(f"/r/{view}.json").json() for view in (first, second))
    assert one["result"] == two["result"] and one["created_at"] == two["created_at"]


def test_working_view_links_are_capped(small: TestClient) -> None:
    edit, _ = finished(small)  # the finish made link 1
    assert [new_link(small, edit).status_code for _ in range(2)] == [303, 303]
    full = new_link(small, edit)
    assert full.status_code == 409 and "3 working read-only links, the most it may have" in full.text
    assert count(small, ShareLink) == 3
    manage = small.get(f"/a/{edit}/manage")
    link_id = re.search(r"/links/(\d+)/revoke", manage.text).group(1)
    small.post(f"/a/{edit}/links/{link_id}/revoke", data={"csrf_token": csrf_of(manage.text)})
    assert new_link(small, edit).status_code == 303  # a revoked link frees its place
    assert "1 revoked or expired link no longer works" in small.get(f"/a/{edit}/manage").text


def test_results_are_capped(small: TestClient) -> None:
    edit, _ = finished(small)
    for version in (1, 2):
        publish_weights(small, version)
        assert "?diff=" in reevaluate(small, edit).headers["location"]
    publish_weights(small, 3)
    full = reevaluate(small, edit)
    assert full.status_code == 409 and "holds 3 results, the most it may keep" in full.text
    assert count(small, Result) == 3


def test_finish_says_so_when_the_assessment_is_full(small: TestClient) -> None:
    edit = start(small)
    complete(small, edit)
    finish(small, edit)
    for _ in range(2):
        new_link(small, edit)
    review = small.get(f"/a/{edit}/review")
    version = re.search(r'name="version" value="(\d+)"', review.text).group(1)
    response = small.post(f"/a/{edit}/finish", data={"csrf_token": csrf_of(review.text), "version": version},
                          follow_redirects=False)
    assert response.status_code == 409 and "Revoke one you no longer need" in response.text
    assert count(small, ShareLink) == 3
