"""In-process engine figures: a full score() per fixture, and the admin impact preview over stored results."""

from __future__ import annotations

import os
import statistics
import tempfile
import time
import timeit
from pathlib import Path
from typing import Any

from app.engine import flow
from app.engine.rules import Knowledge
from app.engine.scoring import result_to_dict, score
from app.main import CACHE_SHARES, MB
from app.settings import Settings
from app.store.db import Database
from app.store.reevaluate import PreviewCache, preview_impact
from app.store.settings import current_weights

from . import seed

PREVIEW_BYTES = int(Settings().cache_mb * MB * CACHE_SHARES["preview"])  # the app's own budget for the preview rows


def pinned(core: int = 1) -> Any:
    """Run on the server core (no load runs meanwhile), so in-process figures compare across runs."""
    class _Pin:
        def __enter__(self) -> None:
            self.before = os.sched_getaffinity(0)
            os.sched_setaffinity(0, {core})

        def __exit__(self, *_: Any) -> None:
            os.sched_setaffinity(0, self.before)
    return _Pin()


def score_figures(knowledge: Knowledge, repeat: int = 7) -> dict[str, Any]:
    """score() (Monte-Carlo stability, weight flips, every counterfactual) per fixture: best-of and median of
    `repeat` single calls; the headline is the median over the fixtures of each fixture's median."""
    per_case, to_dict = {}, []
    for case in seed.fixtures():
        typed, errors = flow.check_answers(knowledge.bank, case["answers"])
        assert not errors, case["id"]
        score(knowledge, typed)  # first call: warm caches, as a long-running worker is
        times = timeit.repeat(lambda typed=typed: score(knowledge, typed), number=1, repeat=repeat)
        per_case[case["id"]] = round(statistics.median(times) * 1000, 3)
        result = score(knowledge, typed)
        to_dict.append(min(timeit.repeat(lambda result=result: result_to_dict(result), number=1, repeat=3)) * 1000)
    values = sorted(per_case.values())
    return {
        "cases": len(values), "median_ms": round(statistics.median(values), 3), "min_ms": values[0],
        "max_ms": values[-1], "max_case": max(per_case, key=per_case.__getitem__),
        "result_to_dict_median_ms": round(statistics.median(to_dict), 3), "per_case_ms": per_case,
    }


def draft_weights(knowledge: Knowledge, weights: dict[str, float]) -> dict[str, float]:
    """A plausible draft: a fifth of fit's weight moved to cost (sums to 1 like every weight set)."""
    moved = weights["fit"] * 0.2
    return {**weights, "fit": weights["fit"] - moved, "cost": weights["cost"] + moved}


def preview_figures(knowledge: Knowledge, sizes: tuple[int, ...] = (1_000, 10_000)) -> dict[str, Any]:
    """app.reevaluate.preview_impact (what the admin weights page runs) over `sizes` stored results: cold (a fresh
    PreviewCache: rows read and decoded from SQLite, as on a worker's first preview) and warm (cached rows, up to the
    app's byte budget; rows past it are read again each time)."""
    out: dict[str, Any] = {"function": "app.reevaluate.preview_impact"}
    with tempfile.TemporaryDirectory(prefix="tunewise-bench-preview-") as tmp:
        seeded = seed.create(Path(tmp), knowledge)
        for size in sizes:
            seed.grow(seeded.path, seeded.templates, size)
            db = Database(seeded.url)
            try:
                with db.read() as session:
                    weights = draft_weights(knowledge, current_weights(session, knowledge)[0])
                    cache = PreviewCache(PREVIEW_BYTES)
                    started = time.perf_counter()
                    impact = preview_impact(session, knowledge, weights, cache)
                    cold = time.perf_counter() - started
                    warm = min(timeit.repeat(lambda w=weights, c=cache: preview_impact(session, knowledge, w, c),
                                             number=1, repeat=3))
            finally:
                db.dispose()
            out[str(size)] = {"results": impact.total, "changed": impact.changed, "cold_ms": round(cold * 1000, 1),
                              "warm_ms": round(warm * 1000, 1)}
    return out
