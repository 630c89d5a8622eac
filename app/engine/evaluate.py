"""`tunewise eval`: score every case with the default weights and prices and measure the advice against what
worked (pure: cases in, figures out; app/cli.py parses the arguments and prints).

A case counts as acceptable when the primary is among its acceptable outcomes (when G1 forces INTEGRATION and
names a companion, the companion is shown but the primary decides), and as exact when the primary is its expected
outcome. Calibration: for each confidence label, how often that label's primary is acceptable; the High threshold
reads every label a team sees as High ("High" and "High (only feasible option)") together."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .casefile import APPROACH_IDS, BORDERS, Case
from .knowledge import Knowledge
from .scoring import Result, evaluate, result_to_dict, score

LABELS = ("High", "Medium", "Low")  # the report's order; any other label the engine gives follows
NO_BORDER = "none"  # cases of a file in the fixtures' format carry no border


@dataclass(frozen=True)
class Run:
    """One case scored: the primary, the G1 companion, the gate that forced it and the confidence label."""

    case: Case
    primary: str
    companion: str | None
    forced_by: str | None
    confidence: str

    @property
    def acceptable(self) -> bool:
        return self.primary in self.case.acceptable

    @property
    def exact(self) -> bool:
        return self.primary == self.case.expected


# ---------------------------------------------------------------- scoring a case


def score_case(k: Knowledge, case: Case) -> Result:
    """Score a case's answers (default weights and prices) without letting it be its own neighbour."""
    return score(k, case.answers, exclude_case=case.id)


def acceptable_with(k: Knowledge, weights: Mapping[str, float] | None) -> int:
    """How many cases of the library get an acceptable primary with these weights (the admin preview's figure).
    The primary needs no sensitivity analysis or neighbours, so this uses evaluate(): a fraction of score()."""
    return sum(evaluate(k, case.answers, weights).primary in case.acceptable for case in k.cases)


def run_case(k: Knowledge, case: Case) -> Run:
    """Score one case and read what eval compares (the label through result_to_dict, as the report shows it)."""
    result = result_to_dict(score_case(k, case))
    return Run(case, result["primary"], result["companion"], result["forced_by"], result["confidence"]["label"])


def run_cases(k: Knowledge, cases: Iterable[Case]) -> tuple[Run, ...]:
    """Every case scored, in the given order."""
    return tuple(run_case(k, c) for c in cases)


# ---------------------------------------------------------------- figures


def share(hits: int, n: int) -> dict[str, Any]:
    """A count out of n and its percentage (None when n is 0)."""
    return {"cases": n, "acceptable": hits, "pct": round(100 * hits / n, 1) if n else None}


def figures(runs: Iterable[Run], min_acceptable: float = 0.90, min_high: float = 0.95) -> dict[str, Any]:
    """Every figure eval prints, JSON-ready: totals, per border, confusion matrix, calibration, misses, verdict."""
    runs = tuple(runs)
    n = len(runs)
    hits = sum(r.acceptable for r in runs)
    exact = sum(r.exact for r in runs)
    borders = [b for b in (*BORDERS, NO_BORDER) if any(_border(r) == b for r in runs)]
    labels = [*LABELS, *sorted({r.confidence for r in runs} - set(LABELS))]
    confusion = {e: {p: sum(r.case.expected == e and r.primary == p for r in runs) for p in APPROACH_IDS}
                 for e in APPROACH_IDS}
    calibration = {lab: share(sum(r.acceptable for r in runs if r.confidence == lab),
                              sum(r.confidence == lab for r in runs)) for lab in labels}
    facts: dict[str, Any] = {
        "cases": n,
        "acceptable": {"count": hits, "pct": round(100 * hits / n, 1) if n else None},
        "exact": {"count": exact, "pct": round(100 * exact / n, 1) if n else None},
        "borders": {b: share(sum(r.acceptable for r in runs if _border(r) == b), sum(_border(r) == b for r in runs))
                    for b in borders},
        "confusion": confusion,
        "calibration": calibration,
        "misses": [_miss(r) for r in runs if not r.acceptable],
        "thresholds": {"min_acceptable": min_acceptable, "min_high": min_high},
    }
    high = [r for r in runs if is_high(r.confidence)]
    facts["high"] = share(sum(r.acceptable for r in high), len(high))
    facts["failures"] = failures(n, hits, facts["high"], min_acceptable, min_high)
    facts["passed"] = not facts["failures"]
    return facts


def failures(n: int, hits: int, high: Mapping[str, Any], min_acceptable: float, min_high: float) -> list[str]:
    """Which threshold the run misses: acceptable share overall, and among the cases labelled High (any kind)."""
    found = []
    if n and hits / n < min_acceptable:
        found.append(f"acceptable {hits}/{n} = {100 * hits / n:.1f} % is below the minimum "
                     f"{100 * min_acceptable:.1f} %")
    if high["cases"] and high["acceptable"] / high["cases"] < min_high:
        found.append(f"High's acceptable {high['acceptable']}/{high['cases']} = {high['pct']:.1f} % is below the "
                     f"minimum {100 * min_high:.1f} %")
    return found


def is_high(label: str) -> bool:
    """Every label a team reads as High: "High", and "High (only feasible option)" when one approach is left."""
    return label.split(" ")[0] == "High"


def _border(run: Run) -> str:
    return run.case.border or NO_BORDER


def _miss(run: Run) -> dict[str, Any]:
    return {
        "id": run.case.id, "title": run.case.title, "border": _border(run), "expected": run.case.expected,
        "acceptable": list(run.case.acceptable), "got": run.primary, "companion": run.companion,
        "forced_by": run.forced_by, "confidence": run.confidence,
    }


# ---------------------------------------------------------------- the text table


def render(facts: Mapping[str, Any]) -> str:
    """The figures as the plain-text table `tunewise eval` prints."""
    n, acc, exact = facts["cases"], facts["acceptable"], facts["exact"]
    lines = [
        f"cases       {n}",
        f"acceptable  {acc['count']} / {n}  {_pct(acc['pct'])}",
        f"exact       {exact['count']} / {n}  {_pct(exact['pct'])}",
        "",
        "by border                 cases  acceptable",
    ]
    lines += [f"  {b:<22} {s['cases']:>6}  {s['acceptable']:>4}  {_pct(s['pct'])}" for b, s in facts["borders"].items()]
    width = max(len(a) for a in APPROACH_IDS) + 1
    lines += ["", "confusion (rows: expected, columns: primary)",
              " " * (width + 2) + "".join(f"{a:>{width}}" for a in APPROACH_IDS)]
    for expected, row in facts["confusion"].items():
        if any(row.values()):
            lines.append(f"  {expected:<{width}}" + "".join(f"{row[a] or '.':>{width}}" for a in APPROACH_IDS))
    lines += ["", "calibration (label: cases, primary acceptable)"]
    rows = [*facts["calibration"].items(), ("every High", facts["high"])]
    wide = max(len(lab) for lab, _ in rows)
    lines += [f"  {lab:<{wide}} {s['cases']:>6}  {s['acceptable']:>4}  {_pct(s['pct'])}" for lab, s in rows]
    lines += ["", f"misses ({len(facts['misses'])})"]
    for m in facts["misses"]:
        got = m["got"] + (f" + {m['companion']}" if m["companion"] else "")
        lines.append(f"  {m['id']:<6} expected {m['expected']:<11} got {got:<11} {m['confidence']:<7} {m['title']}")
    return "\n".join(lines)


def _pct(pct: float | None) -> str:
    return "  -" if pct is None else f"({pct:.1f} %)"
