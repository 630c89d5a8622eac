"""Concurrent submits to one step (SQLite and, in the parity run, PostgreSQL): exactly one coherent answer set,
and the version counts every accepted write (reliability.md §5.2 C2)."""

from __future__ import annotations

import random
import threading

from fastapi.testclient import TestClient
from sqlmodel import select

from app.store import assessments as repo
from app.store.models import Assessment, Submission

from ..helpers import form_state, start
from ..load.harness import digest, random_answers, stored_digest


def test_concurrent_submits_leave_one_coherent_answer_set(client: TestClient) -> None:
    edit = start(client)
    outcomes: list[tuple[int, int | None, str]] = []
    lock = threading.Lock()

    def hammer(seed: int) -> None:
        rng = random.Random(seed)
        with TestClient(client.app) as own:
            for _ in range(25):
                token, version = form_state(own, edit, "problem")
                answers = random_answers("problem", rng)
                data = {"csrf_token": token, "version": version, "idem": f"{seed}-{rng.random()}", **answers}
                response = own.post(f"/a/{edit}/problem", data=data, follow_redirects=False)
                with lock:
                    outcomes.append((response.status_code, data["idem"], digest(answers)))

    threads = [threading.Thread(target=hammer, args=(seed,)) for seed in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    accepted = [o for o in outcomes if o[0] == 303]
    assert {o[0] for o in outcomes} <= {303, 409} and accepted
    with client.app.state.db.read() as session:
        assessment = session.exec(select(Assessment)).one()
        stored = repo.answers_of(session, assessment_id=assessment.id)
        submissions = session.exec(select(Submission)).all()
    assert assessment.version == len(accepted) == len(submissions)
    version_of = {s.idem: s.version for s in submissions}  # the versions each accepted submit wrote, from the log
    newest = max(accepted, key=lambda o: version_of[o[1]])
    assert stored_digest(stored) == newest[2]
    assert sorted(version_of[o[1]] for o in accepted) == list(range(1, len(accepted) + 1))
