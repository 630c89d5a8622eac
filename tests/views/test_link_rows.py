"""The manage page's link rows: the address only when the edit link recomputed it, the state in words, and
"Your report" picking the newest result's newest showable link."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from app.views.history import NOT_SHOWN, link_rows, link_state, your_report

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)


def team_link(link_id: int, token: str | None, expires: datetime | None = None) -> SimpleNamespace:
    row = SimpleNamespace(id=link_id, created_at=NOW, expires_at=expires)
    return SimpleNamespace(link=row, token=token)


def test_states_in_words() -> None:
    assert link_state(None, NOW) == "Live"
    assert link_state(NOW + timedelta(days=30), NOW) == "Live"
    assert link_state(NOW + timedelta(days=7), NOW) == "Expires in 7 days"
    assert link_state(NOW + timedelta(days=1, hours=1), NOW) == "Expires in 2 days"
    assert link_state(NOW + timedelta(days=1), NOW) == "Expires in 1 day"
    assert link_state(NOW + timedelta(hours=3), NOW) == "Expires within a day"


def test_rows_show_an_address_only_when_recomputed() -> None:
    rows = link_rows([team_link(1, "abc"), team_link(2, None)], origin="https://t.example", base="/a/E", now=NOW)
    assert rows[0]["url"] == "https://t.example/r/abc" and rows[0]["note"] is None
    assert rows[1]["url"] is None and rows[1]["note"] == NOT_SHOWN
    assert rows[1]["revoke_action"] == "/a/E/links/2/revoke" and rows[0]["field_id"] == "link-1"


def test_your_report_is_the_newest_results_newest_showable_link() -> None:
    newest, older = {"id": 2}, {"id": 1}
    shown, hidden, later = {"url": "u1"}, {"url": None}, {"url": "u3"}
    assert your_report([]) is None
    assert your_report([(newest, [shown, later, hidden]), (older, [])]) == {"result": newest, "link": later}
    assert your_report([(newest, [hidden]), (older, [shown])]) == {"result": newest, "link": None}
