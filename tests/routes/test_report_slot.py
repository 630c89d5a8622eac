"""Issue 15, item 8: the cached report page was filled by replacing a fixed placeholder in its bytes, user text
included, so a team named `__VIEW_TOKEN__` printed each viewer's token in the title, og:title and h1. The slot is
now 128 random bits chosen per process (web/report_pages.py), which no typed text can contain."""

from __future__ import annotations

from fastapi.testclient import TestClient

from ..helpers import complete, start
from .test_results import finish


def test_no_team_text_is_replaced_by_the_viewers_token(client: TestClient) -> None:
    slot = client.app.state.report_pages.slot
    for name in ("__VIEW_TOKEN__", "{view_token}", "view-" + "0" * 32):
        edit = start(client, team=name, title=f"{name} title")
        complete(client, edit)
        view = finish(client, edit)
        for _ in range(2):  # the rendering and the cached copy
            page = client.get(f"/r/{view}").text
            title = page.split("<title>")[1].split("</title>")[0]
            h1 = page.split("<h1")[1].split("</h1>")[0]
            assert view not in title and view not in h1 and name in title
            assert slot not in page
