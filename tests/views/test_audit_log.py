"""The audit log as sentences (issue 12 item 9): every action the app records reads as words, never as a code."""

from __future__ import annotations

import pytest

from app.engine.rules import load_knowledge
from app.views.audit_log import ACTION_NAMES, Names, action_name, sentence

KNOWLEDGE = load_knowledge()
NAMES = Names({a.key: a.label for a in KNOWLEDGE.axes}, KNOWLEDGE.rules.labels,
              {k: p.name for k, p in KNOWLEDGE.presets.items()})
WEIGHTS = {"fit": 0.3, "data": 0.2, "speed": 0.15, "cost": 0.12, "risk": 0.13, "change": 0.1}
PRESET = next(iter(KNOWLEDGE.presets))

# (action, actor, target, before, after) as the routes and the command line record them, and the sentence expected.
CASES = [
    (("weights.published", "ana@example.org", "weight set v4", {"version": 3, "weights": WEIGHTS},
      {"version": 4, "method": "percent", "weights": WEIGHTS, "cr": None}),
     "ana@example.org published weight set 4 (set in percent): Fit 30 %, Data 20 %, Iteration speed 15 %, "
     "Recurring cost 12 %, Risk 13 %, What changes 10 %."),
    (("weights.draft_saved", "ana@example.org", "weights draft", None,
      {"version": 1, "method": "ahp", "weights": {"fit": 0.2781}, "cr": 0.017}),
     "ana@example.org saved the weights draft (set by pairwise comparison): Fit 27.8 %."),
    (("prices.activated", "ana@example.org", PRESET, {"active": "other"}, {"active": PRESET}),
     f"ana@example.org made {KNOWLEDGE.presets[PRESET].name} the price preset new results use instead of other."),
    (("prices.version_added", "ana@example.org", f"{PRESET} v2", {}, {"name": "Mini", "version": 2}),
     "ana@example.org saved version 2 of the price preset Mini."),
    (("result.reevaluated", "ana@example.org", "assessment 3", {"result": 5, "primary": "LORA"},
      {"result": 6, "primary": "PROMPT"}),
     f"ana@example.org re-evaluated assessment 3 with the current settings: the recommendation went from "
     f"{KNOWLEDGE.rules.labels['LORA']} to {KNOWLEDGE.rules.labels['PROMPT']}."),
    (("result.reevaluated", "ana@example.org", "assessment 3", {"primary": "RAG"}, {"primary": "RAG"}),
     f"ana@example.org re-evaluated assessment 3 with the current settings: the recommendation stayed "
     f"{KNOWLEDGE.rules.labels['RAG']}."),
    (("link.revoked", "ana@example.org", "link 2 of result 6", None, {"assessment": 3, "result": 6, "link": 2}),
     "ana@example.org revoked a view link of result 6 (assessment 3): it no longer opens."),
    (("admin.deactivated", "ana@example.org", "bo@example.org", {"active": True},
      {"active": False, "sessions_ended": 2}),
     "ana@example.org deactivated the admin bo@example.org, ending 2 sessions."),
    (("admin.created", "setup link", "ana@example.org", None, {"email": "ana@example.org"}),
     "Someone with the one-time setup link created the admin account ana@example.org."),
    (("admin.unlocked", "command line", "ana@example.org", None, {"failed_attempts_cleared": 4}),
     "The command line cleared 4 failed sign-in attempts of ana@example.org."),
    (("login.succeeded", "ana@example.org", "", None, None), "ana@example.org signed in."),
    (("login.failed", "unverified: ana@example.org", "", None, None),
     "A sign-in as ana@example.org failed (wrong email or password)."),
    (("logout", "ana@example.org", "", None, None), "ana@example.org signed out."),
    (("password.changed", "ana@example.org", "ana@example.org", None, {"other_sessions_ended": 1}),
     "ana@example.org changed their password, ending 1 other session."),
]


@pytest.mark.parametrize("event, expected", CASES, ids=[c[0][0] + str(i) for i, c in enumerate(CASES)])
def test_each_recorded_action_reads_as_a_sentence(event: tuple, expected: str) -> None:
    assert sentence(*event, NAMES) == expected


def test_every_named_action_has_a_sentence_of_its_own() -> None:
    for action in ACTION_NAMES:
        said = sentence(action, "ana@example.org", "x", None, None, NAMES)
        assert action not in said and said.endswith("."), action


def test_an_action_added_later_reads_as_words() -> None:
    assert action_name("webhook.endpoint_added") == "Webhook endpoint added"
    assert sentence("webhook.endpoint_added", "ana@example.org", "https://hooks.example.org", None, None, NAMES) == (
        "ana@example.org: webhook endpoint added, on https://hooks.example.org.")


def test_malformed_records_do_not_break_the_page() -> None:
    assert sentence("weights.published", "ana", "", "junk", ["junk"], NAMES) == "ana published a weight set."


def test_a_teams_decision_and_outcome_read_as_sentences() -> None:
    names = Names(axes={}, approaches={"RAG": "Prompting + retrieval (RAG)"}, presets={})
    assert sentence("decision.status", "team: Ana", "result 7", None, {"status": "accepted", "owner": "Bo"},
                    names) == "Ana, with the team's edit link, recorded the decision on result 7: accepted, owner Bo."
    assert sentence("decision.outcome", "team", "result 7", None, {"outcome_approach": "RAG", "outcome": "partly"},
                    names) == ("Someone with the team's edit link recorded how result 7 went: did Prompting + "
                               "retrieval (RAG); it partly worked.")
