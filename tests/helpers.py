"""A small driver for the wizard over HTTP, shared by the route, API and load tests."""

from __future__ import annotations

import asyncio
import re
import secrets
from collections.abc import Coroutine, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from fastapi.testclient import TestClient

from .conftest import csrf_of

T = TypeVar("T")
VERSION_RE = re.compile(r'name="version" value="(\d+)"')

# One valid answer set, by step (the S01 scenario of the fixtures).
STEP_ANSWERS: dict[str, dict[str, Any]] = {
    "problem": {"gap_types": ["behavior"], "failure_mode": "breaks_repeatedly", "task_stability": "stable_repetitive",
                "deliverable": "feature"},
    "tried": {"prompt_maturity": "systematic", "eval_set": "100plus"},
    "data": {"labeled_examples": "500", "label_quality": "expert_reviewed", "knowledge_volume": "fits_in_prompt",
             "knowledge_churn": "monthly", "citations_required": "no"},
    "output": {"format_strictness": "moderate", "monthly_calls": "60000", "fixed_prompt_tokens": "6000"},
    "constraints": {"data_sensitivity": "internal", "training_data_policy": "cloud_with_controls",
                    "ml_capacity": "managed_only", "time_to_first_version": "weeks",
                    "model_switch_likelihood": "medium"},
}
STEPS = tuple(STEP_ANSWERS)


def start(client: TestClient, team: str = "Support", title: str = "Replies sound robotic") -> str:
    """Start an assessment from the landing page; returns the edit token."""
    token = csrf_of(client.get("/").text)
    response = client.post("/assessments", data={"csrf_token": token, "team": team, "title": title},
                           follow_redirects=False)
    assert response.status_code == 303, response.text
    return response.headers["location"].split("/")[2]


def form_state(client: TestClient, edit: str, step: str) -> tuple[str, str]:
    """The CSRF token and version rendered on a step page."""
    page = client.get(f"/a/{edit}/{step}")
    assert page.status_code == 200, page.status_code
    match = VERSION_RE.search(page.text)
    assert match
    return csrf_of(page.text), match.group(1)


def submit(
    client: TestClient, edit: str, step: str, answers: Mapping[str, Any] | None = None, *,
    htmx: bool = False, idem: str | None = None, version: str | None = None, csrf: str | None = None,
) -> Any:
    """POST one step with its answers (default: the valid set) and the rendered version."""
    token, rendered = form_state(client, edit, step)
    data = {"csrf_token": csrf if csrf is not None else token, "version": version or rendered,
            "idem": idem or secrets.token_hex(8), **(STEP_ANSWERS[step] if answers is None else answers)}
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(f"/a/{edit}/{step}", data=data, headers=headers, follow_redirects=False)


def complete(client: TestClient, edit: str) -> None:
    """Answer every step with the valid set."""
    for step in STEPS:
        assert submit(client, edit, step).status_code == 303


def run_async(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to its end on a loop in a thread of its own: the browser tests leave a loop running in the
    main thread, where asyncio.run() refuses to start."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()
