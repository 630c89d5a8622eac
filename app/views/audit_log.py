"""The audit log in words: each recorded admin action as one sentence (the raw record stays behind it)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from app.views.decision import OUTCOME_WORDS, STATUS_WORDS

ACTION_NAMES = {
    "weights.draft_saved": "Weights draft saved", "weights.published": "Weights published",
    "prices.activated": "Price preset made active", "prices.version_added": "Price preset edited",
    "result.reevaluated": "Result re-evaluated", "link.revoked": "View link revoked",
    "admin.created": "Admin account created", "admin.deactivated": "Admin deactivated",
    "admin.unlocked": "Sign-in attempts cleared", "login.succeeded": "Signed in", "login.failed": "Sign-in failed",
    "logout": "Signed out", "password.changed": "Password changed",
    "decision.status": "Decision recorded", "decision.outcome": "Outcome recorded",
}
METHODS = {"percent": "in percent", "direct": "as numbers", "roc": "by ranking", "ahp": "by pairwise comparison"}
TEAM = "team: "  # store/decisions.py writes a team's change as "team: <name>", or "team" when no name was given
ACTORS = {"setup link": "Someone with the one-time setup link", "command line": "The command line",
          "team": "Someone with the team's edit link"}


@dataclass(frozen=True)
class Names:
    """What the sentences name in words: axes, approaches, price presets (key → label)."""

    axes: Mapping[str, str]
    approaches: Mapping[str, str]
    presets: Mapping[str, str]


def action_name(action: str) -> str:
    """'weights.published' → 'Weights published'; an action this module does not know reads as its words."""
    return ACTION_NAMES.get(action) or action.replace(".", " ").replace("_", " ").capitalize()


def who(actor: str) -> str:
    """The actor as the subject of a sentence; a team's change names the person if they gave a name."""
    if actor.startswith(TEAM):
        return f"{actor.removeprefix(TEAM)}, with the team's edit link,"
    return ACTORS.get(actor, actor)


def shares(weights: Any, names: Names) -> str:
    """'Fit 30 %, Data 20 %, …' in the axes' order (axes a set lacks are left out)."""
    if not isinstance(weights, Mapping):
        return ""
    keys = [k for k in names.axes if k in weights] + [k for k in weights if k not in names.axes]
    return ", ".join(f"{names.axes.get(k, k)} {_percent(weights[k])} %" for k in keys)


def _percent(value: Any) -> str:
    """A 0–1 weight as a percentage with at most one decimal."""
    try:
        text = f"{float(value) * 100:.1f}"
    except (TypeError, ValueError):
        return "?"
    return text[:-2] if text.endswith(".0") else text


def _field(record: Any, key: str) -> Any:
    """record[key] when the record is a mapping (older or hand-made entries may not be)."""
    return record.get(key) if isinstance(record, Mapping) else None


def _weights(actor: str, target: str, before: Any, after: Any, names: Names, verb: str) -> str:
    """A saved draft or a published set, with its method and shares."""
    method = METHODS.get(str(_field(after, "method")), "")
    listed = shares(_field(after, "weights"), names)
    return f"{who(actor)} {verb}{f' (set {method})' if method else ''}{f': {listed}' if listed else ''}."


def _published(actor: str, target: str, before: Any, after: Any, names: Names) -> str:
    version = _field(after, "version")
    return _weights(actor, target, before, after, names,
                    "published a weight set" if version is None else f"published weight set {version}")


def _draft(actor: str, target: str, before: Any, after: Any, names: Names) -> str:
    return _weights(actor, target, before, after, names, "saved the weights draft")


def _activated(actor: str, target: str, before: Any, after: Any, names: Names) -> str:
    new, old = _field(after, "active") or target, _field(before, "active")
    was = f" instead of {names.presets.get(str(old), old)}" if old and old != new else ""
    return f"{who(actor)} made {names.presets.get(str(new), new)} the price preset new results use{was}."


def _edited(actor: str, target: str, before: Any, after: Any, names: Names) -> str:
    name = _field(after, "name") or target
    return f"{who(actor)} saved version {_field(after, 'version')} of the price preset {name}."


def _reevaluated(actor: str, target: str, before: Any, after: Any, names: Names) -> str:
    old, new = (names.approaches.get(str(_field(x, "primary")), _field(x, "primary")) for x in (before, after))
    outcome = f"the recommendation stayed {new}" if old == new else f"the recommendation went from {old} to {new}"
    return f"{who(actor)} re-evaluated {target} with the current settings: {outcome}."


def _revoked(actor: str, target: str, before: Any, after: Any, names: Names) -> str:
    where = f" (assessment {_field(after, 'assessment')})" if _field(after, "assessment") else ""
    return f"{who(actor)} revoked a view link of result {_field(after, 'result') or '?'}{where}: it no longer opens."


def _deactivated(actor: str, target: str, before: Any, after: Any, names: Names) -> str:
    ended = _field(after, "sessions_ended")
    return f"{who(actor)} deactivated the admin {target}{_sessions(ended, '')}."


def _sessions(count: Any, other: str) -> str:
    """', ending 2 other sessions' (nothing when none or unknown)."""
    if not isinstance(count, int) or count <= 0:
        return ""
    return f", ending {count} {other}session{'' if count == 1 else 's'}"


def _decision(actor: str, target: str, before: Any, after: Any, names: Names) -> str:
    status = STATUS_WORDS.get(str(_field(after, "status")), "?").lower()
    owner = f", owner {_field(after, 'owner')}" if _field(after, "owner") else ""
    return f"{who(actor)} recorded the decision on {target}: {status}{owner}."


def _outcome(actor: str, target: str, before: Any, after: Any, names: Names) -> str:
    did = _field(after, "outcome_approach")
    went = OUTCOME_WORDS.get(str(_field(after, "outcome")), "?").lower()
    return f"{who(actor)} recorded how {target} went: did {names.approaches.get(str(did), did)}; {went}."


SENTENCES: dict[str, Callable[[str, str, Any, Any, Names], str]] = {
    "decision.status": _decision, "decision.outcome": _outcome,
    "weights.published": _published, "weights.draft_saved": _draft, "prices.activated": _activated,
    "prices.version_added": _edited, "result.reevaluated": _reevaluated, "link.revoked": _revoked,
    "admin.deactivated": _deactivated,
    "admin.created": lambda actor, target, *_: f"{who(actor)} created the admin account {target}.",
    "admin.unlocked": lambda actor, target, _b, after, _n: (
        f"{who(actor)} cleared {_field(after, 'failed_attempts_cleared') or 0} failed sign-in attempts of {target}."),
    "login.succeeded": lambda actor, *_: f"{actor} signed in.",
    "login.failed": lambda actor, *_: (
        f"A sign-in as {actor.removeprefix('unverified: ')} failed (wrong email or password)."),
    "logout": lambda actor, *_: f"{actor} signed out.",
    "password.changed": lambda actor, _t, _b, after, _n: (
        f"{actor} changed their password{_sessions(_field(after, 'other_sessions_ended'), 'other ')}."),
}


def sentence(action: str, actor: str, target: str, before: Any, after: Any, names: Names) -> str:
    """One audit entry as a sentence; an action without a sentence of its own reads 'actor: action words, on target'."""
    write = SENTENCES.get(action)
    if write is not None:
        return write(actor, target, before, after, names)
    return f"{who(actor)}: {action_name(action).lower()}{f', on {target}' if target else ''}."
