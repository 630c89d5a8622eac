"""`make bench`: Tunewise side by side with a bare Starlette "hello", same load, same core, one run.

Order: seed 1,000 stored assessments → hello → Tunewise GET routes and the 1k scale pair (and page weights) → hello
→ POST routes (their pools seeded now), 50 simulated teams (reliability.md §5.1), server timings, a scanner-like
mix, peak RSS → hello → grow to 100,000 → Tunewise restarted, the 100k scale pair → hello → engine figures
in-process → the admin search at 10,000 and 100,000 stored on a database of its own (SQLite, and PostgreSQL with
BENCH_POSTGRES_URL). Each route's ratio divides by the mean of the two hello
runs around its block, so drifting background load cancels as far as it can. Prints one table and writes
bench/results.json. Loopback only; about 4½ minutes."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.engine.rules import load_knowledge

from . import admin_search, engine, insights, load, report, scanner, seed, teams
from .load import Server

SECONDS = float(os.environ.get("BENCH_SECONDS", "8"))  # per measured route
SCALE_SECONDS = float(os.environ.get("BENCH_SCALE_SECONDS", "5"))
WARMUP_SECONDS = 1.0
CONNECTIONS = 50
SCALE_REPORTS = 100  # view links in the scale pair's report runs
SCALE_TOTAL = int(os.environ.get("BENCH_SCALE_TOTAL", "100000"))
SEARCH_SIZES = (10_000, SCALE_TOTAL)  # the admin search is timed at these stored counts
POSTGRES = os.environ.get("BENCH_POSTGRES_URL", "")  # also time the admin search on this PostgreSQL server
OUT = Path(__file__).resolve().parent / "results.json"
SLUGS = ("problem", "tried", "data", "output", "constraints")


class Bench:
    """The state of one run: data files for the Lua scripts, the servers, and every figure measured."""

    def __init__(self, tmp: Path) -> None:
        self.tmp, self.knowledge = tmp, load_knowledge()
        self.csrf = "bench" + "c" * 40  # the csrftoken cookie every POST carries, and its form field
        self.routes: dict[str, dict[str, Any]] = {}
        self.data: dict[str, Any] = {"routes": self.routes}
        self.block = 0  # routes between hello runs `block` and `block + 1`
        self.hello_server = load.hello_server(tmp / "hello.log")

    def write(self, name: str, lines: list[str]) -> str:
        """A data file for a Lua script."""
        path = self.tmp / name
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return str(path)

    def measure(self, key: str, label: str, server: Server, script: str, args: list[str], *,
                seconds: float = SECONDS, warmup: bool = True,
                check: Callable[[dict[str, Any]], dict[str, Any]] | None = None) -> None:
        """Warm up (GETs), clear the server histograms, run wrk, read the server histograms of this run."""
        if warmup:
            load.wrk(server.url, script, args, seconds=WARMUP_SECONDS, connections=CONNECTIONS)
        if server.name == "tunewise":
            load.timings(server.url)
        figures = load.wrk(server.url, script, args, seconds=seconds, connections=CONNECTIONS)
        figures["label"], figures["seconds"], figures["connections"] = label, seconds, CONNECTIONS
        figures["block"], figures["loadavg"] = self.block, load.loadavg()
        if server.name == "tunewise":
            load.quiesce(server.url)  # requests still queued when wrk stopped belong to this run, not the next
            figures["server"] = load.timings(server.url)
        if check is not None:
            figures["verified"] = check(figures)
        self.routes[key] = figures
        print(f"  {label:34} {figures['rps']:9.0f} req/s  p50 {figures['p50_us'] / 1000:6.1f} ms  "
              f"p99 {figures['p99_us'] / 1000:6.1f} ms  non-2xx/3xx {figures['non_2xx_3xx']}", flush=True)

    def get_args(self, paths: str, mode: str = "plain") -> list[str]:
        """get.lua's arguments: every GET carries the CSRF cookie, as a returning browser's does."""
        return [paths, mode, self.csrf]

    def hello(self) -> None:
        """The bare Starlette reference (idle between its runs), the same wrk command and Lua script."""
        key = f"hello_{len([k for k in self.routes if k.startswith('hello_')])}"
        self.measure(key, f"bare Starlette hello ({key[-1]})", self.hello_server, "get.lua",
                     self.get_args(self.write("hello.txt", ["/hello"])))
        self.block = int(key[-1])

    def scale_pair(self, server: Server, size: str, reports: list[str]) -> None:
        """The step page and the report page at one database size. The report set is small and fetched once
        beforehand, so both sizes are measured with every report already in the server's cache."""
        subset = reports[:SCALE_REPORTS]
        for path in subset:
            load.fetch(server.url, path)
        report_file = self.write("scale_reports.txt", subset)
        self.measure(f"scale_step_{size}", f"step page, {size} stored", server, "get.lua",
                     self.get_args(str(self.tmp / "steps.txt")), seconds=SCALE_SECONDS)
        self.measure(f"scale_report_{size}", f"report page, {size} stored", server, "get.lua",
                     self.get_args(report_file), seconds=SCALE_SECONDS)

    def post_check(self, seeded: seed.Seeded, pool: str, before: int,
                   results_before: int | None = None) -> Callable[[dict[str, Any]], dict[str, Any]]:
        """After a POST run: writes the database accepted (sum of versions) against wrk's ok count."""
        tokens = [edit for edit, _ in seeded.pools[pool]]

        def check(figures: dict[str, Any]) -> dict[str, Any]:
            accepted = seed.versions(seeded.path, tokens) - before
            out = {"accepted_writes": accepted, "wrk_ok": figures["ok"],
                   "consistent": figures["ok"] <= accepted <= figures["ok"] + CONNECTIONS}
            if results_before is not None:
                out["results_stored"] = seed.stored(seeded.path)["result"] - results_before
            return out
        return check

    def tunewise_1k(self, seeded: seed.Seeded) -> None:
        """Page weights, every route, the 1k scale pair, server timings and peak RSS."""
        server = load.tunewise_server(seeded.url, self.tmp / "tunewise.log")
        server.start()
        try:
            steps = [f"/a/{edit}/{slug}" for edit, _ in seeded.pools["step"] for slug in SLUGS]
            reports = [f"/r/{view}" for _, view in seeded.pools["report"]]
            step_file, report_file = self.write("steps.txt", steps), self.write("reports.txt", reports)
            self.data["page_weight"] = report.page_weights(server.url, steps[0], reports[0])
            self.data["stored_1k"] = seed.stored(seeded.path)
            self.measure("step_page", "step page (full)", server, "get.lua", self.get_args(step_file))
            self.measure("step_fragment", "step fragment (htmx)", server, "get.lua", self.get_args(step_file, "htmx"))
            self.measure("report_page", "report page", server, "get.lua", self.get_args(report_file))
            self.measure("report_json", "report .json", server, "get.lua",
                         self.get_args(self.write("json.txt", [r + ".json" for r in reports])))
            self.measure("healthz", "/healthz", server, "get.lua",
                         self.get_args(self.write("healthz.txt", ["/healthz"])))
            self.measure("readyz", "/readyz", server, "get.lua",
                         self.get_args(self.write("readyz.txt", ["/readyz"])))
            self.scale_pair(server, "1k", reports)
            seed.add_pools(seeded, seed.WRITE_POOLS, server_stopped=False)
            self.hello()
            self.posts(seeded, server)
            print("  50 teams (reliability.md §5.1) …", flush=True)
            self.data["teams"] = teams.run(server)
            self.data["rss_kb"] = server.status()
            print(f"  scanner-like mix ({scanner.THREADS} threads, {scanner.SECONDS:g} s) …", flush=True)
            self.data["scanner"] = scanner.run(server, [e for e, _ in seeded.pools["step"]],
                                               [v for _, v in seeded.pools["report"]])
            self.hello()
        finally:
            server.stop()

    def posts(self, seeded: seed.Seeded, server: Server) -> None:
        """Submits, finishes and API creates; every request carries a fresh idem and the version it must."""
        origin, csrf = server.url, self.csrf
        for key, pool, mode, ok in (("submit", "submit", "form", "303"), ("submit_htmx", "submit_htmx", "htmx", "200")):
            lines = []
            for row, (edit, _) in enumerate(seeded.pools[pool]):
                slug = SLUGS[row % len(SLUGS)]
                body = (f"csrf_token={csrf}&version={{version}}&idem={{idem}}&"
                        + seeded.form_answers(self.knowledge, row, slug))
                lines.append(f"/a/{edit}/{slug}\t{body}")
            before = seed.versions(seeded.path, [e for e, _ in seeded.pools[pool]])
            label = "step submit (POST, 303)" if mode == "form" else "step submit (POST, htmx)"
            self.measure(key, label, server, "post.lua",
                         [self.write(f"{key}.txt", lines), mode, ok, "/a/" if mode == "form" else "-", csrf, origin,
                          key],
                         warmup=False, check=self.post_check(seeded, pool, before))
        lines = [f"/a/{edit}/finish\tcsrf_token={csrf}&version={{version}}&expires=30"
                 for edit, _ in seeded.pools["finish"]]
        before = seed.versions(seeded.path, [e for e, _ in seeded.pools["finish"]])
        self.measure("finish", "finish (score + snapshot)", server, "post.lua",
                     [self.write("finish.txt", lines), "form", "303", "/r/", csrf, origin, "finish"],
                     warmup=False, check=self.post_check(seeded, "finish", before, seed.stored(seeded.path)["result"]))
        answers = json.dumps(seed.fixtures()[0]["answers"], separators=(",", ":"))
        body = '{"team":"Bench {idem}","title":"Bench run","answers":' + answers + "}"
        self.measure("api_create", "POST /api/assessments", server, "post.lua",
                     [self.write("api.txt", [f"/api/assessments\t{body}"]), "json", "201", "-", csrf, origin, "api"],
                     warmup=False)

    def tunewise_100k(self, seeded: seed.Seeded) -> None:
        """Grow to SCALE_TOTAL stored assessments (server stopped), then the step and report pages again."""
        started = time.monotonic()
        seed.grow(seeded.path, seeded.templates, SCALE_TOTAL)
        self.data["grow_seconds"] = round(time.monotonic() - started, 1)
        self.data["stored_100k"] = seed.stored(seeded.path)
        server = load.tunewise_server(seeded.url, self.tmp / "tunewise.log")
        server.start()
        try:
            self.scale_pair(server, "100k", [f"/r/{view}" for _, view in seeded.pools["report"]])
        finally:
            server.stop()


def main() -> int:
    """Run everything, print the table, write bench/results.json."""
    started = time.monotonic()
    tmp = Path(tempfile.mkdtemp(prefix="tunewise-bench-"))
    try:
        bench = Bench(tmp)
        print(f"make bench: wrk -t1 -c{CONNECTIONS} -d{SECONDS:g}s per route (scale pairs {SCALE_SECONDS:g}s); "
              f"server on core {load.SERVER_CORE}, wrk on core {load.WRK_CORE}; 127.0.0.1 only", flush=True)
        seeded = seed.create(tmp, bench.knowledge)
        seed.add_pools(seeded, seed.READ_POOLS, top_up=1_000)
        bench.hello_server.start()
        try:
            bench.hello()
            bench.tunewise_1k(seeded)
            bench.tunewise_100k(seeded)
            bench.hello()
        finally:
            bench.hello_server.stop()
        print("  engine figures (in-process) …", flush=True)
        with engine.pinned():
            bench.data["engine"] = {"score": engine.score_figures(bench.knowledge),
                                    "impact_preview": engine.preview_figures(bench.knowledge)}
        sizes = tuple(sorted({n for n in SEARCH_SIZES if n <= SCALE_TOTAL}))
        print(f"  admin search at {', '.join(f'{n:,}' for n in sizes)} stored (SQLite) …", flush=True)
        bench.data["admin_search"] = {"SQLite": admin_search.sqlite(bench.knowledge, sizes)}
        if POSTGRES:
            print("  admin search on PostgreSQL …", flush=True)
            bench.data["admin_search"]["PostgreSQL"] = admin_search.postgres(POSTGRES, bench.knowledge, sizes)
        print(f"  admin insight page at {SCALE_TOTAL:,} stored (SQLite) …", flush=True)
        bench.data["insights"] = insights.sqlite(bench.knowledge, SCALE_TOTAL)
        bench.data["machine"] = report.machine()
        bench.data["settings"] = {"seconds": SECONDS, "scale_seconds": SCALE_SECONDS, "connections": CONNECTIONS,
                                  "warmup_seconds": WARMUP_SECONDS, "scale_total": SCALE_TOTAL, "tmp": str(tmp)}
        bench.data["elapsed_seconds"] = round(time.monotonic() - started, 1)
        report.derive(bench.data)
        OUT.write_text(json.dumps(bench.data, indent=2) + "\n", encoding="utf-8")
        print(report.table(bench.data))
        print(f"\nwritten: {OUT} ({bench.data['elapsed_seconds']:.0f} s)")
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
