"""The import table of docs/architecture.md, enforced: one AST walk over every module of app/ and migrations/."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SQL_LIBRARIES = {"sqlalchemy", "sqlmodel", "alembic"}
WEB_LIBRARIES = {"fastapi", "starlette", "jinja2", "markupsafe", "pydantic", "anyio"}
# layer -> (app packages it may import, third-party top-level names it may import)
TABLE: dict[str, tuple[set[str], set[str]]] = {
    "engine": ({"app.engine"}, set()),
    "store": ({"app.engine", "app.store"}, SQL_LIBRARIES | {"argon2"}),
    "views": ({"app.engine", "app.views"}, set()),
    "web": ({"app.engine", "app.store", "app.views", "app.web", "app.settings"},
            WEB_LIBRARIES | {"argon2", "uvicorn", "prometheus_client", "authlib", "joserfc", "requests", "segno"}),
    "routes": ({"app.engine", "app.store", "app.views", "app.web", "app.settings", "app.routes"}, WEB_LIBRARIES),
}


def module_name(path: Path) -> str:
    """app/store/db.py -> app.store.db; a package's __init__.py is the package itself."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: Path) -> set[str]:
    """Every module one file imports, relative imports resolved against its own package (levels counted right)."""
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            stem = ".".join([*base, node.module] if node.module else base)
            names.add(stem)
            names.update(f"{stem}.{alias.name}" for alias in node.names)  # `from app.store import db` names a module
    return names


def layer_of(module: str) -> str | None:
    """The layer a module of app/ belongs to (None for app/main.py, app/cli.py, app/settings.py)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 2 and parts[1] in TABLE else None


def is_app_module(name: str) -> bool:
    """True for a module of app/ that exists as a file or package."""
    path = ROOT.joinpath(*name.split("."))
    return name.startswith("app") and (path.with_suffix(".py").exists() or (path / "__init__.py").exists())


def violations(path: Path) -> list[str]:
    """What one file imports against the table."""
    module, problems = module_name(path), []
    layer = layer_of(module)
    for name in sorted(imported(path)):
        top = name.split(".")[0]
        if (top in SQL_LIBRARIES and layer != "store" and module not in ("app.main", "app.cli")
                and not module.startswith("migrations")):
            problems.append(f"{module} imports {name}: only app/store, app/main.py and app/cli.py use SQL libraries")
        if layer is None:
            continue
        allowed_app, allowed_third = TABLE[layer]
        if top == "app":
            if (is_app_module(name) and name != "app"
                    and not any(name == a or name.startswith(a + ".") for a in allowed_app)):
                problems.append(f"{module} ({layer}) imports {name}")
            if layer == "routes" and name.startswith("app.routes") and is_app_module(name) and name != module:
                shared = (module.startswith("app.routes.admin")
                          and name in ("app.routes.admin", "app.routes.admin.common"))
                if not shared and not (module == "app.routes.admin" and name.startswith("app.routes.admin.")):
                    problems.append(f"{module} imports another route module, {name}")
        elif top not in sys.stdlib_module_names and top != "__future__" and top not in allowed_third:
            problems.append(f"{module} ({layer}) imports the library {name}")
    return problems


def test_every_module_keeps_to_the_import_table() -> None:
    files = sorted((ROOT / "app").rglob("*.py"))
    assert len(files) > 40
    problems = [p for f in files for p in violations(f)]
    assert problems == []


def test_migrations_and_tests_may_use_sql_but_routes_and_views_may_not() -> None:
    assert violations(ROOT / "migrations" / "env.py") == []
    assert any("sqlmodel" in n for n in imported(ROOT / "app" / "store" / "models.py"))


def test_relative_imports_are_resolved_by_their_level(tmp_path: Path) -> None:
    """`from ..store import db` inside app/engine/x.py names app.store.db: the old purity test missed it."""
    engine_file = ROOT / "app" / "engine" / "scoring.py"
    names = imported(engine_file)
    assert any(n.startswith("app.engine.") for n in names)
    probe = ROOT / "app" / "engine" / "_probe_for_test.py"
    probe.write_text("from ..store import db\nfrom . import rules\n", encoding="utf-8")
    try:
        assert "app.store.db" in imported(probe)
        assert "app.engine.rules" in imported(probe)
        assert any("imports app.store.db" in p for p in violations(probe))
    finally:
        probe.unlink()


def test_at_most_eight_modules_sit_directly_in_app() -> None:
    assert len(list((ROOT / "app").glob("*.py"))) <= 8
