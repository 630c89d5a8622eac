"""The "50 teams" run of reliability.md §5.1 inside `make bench`: the load test's simulated teams (tests/load) against
Tunewise as the bench serves it. Server-side p50/p99 per route are the target; client-side figures are printed for
reading (the server's timer starts when a request reaches the app, and the 50 client threads share the cores)."""

from __future__ import annotations

import os
import time
from typing import Any

from tests.load.harness import Log, Team

from . import load
from .engine import pinned
from .load import Server

TEAMS = 50
SECONDS = float(os.environ.get("BENCH_TEAMS_SECONDS", "20"))


def run(server: Server) -> dict[str, Any]:
    """50 teams for SECONDS (each: start, five steps with ~0.5 s think time, finish, open the report), the clients on
    the load core; the server's histograms of this run only, and the clients' own timings."""
    load.timings(server.url)  # clear what earlier runs left
    log = Log()
    deadline = time.monotonic() + SECONDS
    teams = [Team(server.url, log, deadline, seed=i) for i in range(TEAMS)]
    with pinned(int(load.WRK_CORE)):
        for team in teams:
            team.start()
        for team in teams:
            team.join(timeout=SECONDS + 60)
    load.quiesce(server.url)
    server_side = load.timings(server.url)
    client = log.client_percentiles()
    routes = {}
    for key, summary in sorted(server_side.items()):
        method, route, status = key.split(" ")
        count, p50, p99 = client.get(f"{method} {route}", (0, 0.0, 0.0))
        routes[key] = {**summary, "status": status, "client_p50_ms": round(p50, 1), "client_p99_ms": round(p99, 1)}
    return {"teams": TEAMS, "seconds": SECONDS, "statuses": dict(sorted(log.statuses.items())),
            "client_errors": len(log.errors), "routes": routes}


def worst(figures: dict[str, Any], field: str) -> tuple[float, str]:
    """The highest server-side value of one field over the routes that succeeded (2xx and 3xx), with its route."""
    ok = {k: v for k, v in figures["routes"].items() if v["status"] in ("2xx", "3xx")}
    key = max(ok, key=lambda k: ok[k][field])
    return ok[key][field], key.rsplit(" ", 1)[0]


def table(figures: dict[str, Any]) -> list[str]:
    """The per-route lines of the run."""
    out = ["", f"50 teams for {figures['seconds']:g} s (reliability.md §5.1; statuses {figures['statuses']}, "
           f"client errors {figures['client_errors']}):", "",
           "| Route | n | server p50 / p99 ms | client p50 / p99 ms |", "|---|---:|---:|---:|"]
    for key, r in figures["routes"].items():
        out.append(f"| {key} | {r['count']:,} | {r['p50_ms']:g} / {r['p99_ms']:g} | "
                   f"{r['client_p50_ms']:g} / {r['client_p99_ms']:g} |")
    return out
