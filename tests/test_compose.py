"""Issue 14, item 6: compose.yaml runs PostgreSQL 16 (named volume, health check), a one-shot migrate, two app
servers that wait for both and report readiness, and Caddy in front of them; secrets come from files.
(Docker is not on the build machine: this checks the file's structure, not a running stack.)"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from app.settings import ROOT, SECRET_SETTINGS, load_settings


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "compose.yaml").read_text())
    return loaded


def app_servers(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: s for name, s in compose["services"].items() if s.get("command") == ["tunewise", "serve"]}


def test_postgres_16_keeps_its_data_in_a_named_volume_and_reports_health(compose: dict[str, Any]) -> None:
    postgres = compose["services"]["postgres"]
    assert postgres["image"] == "postgres:16"
    assert "pgdata:/var/lib/postgresql/data" in postgres["volumes"] and "pgdata" in compose["volumes"]
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    assert postgres["environment"]["POSTGRES_PASSWORD_FILE"] == "/run/secrets/postgres_password"


def test_migrate_runs_once_after_postgres_is_healthy(compose: dict[str, Any]) -> None:
    migrate = compose["services"]["migrate"]
    assert migrate["command"] == ["tunewise", "migrate"] and migrate["restart"] == "no"
    assert migrate["depends_on"] == {"postgres": {"condition": "service_healthy"}}


def test_two_identical_app_servers_start_after_a_successful_migration(compose: dict[str, Any]) -> None:
    servers = app_servers(compose)
    assert len(servers) == 2
    first, second = servers.values()
    assert first == second  # one definition (a YAML anchor): the servers differ only by name
    assert first["depends_on"] == {"postgres": {"condition": "service_healthy"},
                                   "migrate": {"condition": "service_completed_successfully"}}
    assert "/readyz" in " ".join(first["healthcheck"]["test"]) and "ports" not in first
    assert first["image"] == compose["services"]["migrate"]["image"]


def test_caddy_fronts_every_app_server_once_they_are_ready(compose: dict[str, Any]) -> None:
    caddy = compose["services"]["caddy"]
    servers = app_servers(compose)
    assert caddy["depends_on"] == {name: {"condition": "service_healthy"} for name in servers}
    assert "./Caddyfile:/etc/caddy/Caddyfile:ro" in caddy["volumes"] and "443:443" in caddy["ports"]
    caddyfile = (ROOT / "Caddyfile").read_text()
    upstreams = re.search(r"reverse_proxy ([^{]+)\{", caddyfile)
    assert upstreams and upstreams.group(1).split() == [f"{name}:8000" for name in servers]
    assert "health_uri /readyz" in caddyfile and "respond /metrics 404" in caddyfile


def test_secrets_come_from_files_never_from_the_environment(compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
        environment = service.get("environment", {})
        for secret in (*SECRET_SETTINGS, "postgres_password"):
            assert not environment.get(f"TUNEWISE_{secret.upper()}"), name  # at most blanked: the file has it
            assert f"POSTGRES_{secret.upper()}" not in environment, name
        if "TUNEWISE_DATABASE_URL_FILE" in environment:  # else the image's SQLite URL and the file would both be set
            assert environment["TUNEWISE_DATABASE_URL"] == "", name
        for variable, value in environment.items():
            if variable.endswith("_FILE"):
                secret = value.removeprefix("/run/secrets/")
                assert secret in service["secrets"] and secret in compose["secrets"], (name, variable)
    assert all(s["file"].startswith("./secrets/") for s in compose["secrets"].values())


def image_environment() -> dict[str, str]:
    """The ENV of the Dockerfile (KEY=value pairs, continued lines included)."""
    block = re.search(r"^ENV (.+?)(?<!\\)$", (ROOT / "Dockerfile").read_text(), re.M | re.S)
    assert block
    return dict(pair.split("=", 1) for pair in block.group(1).replace("\\\n", " ").split())


def test_each_app_server_environment_makes_valid_production_settings(
        compose: dict[str, Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """What a container sees: the image's ENV, then the service's environment, with the secret files mounted."""
    secrets = {"database_url": f"sqlite:///{tmp_path / 'x.db'}\n", "secret_key": "k" * 64 + "\n",
               "metrics_token": "t" * 64 + "\n"}
    for name, service in {**app_servers(compose), "migrate": compose["services"]["migrate"]}.items():
        for variable in [v for v in os.environ if v.startswith("TUNEWISE_")]:
            monkeypatch.delenv(variable)
        for variable, value in {**image_environment(), **service["environment"]}.items():
            value = re.sub(r"\$\{\w+:-([^}]*)\}", r"\1", str(value))  # Compose's defaults
            if value.startswith("/run/secrets/"):
                secret = tmp_path / value.removeprefix("/run/secrets/")
                secret.write_text(secrets[secret.name])
                value = str(secret)
            monkeypatch.setenv(variable, value)
        settings = load_settings()
        assert settings.database_url == f"sqlite:///{tmp_path / 'x.db'}", name
        if name != "migrate":
            assert settings.production and settings.metrics and settings.metrics_token == "t" * 64
