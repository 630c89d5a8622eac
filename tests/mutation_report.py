"""Per-module summary of the last `mutmut run` (make mutation): mutants, killed, survived, untested, score.

Reads mutmut's own result files (mutants/app/engine/*.py.meta) and mutmut-equivalents.md, whose lines
`- app.engine.<module>.<mutant>: <reason>` name survivors judged equivalent: the last column leaves them out.
Run from the repository root: `python -m tests.mutation_report` (exit 1 when a module is under --min, if given).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "mutants" / "app" / "engine"
EQUIVALENTS = ROOT / "mutmut-equivalents.md"
# mutmut's exit codes (mutmut/stats.py): a failing test run (1, 3), a timeout or a crash detects the mutant.
KILLED = {1, 3, 24, -24, 36, 152, 255, -9, -11, 37}
SURVIVED, NO_TESTS, NOT_RUN = {0}, {5, 33}, {None}
EQUIVALENT_LINE = re.compile(r"^- (app\.engine\.[\w.ǁ]+__mutmut_\d+):")


def equivalents(path: Path = EQUIVALENTS) -> set[str]:
    """The mutant names listed as equivalent."""
    if not path.exists():
        return set()
    return {m.group(1) for line in path.read_text(encoding="utf-8").splitlines() if (m := EQUIVALENT_LINE.match(line))}


def tally(meta: Path, equivalent: set[str]) -> Counter[str]:
    """Counts of one module's mutants by outcome."""
    codes: dict[str, int | None] = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
    counts: Counter[str] = Counter(total=len(codes))
    for name, code in codes.items():
        if code in KILLED:
            counts["killed"] += 1
        elif name in equivalent:
            counts["equivalent"] += 1
        elif code in SURVIVED:
            counts["survived"] += 1
        elif code in NO_TESTS:
            counts["no tests"] += 1
        else:
            counts["not run"] += 1
    return counts


def percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f} %" if whole else "–"


def table(results: Path = RESULTS) -> tuple[list[str], dict[str, float]]:
    """The Markdown table lines and each module's score (killed / (mutants − equivalent))."""
    equivalent = equivalents()
    lines = ["| module | mutants | killed | survived | no tests | not run | equivalent | killed % | score |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    scores: dict[str, float] = {}
    overall: Counter[str] = Counter()
    for meta in sorted(results.glob("*.py.meta")):
        counts = tally(meta, equivalent)
        if not counts["total"]:
            continue
        overall.update(counts)
        module = meta.name.removesuffix(".py.meta")
        scores[module] = 100 * counts["killed"] / (counts["total"] - counts["equivalent"])
        lines.append(row(module, counts))
    lines.append(row("**all**", overall))
    return lines, scores


def row(name: str, c: Counter[str]) -> str:
    cells = [c["total"], c["killed"], c["survived"], c["no tests"], c["not run"], c["equivalent"]]
    return (f"| {name} | " + " | ".join(str(x) for x in cells)
            + f" | {percent(c['killed'], c['total'])} | {percent(c['killed'], c['total'] - c['equivalent'])} |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--min", type=float, default=None, help="fail when a module's score is below this percent")
    args = parser.parse_args(argv)
    if not RESULTS.exists():
        print("no mutmut results: run `make mutation` first", file=sys.stderr)
        return 2
    lines, scores = table()
    print("\n".join(lines))
    low = sorted(m for m, s in scores.items() if args.min is not None and s < args.min)
    if low:
        print(f"under {args.min} %: {', '.join(low)}", file=sys.stderr)
    return 1 if low else 0


if __name__ == "__main__":
    sys.exit(main())
