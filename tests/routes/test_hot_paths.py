"""The shortcuts the busiest pages take (bench/README.md) must never show stale or mixed-up content."""

from __future__ import annotations

from fastapi.testclient import TestClient

from app.engine.rules import load_knowledge
from app.settings import Settings
from app.store import settings as settings_store
from app.store.db import Database
from app.store.models import WeightSet, utcnow
from app.web.render import QuestionFragments, make_templates

from ..conftest import csrf_of
from ..helpers import VERSION_RE, complete, start

KNOWLEDGE = load_knowledge()
BANK = KNOWLEDGE.bank
QUESTIONS = list(BANK.questions.values())


def other_worker_adds_preset_version(url: str, name: str) -> None:
    """What an admin saving through another worker process leaves in the database."""
    db = Database(url)
    try:
        base = KNOWLEDGE.presets[KNOWLEDGE.default_preset]
        with db.write() as session:
            latest = settings_store.latest_preset_row(session, base.id)
            fields = {"name": name, "provider": base.provider, "as_of": "2026-11-20", "note": ""}
            settings_store.add_preset_version(session, base=base, expected=latest.version if latest else 0,
                                              values=base.values, fields=fields, actor="other@example.org",
                                              now=utcnow())
    finally:
        db.dispose()


def test_cost_step_shows_a_preset_renamed_through_another_worker(client: TestClient, settings: Settings) -> None:
    edit = start(client)
    complete(client, edit)
    default_name = KNOWLEDGE.presets[KNOWLEDGE.default_preset].name
    assert f"“{default_name}”" in client.get(f"/a/{edit}/constraints").text
    other_worker_adds_preset_version(settings.database_url, "Renamed elsewhere")
    assert "“Renamed elsewhere”" in client.get(f"/a/{edit}/constraints").text
    other_worker_adds_preset_version(settings.database_url, "Renamed again")
    assert "“Renamed again”" in client.get(f"/a/{edit}/constraints").text


def test_current_settings_follow_a_weight_set_published_elsewhere(settings: Settings) -> None:
    db = Database(settings.database_url)
    try:
        current = settings_store.CurrentSettings(db, KNOWLEDGE)
        assert current.get().weights_version is None and current.get() is current.get()  # unchanged stamp: cached
        weights = {**KNOWLEDGE.default_weights()}
        weights["fit"], weights["cost"] = weights["fit"] - 0.05, weights["cost"] + 0.05
        with db.write() as session:
            session.add(WeightSet(version=1, method="direct", weights=weights, created_by="other@example.org"))
        assert current.get().weights_version == 1
        assert current.get().weights == weights
    finally:
        db.dispose()


def fragments(settings: Settings) -> QuestionFragments:
    return QuestionFragments(make_templates(settings), BANK.sources)


def test_question_fragment_equals_the_macro_for_values_and_errors(settings: Settings) -> None:
    memo = fragments(settings)
    macro = make_templates(settings).get_template("_macros.html").module.question_field
    question = next(q for q in QUESTIONS if q.options and q.kind.value == "single")
    first, second = question.options[0].value, question.options[1].value
    for current, errors in (({}, {}), ({question.id: [first]}, {}),
                            ({question.id: [second]}, {question.id: "Choose one."})):
        assert str(memo(question, current, errors)) == str(macro(question, current, errors, BANK.sources))
    checked = str(memo(question, {question.id: [second]}, {}))
    assert f'value="{second}" checked' in checked and f'value="{first}" checked' not in checked
    assert "Choose one." not in checked  # the error belonged to another call


def test_question_fragment_is_reused_and_keyed_by_question(settings: Settings) -> None:
    memo = fragments(settings)
    one, two = QUESTIONS[0], QUESTIONS[1]
    html = memo(one, {}, {})
    assert memo(one, {two.id: ["x"]}, {two.id: "another question's error"}) is html  # other questions' state is ignored
    assert memo(two, {}, {}) is not html and f'id="q-{two.id}' in memo(two, {}, {})


def test_question_fragments_follow_a_template_edit_in_development(settings: Settings) -> None:
    memo = fragments(settings)  # test settings are not production: templates auto-reload
    question = QUESTIONS[0]
    html = memo(question, {}, {})
    memo._template._uptodate = lambda: False  # type: ignore[union-attr]  # as after saving _macros.html
    assert memo(question, {}, {}) is not html


def test_finish_scores_with_weights_published_through_another_worker(client: TestClient, settings: Settings) -> None:
    edit = start(client)
    complete(client, edit)
    weights = {**KNOWLEDGE.default_weights()}
    weights["fit"], weights["cost"] = weights["fit"] - 0.05, weights["cost"] + 0.05
    db = Database(settings.database_url)
    try:
        with db.write() as session:
            session.add(WeightSet(version=1, method="direct", weights=weights, created_by="other@example.org"))
    finally:
        db.dispose()
    review = client.get(f"/a/{edit}/review").text
    finished = client.post(f"/a/{edit}/finish",
                           data={"csrf_token": csrf_of(review), "version": VERSION_RE.search(review).group(1)},
                           follow_redirects=False)
    snapshot = client.get(finished.headers["location"] + ".json").json()
    assert snapshot["weights_version"] == 1 and snapshot["weights"] == weights
