"""Issue 14, item 4 and "malformed configuration": every secret setting has a TUNEWISE_<NAME>_FILE twin (Docker and
Kubernetes secrets); both set, or an unreadable file, is an error naming them; every problem is listed at once."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from app.settings import ROOT, SECRET_SETTINGS, ConfigError, load_settings, secret_files

SECRET = "k" * 40


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No TUNEWISE_* secret or mode from the caller's environment leaks into these tests."""
    for name in (*SECRET_SETTINGS, "production", "port", "log_format", "metrics", "https", "public_origin", "workers"):
        monkeypatch.delenv(f"TUNEWISE_{name.upper()}", raising=False)
        monkeypatch.delenv(f"TUNEWISE_{name.upper()}_FILE", raising=False)


def test_each_secret_reads_from_its_file_without_the_trailing_newline(monkeypatch: pytest.MonkeyPatch,
                                                                     tmp_path: Path) -> None:
    files = {"secret_key": f"{SECRET}\n", "metrics_token": "scrape-me\r\n",
             "database_url": f"sqlite:///{tmp_path / 'x.db'}"}
    for name, text in files.items():
        (tmp_path / name).write_text(text)
        monkeypatch.setenv(f"TUNEWISE_{name.upper()}_FILE", str(tmp_path / name))
    settings = load_settings()
    assert (settings.secret_key, settings.metrics_token, settings.database_url) == (
        SECRET, "scrape-me", f"sqlite:///{tmp_path / 'x.db'}")


def test_only_one_trailing_newline_is_dropped(tmp_path: Path) -> None:
    (tmp_path / "s").write_text("  spaced secret \n\n")
    values, problems = secret_files({"TUNEWISE_SECRET_KEY_FILE": str(tmp_path / "s")})
    assert values == {"secret_key": "  spaced secret \n"} and problems == []


def test_both_set_is_an_error_naming_both(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "key").write_text(SECRET)
    monkeypatch.setenv("TUNEWISE_SECRET_KEY", SECRET)
    monkeypatch.setenv("TUNEWISE_SECRET_KEY_FILE", str(tmp_path / "key"))
    with pytest.raises(ConfigError) as raised:
        load_settings()
    assert raised.value.problems == ["TUNEWISE_SECRET_KEY and TUNEWISE_SECRET_KEY_FILE are both set: keep one"]


def test_an_empty_variable_is_unset_so_its_file_is_read(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The image sets TUNEWISE_DATABASE_URL (SQLite on /data); compose.yaml blanks it to use the secret file."""
    (tmp_path / "url").write_text(f"sqlite:///{tmp_path / 'y.db'}\n")
    monkeypatch.setenv("TUNEWISE_DATABASE_URL", "")
    monkeypatch.setenv("TUNEWISE_DATABASE_URL_FILE", str(tmp_path / "url"))
    assert load_settings().database_url == f"sqlite:///{tmp_path / 'y.db'}"


def test_a_missing_file_is_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TUNEWISE_METRICS_TOKEN_FILE", str(tmp_path / "absent"))
    with pytest.raises(ConfigError) as raised:
        load_settings()
    assert raised.value.problems == [
        f"TUNEWISE_METRICS_TOKEN_FILE: cannot read {tmp_path / 'absent'} (No such file or directory)"]


def test_every_problem_is_listed_and_no_secret_is_shown(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TUNEWISE_PORT", "eighty")
    monkeypatch.setenv("TUNEWISE_LOG_FORMAT", "xml")
    monkeypatch.setenv("TUNEWISE_METRICS", "perhaps")
    monkeypatch.setenv("TUNEWISE_WORKERS", "0")
    monkeypatch.setenv("TUNEWISE_DATABASE_URL_FILE", str(tmp_path))  # a directory: unreadable
    with pytest.raises(ConfigError) as raised:
        load_settings()
    problems = {p.split(":")[0]: p for p in raised.value.problems}  # one line per variable, in field order
    assert len(raised.value.problems) == 5 and str(raised.value).startswith("Tunewise cannot start: the "
                                                                            "configuration has 5 problems:")
    assert problems["TUNEWISE_DATABASE_URL_FILE"].endswith(f": cannot read {tmp_path} (Is a directory)")
    assert problems["TUNEWISE_PORT"].startswith("TUNEWISE_PORT: Input should be a valid integer")
    assert problems["TUNEWISE_PORT"].endswith("(got 'eighty')")
    assert problems["TUNEWISE_LOG_FORMAT"] == "TUNEWISE_LOG_FORMAT: Input should be 'text' or 'json' (got 'xml')"
    assert problems["TUNEWISE_METRICS"].startswith("TUNEWISE_METRICS: Input should be a valid boolean")
    assert problems["TUNEWISE_WORKERS"] == "TUNEWISE_WORKERS: Input should be greater than or equal to 1 (got '0')"


def test_production_lists_everything_it_lacks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TUNEWISE_PRODUCTION", "1")
    monkeypatch.setenv("TUNEWISE_ALLOWED_HOSTS", "")
    with pytest.raises(ConfigError) as raised:
        load_settings()
    assert [p.split(" ")[0] for p in raised.value.problems] == ["TUNEWISE_SECRET_KEY", "TUNEWISE_HTTPS=1", "Set"]


def test_a_malformed_value_of_a_secret_setting_is_not_echoed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TUNEWISE_PRODUCTION", "1")
    monkeypatch.setenv("TUNEWISE_SECRET_KEY", "short-secret-value")
    with pytest.raises(ConfigError) as raised:
        load_settings()
    assert "short-secret-value" not in str(raised.value)


def test_the_command_line_lists_every_problem_and_exits_2(tmp_path: Path) -> None:
    (tmp_path / "key").write_text(SECRET)
    env = {"PATH": "/usr/bin:/bin", "TUNEWISE_DATABASE_URL": f"sqlite:///{tmp_path / 'never.db'}",
           "TUNEWISE_PORT": "eighty", "TUNEWISE_SECRET_KEY": "typed-secret",
           "TUNEWISE_SECRET_KEY_FILE": str(tmp_path / "key")}
    done = subprocess.run([sys.executable, "-m", "app.cli", "migrate"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 2 and done.stdout == "" and "Traceback" not in done.stderr
    assert "configuration has 2 problems" in done.stderr
    assert "TUNEWISE_SECRET_KEY and TUNEWISE_SECRET_KEY_FILE are both set" in done.stderr
    assert "TUNEWISE_PORT: Input should be a valid integer" in done.stderr and "typed-secret" not in done.stderr
    assert not (tmp_path / "never.db").exists()
