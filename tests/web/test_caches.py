"""Issue 15, memory: one worker reached 206–301 MB under scanners. Every per-process cache is bounded by bytes
(TUNEWISE_CACHE_MB), not by entries: rendered reports, the question fragments memo and the weights preview rows."""

from __future__ import annotations

from fastapi.testclient import TestClient

from app.engine.rules import Knowledge
from app.main import create_app
from app.settings import Settings
from app.store.db import Database
from app.store.reevaluate import PreviewCache, preview_impact
from app.web.cache import LRU
from app.web.render import QuestionFragments, make_templates
from app.web.report_pages import ReportPages

from ..helpers import start
from ..stored import seed_results


def test_the_lru_keeps_its_bytes_under_the_budget() -> None:
    cache = LRU[bytes](10_000, lambda _, value: len(value))
    for i in range(100):
        cache.put(i, b"x" * 1_000)
        assert cache.bytes <= 10_000
    assert len(cache) == 8 and cache.get(99) is not None and cache.get(0) is None  # 1,000 + 200 overhead each
    cache.put("huge", b"x" * 20_000)  # heavier than the whole budget: not kept, nothing evicted for it
    assert cache.get("huge") is None and len(cache) == 8
    cache.drop(lambda key: key == 99)
    assert cache.bytes == 7 * 1_200


def test_report_pages_are_bounded_by_bytes() -> None:
    pages = ReportPages(200_000)
    for result_id in range(50):
        pages.put((result_id, False, None), b"<html>" + b"x" * 54_000)  # a report page weighs ~54 kB
    assert pages.bytes <= 200_000 and len(pages) == 3


def test_question_fragments_made_up_by_clients_stay_within_the_budget(settings: Settings) -> None:
    env = make_templates(settings)
    app = create_app(settings)
    bank = app.state.bank
    app.state.db.dispose()
    memo = QuestionFragments(env, bank.sources, 100_000)
    question = next(q for q in bank.questions.values() if q.kind.value == "int")
    for i in range(400):  # a scanner posting a new value each time: each one a new key
        memo(question, {question.id: [f"{i}" * 50]}, {question.id: f"Enter a whole number ({i})"})
    assert memo._cache.bytes <= 100_000 and 0 < len(memo._cache) < 400


def test_preview_rows_past_the_budget_are_read_not_kept(db: Database, knowledge: Knowledge) -> None:
    seed_results(db, knowledge, 12)
    weights = knowledge.default_weights()
    weights = {**weights, "fit": weights["fit"] - 0.1, "cost": weights["cost"] + 0.1}
    with db.read() as session:
        everything = preview_impact(session, knowledge, weights, PreviewCache())
        small = PreviewCache(6_000)  # a few rows' worth
        for _ in range(2):
            assert preview_impact(session, knowledge, weights, small) == everything
            assert 0 < small.bytes <= 6_000 and everything.total == 12


def test_the_app_splits_its_cache_budget(settings: Settings) -> None:
    app = create_app(settings.model_copy(update={"cache_mb": 10}))
    with TestClient(app) as client:
        start(client)
        assert app.state.report_pages._pages.max_bytes == 6 << 20
        assert app.state.preview_cache.max_bytes == 3 << 20
        fragments = app.state.templates.globals["question_html"]
        assert fragments._cache.max_bytes == 1 << 20
    app.state.db.dispose()
