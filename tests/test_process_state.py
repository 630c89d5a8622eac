"""Issue 14, item 5: nothing keeps state in a process that matters across requests, unless it is immutable or checked
against the database (docs/architecture.md, "Several servers").

Walks app/ for the three ways a process keeps state between requests: attributes set on the application's state,
memoised functions, and module-level stateful objects. Each one must be classified here, so new state is a
deliberate choice: a per-process cache that goes stale behind another server fails this test until someone says
why it cannot."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app"
MEMOISERS = {"cache", "lru_cache"}
STATEFUL = {"Lock", "RLock", "Semaphore", "BoundedSemaphore", "Queue", "deque", "OrderedDict", "defaultdict", "LRU",
            "Counter", "Histogram", "Gauge", "Summary"}

IMMUTABLE, STAMPED, PER_PROCESS = "immutable", "checked against the database", "per process by design"
CLASSIFIED = {
    # app.state: one per process, built at start-up
    "app.state.settings": IMMUTABLE,  # read from the environment once
    "app.state.db": PER_PROCESS,  # the connection pool; what it holds lives in the database
    "app.state.knowledge": IMMUTABLE, "app.state.bank": IMMUTABLE, "app.state.templates": IMMUTABLE,  # shipped files
    "app.state.current_settings": STAMPED,  # store/settings.py: SETTINGS_STAMP read on every use
    "app.state.report_pages": STAMPED,  # routes/report.py: the link is read (live_key) before the cache is asked
    "app.state.preview_cache": STAMPED,  # immutable results; the stored ids are read on every preview
    "app.state.webhook_sender": PER_PROCESS,  # leases outbox rows in the database: no two senders send one row
    "app.state.metrics": PER_PROCESS,  # request counters of this process (summed across workers by prometheus)
    "app.state.oidc_client": PER_PROCESS,  # the provider's metadata and keys, refetched hourly and on a new key id
    # memoised functions of files, the environment or their arguments
    "app/settings.py:get_settings": IMMUTABLE,
    "app/store/passwords.py:common_passwords": IMMUTABLE, "app/store/passwords.py:dummy_hash": IMMUTABLE,
    "app/store/stats.py:newest_revisions": IMMUTABLE, "app/routes/admin/prices.py:meanings": IMMUTABLE,
    "app/web/exports.py:_environment": IMMUTABLE,
    "app/engine/sensitivity.py:dirichlet": IMMUTABLE, "app/engine/sensitivity.py:_wins": IMMUTABLE,
    # module-level objects
    "app/store/passwords.py:_verify_slots": PER_PROCESS,  # one argon2 at a time: bounds this process's memory
    "app/web/metrics.py:REQUESTS": PER_PROCESS, "app/web/metrics.py:LATENCY": PER_PROCESS,
    "app/web/metrics.py:DATABASE_ERRORS": PER_PROCESS,
}


def modules() -> Iterator[tuple[str, ast.Module]]:
    for path in sorted(APP.rglob("*.py")):
        yield str(path.relative_to(APP.parent)), ast.parse(path.read_text(encoding="utf-8"))


def _is_app_state(node: ast.expr) -> bool:
    """`app.state`, `request.app.state` or a local named `state` (never `request.state`: that is one request's)."""
    if isinstance(node, ast.Name):
        return node.id == "state"
    if isinstance(node, ast.Attribute) and node.attr == "state":
        return not (isinstance(node.value, ast.Name) and node.value.id == "request")
    return False


def _called_name(node: ast.expr) -> str:
    """The name a call or decorator refers to: `lru_cache(maxsize=1)` and `functools.cache` alike."""
    target = node.func if isinstance(node, ast.Call) else node
    if isinstance(target, ast.Attribute):
        return target.attr
    return target.id if isinstance(target, ast.Name) else ""


def kept_state() -> set[str]:
    """Everything in app/ that outlives a request: app.state attributes, memoised functions, stateful globals."""
    found: set[str] = set()
    for where, tree in modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    for one in target.elts if isinstance(target, ast.Tuple) else [target]:
                        if isinstance(one, ast.Attribute) and _is_app_state(one.value):
                            found.add(f"app.state.{one.attr}")
            if isinstance(node, ast.FunctionDef) and any(_called_name(d) in MEMOISERS for d in node.decorator_list):
                found.add(f"{where}:{node.name}")
        for statement in tree.body:
            if not isinstance(statement, ast.Assign) or not isinstance(statement.value, ast.Call):
                continue
            if _called_name(statement.value) in STATEFUL:
                found |= {f"{where}:{t.id}" for t in statement.targets if isinstance(t, ast.Name)}
    return found


def test_every_state_a_process_keeps_is_classified() -> None:
    unclassified = sorted(kept_state() - set(CLASSIFIED))
    assert not unclassified, (
        f"{unclassified} keep state in the process: classify each in tests/test_process_state.py and in "
        "docs/architecture.md, 'Several servers' (immutable, checked against the database, or per process by design)")


def test_the_walk_finds_what_it_looks_for() -> None:
    """The walk itself: if it found nothing, the test above would pass whatever app/ holds."""
    found = kept_state()
    assert {"app.state.current_settings", "app.state.report_pages", "app/settings.py:get_settings",
            "app/store/passwords.py:_verify_slots"} <= found
    assert not any(name.startswith("app.state.csrf") for name in found)  # request.state is one request's
    stale = set(CLASSIFIED) - found
    assert not stale, f"{sorted(stale)} are classified but no longer in app/: remove them"
