"""Page weights, the machine, ratios and targets, and the one table `make bench` prints."""

from __future__ import annotations

import datetime as dt
import platform
import re
import sqlite3
import subprocess
from importlib import metadata
from typing import Any

from . import admin_search, insights, load, teams

PACKAGES = ("fastapi", "starlette", "uvicorn", "uvloop", "httptools", "jinja2", "sqlalchemy", "sqlmodel", "pydantic")
ASSET_RE = re.compile(r'<(?:link rel="stylesheet" href|script src)="(/static/[^"]+)"')
ROUTE_ORDER = ("hello_0", "hello_1", "hello_2", "hello_3", "step_page", "step_fragment", "submit", "submit_htmx",
               "finish", "report_page", "report_json", "api_create", "healthz", "readyz", "scale_step_1k",
               "scale_step_100k", "scale_report_1k", "scale_report_100k")
KB = 1000  # targets in kB are decimal: 30 KB = 30,000 bytes


def page_weights(base: str, step_path: str, report_path: str) -> dict[str, Any]:
    """Bytes of the first step page with its CSS and JS, of a step fragment and of a report page."""
    _, _, page = load.fetch(base, step_path)
    assets = ASSET_RE.findall(page.decode())
    parts = {"page": load.weight(base, step_path), **{a: load.weight(base, a) for a in assets}}
    return {
        "first_step_with_assets": {"raw": sum(p["raw"] for p in parts.values()),
                                   "gzip": sum(p["gzip"] for p in parts.values()),
                                   "parts": parts},
        "step_fragment": load.weight(base, step_path, {"HX-Request": "true"}),
        "report_page": load.weight(base, report_path),
    }


def machine() -> dict[str, Any]:
    """Where and when this ran: cores, CPU model, versions, date, commit (read-only git)."""
    with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
        cpu = next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")),
                   platform.processor())
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "-"
    wrk = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False).stdout.split(" [")[0].strip()

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], capture_output=True, text=True, check=False, cwd=load.ROOT)
        return done.stdout.strip() if done.returncode == 0 else "-"

    return {
        "nproc": int(subprocess.run(["nproc"], capture_output=True, text=True, check=False).stdout.strip() or 0),
        "cpu": cpu, "python": platform.python_version(), "sqlite": sqlite3.sqlite_version, "wrk": wrk,
        "packages": versions, "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": git("rev-parse", "--short", "HEAD"),
        "uncommitted_changes": len(git("status", "--porcelain").splitlines()),
    }


def server_main(figures: dict[str, Any]) -> dict[str, Any] | None:
    """The server-side histogram holding most of a run's requests (its route and status class)."""
    server = figures.get("server") or {}
    if not server:
        return None
    key = max(server, key=lambda k: server[k]["count"])
    return {"key": key, **server[key], "others": {k: v["count"] for k, v in server.items() if k != key}}


def derive(data: dict[str, Any]) -> None:
    """Ratios to the bare hello of the same run, scale ratios and every target."""
    routes = data["routes"]
    hellos = [routes[f"hello_{i}"]["rps"] for i in range(4)]
    data["hello_rps"] = {"runs": [round(h) for h in hellos], "spread": round(max(hellos) / min(hellos), 3)}
    for key, figures in routes.items():
        block = figures["block"]
        reference = hellos[int(key[-1])] if key.startswith("hello_") else (hellos[block] + hellos[block + 1]) / 2
        figures["hello_rps"] = round(reference, 1)
        figures["ratio"] = round(figures["rps"] / reference, 4)
        figures["server_main"] = server_main(figures)
    scale = {}
    for page in ("step", "report"):
        small, big = routes[f"scale_{page}_1k"], routes[f"scale_{page}_100k"]
        s_small, s_big = small["server_main"], big["server_main"]
        # Latency × the hello rate of its block: a route run in a busier moment is not counted as slower data.
        drift = big["hello_rps"] / small["hello_rps"]
        scale[page] = {"rps_ratio": round(big["rps"] / small["rps"], 3),
                       "client_p50_ratio": round(big["p50_us"] / small["p50_us"], 3),
                       "server_mean_ratio": round(s_big["mean_ms"] / s_small["mean_ms"], 3),
                       "server_mean_ratio_normalised": round(s_big["mean_ms"] / s_small["mean_ms"] * drift, 3),
                       "server_mean_ms": [s_small["mean_ms"], s_big["mean_ms"]],
                       "server_p50_ms": [s_small["p50_ms"], s_big["p50_ms"]]}
    data["scale"] = scale
    weight, eng = data["page_weight"], data["engine"]
    preview = eng["impact_preview"]["10000"]
    rss_mb = max(data["rss_kb"]["VmHWM"], data["scanner"]["rss_kb"]["VmHWM"]) / 1024
    p50, p50_route = teams.worst(data["teams"], "p50_ms")
    p99, p99_route = teams.worst(data["teams"], "p99_ms")
    data["targets"] = [
        _t(f"50 teams: highest server p50 of a route, ms ({p50_route})", p50, "<=", 5),
        _t(f"50 teams: highest server p99 of a route, ms ({p99_route})", p99, "<=", 100),
        _t("full step page, req/s ÷ hello", routes["step_page"]["ratio"], ">=", 0.05),
        _t("report page, req/s ÷ hello", routes["report_page"]["ratio"], ">=", 0.10),
        _t("step submit (303), req/s ÷ hello", routes["submit"]["ratio"], ">=", 0.02),
        _t("step submit (htmx), req/s ÷ hello", routes["submit_htmx"]["ratio"], ">=", 0.02),
        _t("full score() median, ms", eng["score"]["median_ms"], "<=", 10),
        _t("impact preview, 10,000 results, cold, ms", preview["cold_ms"], "<=", 1000),
        _t("impact preview, 10,000 results, warm, ms", preview["warm_ms"], "<=", 1000),
        _t("step latency 100k ÷ 1k (server mean)", scale["step"]["server_mean_ratio"], "<=", 1.2),
        _t("report latency 100k ÷ 1k (server mean)", scale["report"]["server_mean_ratio"], "<=", 1.2),
        _t("peak RSS of the worker (after the scanner-like mix), MB", round(rss_mb, 1), "<=", 150),
        *[_t(f"admin search, slowest filter at {int(size):,} stored, {db_name}, ms",
             admin_search.slowest(data["admin_search"], db_name, size), "<=", admin_search.LIMIT_MS)
          for db_name, sizes in data.get("admin_search", {}).items() for size in sizes if int(size) >= 100_000],
        *([_t(f"admin insight page's figures at {data['insights']['stored']:,} stored, SQLite, cold, ms",
              data["insights"]["cold_ms"], "<=", insights.LIMIT_MS)] if "insights" in data else []),
        _t("first step page + CSS + JS, gzip, kB", round(weight["first_step_with_assets"]["gzip"] / KB, 1), "<=", 30),
        _t("no failed request (non-2xx/3xx, socket errors, wrong outcome)", _failures(routes), "<=", 0),
    ]


def _failures(routes: dict[str, Any]) -> int:
    """Every failed request over every run: non-2xx/3xx, socket errors and POSTs without their expected outcome."""
    total = 0
    for figures in routes.values():
        total += figures["non_2xx_3xx"] + figures["socket_errors"] + figures.get("other_2xx_3xx", 0)
        verified = figures.get("verified")
        if verified and not verified["consistent"]:
            total += 1
    return total


def _t(name: str, value: float, op: str, limit: float) -> dict[str, Any]:
    met = value >= limit if op == ">=" else value <= limit
    return {"target": name, "value": value, "limit": f"{op} {limit:g}", "met": met}


def _ms(us: float) -> str:
    return f"{us / 1000:.1f}"


def table(data: dict[str, Any]) -> str:
    """The Markdown table (and the figures under it) that make bench prints and bench/README.md quotes."""
    m, routes = data["machine"], data["routes"]
    out = [f"Tunewise bench, {m['date']}, commit {m['commit']} (+{m['uncommitted_changes']} uncommitted), "
           f"{m['nproc']} cores {m['cpu']}, Python {m['python']}, SQLite {m['sqlite']}, {m['wrk']}",
           "", "| Route | req/s | ÷ hello | wrk p50 / p99 ms | server p50 / p99 ms (n) | failed |",
           "|---|---:|---:|---:|---:|---:|"]
    for key in ROUTE_ORDER:
        f = routes[key]
        s = f["server_main"]
        server = f"{s['p50_ms']:g} / {s['p99_ms']:g} ({s['count']})" if s else "—"
        failed = f["non_2xx_3xx"] + f["socket_errors"] + f.get("other_2xx_3xx", 0)
        out.append(f"| {f['label']} | {f['rps']:,.0f} | {f['ratio']:.3f} | {_ms(f['p50_us'])} / {_ms(f['p99_us'])} "
                   f"| {server} | {failed} |")
    w, e = data["page_weight"], data["engine"]
    first = w["first_step_with_assets"]
    out += ["", "| Page weight | raw B | gzip B |", "|---|---:|---:|",
            f"| first step page + CSS + JS | {first['raw']:,} | {first['gzip']:,} |"]
    out += [f"| &nbsp;&nbsp;{name} | {p['raw']:,} | {p['gzip']:,} |" for name, p in first["parts"].items()]
    out += [f"| step fragment (htmx) | {w['step_fragment']['raw']:,} | {w['step_fragment']['gzip']:,} |",
            f"| report page | {w['report_page']['raw']:,} | {w['report_page']['gzip']:,} |"]
    sc, pv = e["score"], e["impact_preview"]
    out += ["", f"Engine: score() median {sc['median_ms']} ms over {sc['cases']} fixtures (min {sc['min_ms']}, "
            f"max {sc['max_ms']} = {sc['max_case']}); impact preview ({pv['function']}) "
            + "; ".join(f"{n} results: cold {pv[n]['cold_ms']:g} ms, warm {pv[n]['warm_ms']:g} ms"
                        for n in ("1000", "10000")),
            "Scale 100k ÷ 1k: " + "; ".join(
                f"{p}: server mean ×{v['server_mean_ratio']} (×{v['server_mean_ratio_normalised']} hello-normalised), "
                f"wrk p50 ×{v['client_p50_ratio']}, req/s ×{v['rps_ratio']}" for p, v in data["scale"].items()),
            "Peak RSS of the Tunewise worker after the 1k, POST and 50-teams runs: "
            f"{data['rss_kb']['VmHWM'] / 1024:.1f} MB (VmHWM); after the scanner-like mix "
            f"({data['scanner']['threads']} threads, {data['scanner']['seconds']:g} s, statuses "
            f"{data['scanner']['statuses']}): {data['scanner']['rss_kb']['VmHWM'] / 1024:.1f} MB. "
            f"Bare hello runs: {', '.join(f'{h:,}' for h in data['hello_rps']['runs'])} req/s (max ÷ min "
            f"{data['hello_rps']['spread']}: background load; each ratio uses the two hello runs around its route). "
            f"Load average during the run: {min(f['loadavg'] for f in routes.values()):.1f}–"
            f"{max(f['loadavg'] for f in routes.values()):.1f}.",
            *teams.table(data["teams"]),
            *admin_search.lines(data.get("admin_search", {})),
            *insights.lines(data.get("insights")),
            "", "| Target | value | limit | met |", "|---|---:|---:|:---:|"]
    out += [f"| {t['target']} | {t['value']:g} | {t['limit']} | {'yes' if t['met'] else '**no**'} |"
            for t in data["targets"]]
    return "\n".join(out)
