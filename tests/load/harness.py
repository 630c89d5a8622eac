"""Simulated teams for the load and fault tests: every submission is logged so "nothing lost" can be counted
the way reliability.md §5.5 says (by server commit version, not by send order)."""

from __future__ import annotations

import hashlib
import json
import random
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import httpx2 as httpx

from app.engine import applies
from app.engine.bank import load_bank
from app.engine.model import Kind

BANK = load_bank()
STEPS = tuple(s.slug for s in BANK.steps)
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
VERSION_RE = re.compile(r'name="version" value="(\d+)"')
NASTY = ["<script>alert(1)</script>", '" hx-get="/admin" hx-trigger="load', "{{7*7}}", "日本語のチーム", "🚀 émoji",
         "שלום עולם", "x" * 110]


@dataclass
class Sent:
    """One submission as the harness sent it."""

    team: str
    step: str
    idem: str
    digest: str
    status: int


@dataclass
class Log:
    """Everything sent, thread-safe."""

    sent: list[Sent] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    client_ms: dict[str, list[float]] = field(default_factory=dict)  # route → client-side latencies
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, status: int, route: str, ms: float) -> None:
        with self.lock:
            self.statuses[status] = self.statuses.get(status, 0) + 1
            self.client_ms.setdefault(route, []).append(ms)

    def client_percentiles(self) -> dict[str, tuple[int, float, float]]:
        """Per route: count, p50 and p99 in ms as the clients saw them (queueing before the server's timer
        included, and the client's own share of the two cores too)."""
        out = {}
        for route, values in sorted(self.client_ms.items()):
            ordered = sorted(values)
            out[route] = (len(ordered), ordered[len(ordered) // 2],
                          ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))])
        return out


def route_of(method: str, path: str) -> str:
    """The route template of a path, as the server's timing middleware names it ("GET /a/{token}/{slug}")."""
    parts = path.split("?")[0].split("/")
    if len(parts) > 2 and parts[1] in ("a", "r"):
        parts[2] = "{token}"
    if len(parts) > 3 and parts[3] in STEPS:
        parts[3] = "{slug}"
    return f"{method} {'/'.join(parts)}"


def random_answers(step: str, rng: random.Random) -> dict[str, Any]:
    """A valid random answer set for one step, as form values, in which every question surely applies: the server
    does not store an answer that the others rule out (applies_when), and the checks compare what was sent with what
    was stored."""
    while True:
        answers = _draw(step, rng)
        typed = {k: tuple(v) if isinstance(v, list) else int(v) if BANK.questions[k].kind is Kind.INT else v
                 for k, v in answers.items()}
        if all(not q.applies_when or applies.verdict(q, typed) is True for q in BANK.step_questions(step)):
            return answers


def _draw(step: str, rng: random.Random) -> dict[str, Any]:
    """One random answer per question of the step, as form values."""
    answers: dict[str, Any] = {}
    for q in BANK.step_questions(step):
        if q.kind is Kind.INT:
            answers[q.id] = str(rng.randint(q.minimum, min(q.maximum, 100_000)))
        elif q.kind is Kind.MULTI:
            answers[q.id] = rng.sample(q.option_values(), rng.randint(1, 3))
        else:
            answers[q.id] = rng.choice(q.option_values())
    return answers


def digest(answers: dict[str, Any]) -> str:
    """A digest of one sent form's answers, typed as the server stores them (options in bank order, integers)."""
    typed = {k: (sorted(v, key=list(BANK.questions[k].option_values()).index) if isinstance(v, list)
                 else int(v) if BANK.questions[k].kind is Kind.INT else v) for k, v in answers.items()}
    return stored_digest(typed)


def stored_digest(answers: dict[str, Any]) -> str:
    """A digest of stored (typed) answers, comparable with digest() of the form that sent them."""
    return hashlib.sha256(json.dumps(answers, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


class Team(threading.Thread):
    """One team: start, then loop GET step (htmx) → think → POST step …, finish, open the report."""

    def __init__(self, base: str, log: Log, deadline: float, seed: int, think: float = 0.5) -> None:
        super().__init__(daemon=True)
        self.base, self.log, self.deadline, self.think = base, log, deadline, think
        self.rng = random.Random(seed)
        self.http = httpx.Client(base_url=base, timeout=15, follow_redirects=False)
        self.edit = ""

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response | None:
        """One request; a refused connection (a killed server) is logged, not raised."""
        started = time.perf_counter()
        try:
            response = self.http.request(method, path, **kwargs)
        except httpx.HTTPError as error:
            with self.log.lock:
                self.log.errors.append(f"{method} {path[:20]}: {type(error).__name__}")
            return None
        self.log.count(response.status_code, route_of(method, path), (time.perf_counter() - started) * 1000)
        return response

    def run(self) -> None:
        while time.monotonic() < self.deadline:
            if not self.edit and not self.begin():
                time.sleep(0.2)
                continue
            for step in STEPS:
                if time.monotonic() >= self.deadline:
                    break
                if not self.step(step):
                    time.sleep(0.05)  # a refused or failed request: back off instead of spinning
                    break
            else:
                self.finish()
        self.http.close()

    def begin(self) -> bool:
        """Start an assessment from the landing page."""
        landing = self.request("GET", "/")
        if landing is None or landing.status_code != 200:
            return False
        token = CSRF_RE.search(landing.text).group(1)  # type: ignore[union-attr]
        made = self.request("POST", "/assessments", data={"csrf_token": token, "team": self.rng.choice(NASTY),
                                                           "title": self.rng.choice(NASTY)})
        if made is None or made.status_code != 303:
            return False
        self.edit = made.headers["location"].split("/")[2]
        return True

    def step(self, step: str) -> bool:
        """GET the step fragment, think, POST random answers; log the submission."""
        page = self.request("GET", f"/a/{self.edit}/{step}", headers={"HX-Request": "true"})
        if page is None or page.status_code != 200:
            return False
        time.sleep(self.rng.expovariate(1 / self.think) if self.think else 0)
        answers = random_answers(step, self.rng)
        idem = secrets.token_hex(16)
        data = {"csrf_token": CSRF_RE.search(page.text).group(1), "version": VERSION_RE.search(page.text).group(1),  # type: ignore[union-attr]
                "idem": idem, **answers}
        response = self.request("POST", f"/a/{self.edit}/{step}", data=data)
        status = response.status_code if response is not None else 0
        with self.log.lock:
            self.log.sent.append(Sent(self.edit, step, idem, digest(answers), status))
        return status == 303

    def finish(self) -> None:
        """Finish and open the report (it must never show an unescaped script)."""
        review = self.request("GET", f"/a/{self.edit}/review")
        if review is None or review.status_code != 200:
            return
        data = {"csrf_token": CSRF_RE.search(review.text).group(1), "version": VERSION_RE.search(review.text).group(1)}  # type: ignore[union-attr]
        done = self.request("POST", f"/a/{self.edit}/finish", data=data)
        if done is not None and done.status_code == 303 and done.headers["location"].startswith("/r/"):
            report = self.request("GET", done.headers["location"])
            if report is not None and "<script>alert(1)" in report.text:
                with self.log.lock:
                    self.log.errors.append("unescaped script in a report")
        self.edit = ""
