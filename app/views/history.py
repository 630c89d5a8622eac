"""Who changed what (issue 13): the questionnaire saves in words, for the manage page and the conflict page; and
the team's working view links with their addresses, expiry and state ("Your report")."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol

from app.engine.model import Bank
from app.views.wizard import answer_text

SOMEONE = "Someone with the edit link"
NOT_IN_A_STEP = {"api": "the JSON API"}


class Save(Protocol):
    """What a stored save (store/models.Submission) offers."""

    @property
    def step(self) -> str: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def contributor(self) -> str | None: ...
    @property
    def changes(self) -> Mapping[str, Any] | None: ...


def save_entries(bank: Bank, saves: Iterable[Save]) -> list[dict[str, Any]]:
    """Each save: who, when, which step, and the answers it changed (question, before, after, in words)."""
    titles = {s.slug: s.title for s in bank.steps} | NOT_IN_A_STEP
    out = []
    for save in saves:
        changed = []
        for qid, (before, after) in (save.changes or {}).items():
            q = bank.questions.get(qid)
            if q is not None:
                changed.append({"question": q.label, "before": answer_text(q, before), "after": answer_text(q, after)})
        out.append({"who": save.contributor or SOMEONE, "when": save.created_at,
                    "step": titles.get(save.step, save.step), "changes": changed, "known": save.changes is not None})
    return out


def changed_answers(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """question → [before, after] for each answer a save changes (None: not answered before)."""
    return {qid: [before.get(qid), value] for qid, value in after.items() if _same(before.get(qid)) != _same(value)}


def _same(value: Any) -> Any:
    """Multi-choice answers compare as sets; form values and stored values compare alike."""
    return tuple(sorted(map(str, value))) if isinstance(value, (list, tuple)) else value


def meanwhile_sentences(entries: Iterable[Mapping[str, Any]]) -> list[str]:
    """What others saved since a page was opened, as sentences for the conflict notice (oldest first)."""
    out = []
    for entry in reversed(list(entries)):
        what = "; ".join(f"{c['question']} {c['before']} → {c['after']}" for c in entry["changes"])
        out.append(f"Meanwhile {entry['who']} saved “{entry['step']}”" + (f": {what}." if what else "."))
    return out


# A link closer than this to its end says so in its state ("Expires in 3 days"); further away it is just "Live".
EXPIRES_SOON = timedelta(days=7)
NOT_SHOWN = "Address not shown: made with an earlier edit link — make a new link"


def link_state(expires_at: datetime | None, now: datetime) -> str:
    """A working link's state in words: Live, or how soon it stops working."""
    if expires_at is None or expires_at - now > EXPIRES_SOON:
        return "Live"
    left = (expires_at - now) / timedelta(days=1)
    if left < 1:
        return "Expires within a day"
    days = math.ceil(left)
    return f"Expires in {days} day{'' if days == 1 else 's'}"


def link_rows(links: Iterable[Any], *, origin: str, base: str, now: datetime) -> list[dict[str, Any]]:
    """Each working link (store/history.TeamLink) as the manage page lists it: its address when the edit token
    recomputes it (else None), when it was made, its expiry, its state and its revoke action."""
    return [{"id": t.link.id, "url": f"{origin}/r/{t.token}" if t.token else None, "field_id": f"link-{t.link.id}",
             "created_at": t.link.created_at, "expires_at": t.link.expires_at,
             "note": None if t.token else NOT_SHOWN, "state": link_state(t.link.expires_at, now),
             "revoke_action": f"{base}/links/{t.link.id}/revoke"}
            for t in links]


def your_report(history: Sequence[tuple[Mapping[str, Any], Sequence[Mapping[str, Any]]]]) -> dict[str, Any] | None:
    """"Your report": the newest result (history is newest first) with its newest link whose address can be shown,
    or with None when it has none (then the page offers to make one); None before the first result."""
    if not history:
        return None
    result, links = history[0]
    shown = [row for row in links if row["url"]]
    return {"result": result, "link": shown[-1] if shown else None}
