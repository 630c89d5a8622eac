"""A scanner-like mix for the memory figure (issue 15: one worker reached 206–301 MB under sqlmap, wapiti and
schemathesis): many distinct URLs and made-up form values, report pages across every view link, bad JSON, the
API docs and its 1.7 MB script, HEAD and odd methods. Peak RSS (VmHWM) is read after it."""

from __future__ import annotations

import json
import os
import random
import re
import string
import threading
import time
from typing import Any

import httpx2 as httpx

from .engine import pinned
from .load import WRK_CORE, Server

THREADS = 8
SECONDS = float(os.environ.get("BENCH_SCANNER_SECONDS", "20"))
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
STEP_FIELDS = ("gap_types", "failure_mode", "task_stability", "labeled_examples", "monthly_calls",
               "fixed_prompt_tokens", "eval_set", "prompt_maturity")


def junk(rng: random.Random, size: int) -> str:
    """Text a fuzzer would send: quotes, SQL and markup fragments, random letters."""
    pieces = ["' OR 1=1--", "<script>alert(1)</script>", "${7*7}", "../../etc/passwd", "%00", "\u202e", "🙂"]
    return "".join(rng.choice(pieces) if rng.random() < 0.2 else rng.choice(string.ascii_letters)
                   for _ in range(size))


class Scanner(threading.Thread):
    """One scanner thread: a weighted random choice of probes until the deadline."""

    def __init__(self, base: str, edits: list[str], views: list[str], deadline: float, seed: int) -> None:
        super().__init__(daemon=True)
        self.base, self.edits, self.views, self.deadline = base, edits, views, deadline
        self.rng, self.statuses = random.Random(seed), {}
        self.client = httpx.Client(base_url=base, timeout=10, follow_redirects=False)

    def run(self) -> None:
        probes = [(self.bad_step, 30), (self.report, 20), (self.bad_api, 15), (self.unknown, 10), (self.step, 10),
                  (self.docs, 5), (self.login, 5), (self.odd_method, 5)]
        choices, weights = zip(*probes)
        try:
            while time.monotonic() < self.deadline:
                try:
                    status = self.rng.choices(choices, weights)[0]()
                except httpx.HTTPError:
                    status = -1
                self.statuses[status] = self.statuses.get(status, 0) + 1
        finally:
            self.client.close()

    def token(self, path: str) -> str:
        match = CSRF_RE.search(self.client.get(path).text)
        return match.group(1) if match else ""

    def bad_step(self) -> int:
        edit = self.rng.choice(self.edits)
        data = {"csrf_token": self.token(f"/a/{edit}/problem"), "version": "0"}
        data |= {name: junk(self.rng, self.rng.randint(5, 400)) for name in self.rng.sample(STEP_FIELDS, 4)}
        return self.client.post(f"/a/{edit}/problem", data=data).status_code

    def report(self) -> int:
        view = self.rng.choice(self.views)
        return self.client.get(f"/r/{view}" + self.rng.choice(["", "", ".json", ".md"])).status_code

    def bad_api(self) -> int:
        body: dict[str, Any] = {"team": junk(self.rng, 50), "title": junk(self.rng, 80),
                                "answers": {junk(self.rng, 8): junk(self.rng, 30) for _ in range(5)}}
        return self.client.post("/api/assessments", content=json.dumps(body),
                                headers={"Content-Type": "application/json"}).status_code

    def unknown(self) -> int:
        path = "/" + "/".join(junk(self.rng, 12).replace("/", "") or "x" for _ in range(self.rng.randint(1, 4)))
        return self.client.get(path, params={"q": junk(self.rng, 200)}).status_code

    def step(self) -> int:
        edit = self.rng.choice(self.edits)
        return self.client.get(f"/a/{edit}/{self.rng.choice(['problem', 'tried', 'data', 'output'])}").status_code

    def docs(self) -> int:
        path = self.rng.choice(["/docs", "/openapi.json", "/static/vendor/swagger-ui-bundle.js"])
        return self.client.get(path).status_code

    def login(self) -> int:
        data = {"csrf_token": self.token("/admin/login"), "email": junk(self.rng, 300), "password": junk(self.rng, 40)}
        return self.client.post("/admin/login", data=data).status_code

    def odd_method(self) -> int:
        method = self.rng.choice(["HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"])
        return self.client.request(method, self.rng.choice(["/", f"/r/{self.rng.choice(self.views)}", "/api/x"])
                                   ).status_code


def run(server: Server, edits: list[str], views: list[str]) -> dict[str, Any]:
    """THREADS scanners for SECONDS on the load core; the statuses they got and the worker's RSS after."""
    deadline = time.monotonic() + SECONDS
    scanners = [Scanner(server.url, edits, views, deadline, seed=i) for i in range(THREADS)]
    with pinned(int(WRK_CORE)):
        for scanner in scanners:
            scanner.start()
        for scanner in scanners:
            scanner.join(timeout=SECONDS + 60)
    statuses: dict[int, int] = {}
    for scanner in scanners:
        for status, count in scanner.statuses.items():
            statuses[status] = statuses.get(status, 0) + count
    return {"threads": THREADS, "seconds": SECONDS, "statuses": dict(sorted(statuses.items())),
            "rss_kb": server.status()}
