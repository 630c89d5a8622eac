"""`tunewise create-admin EMAIL` (password from standard input) and the setup link `tunewise serve` prints."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import select

from app.cli import print_setup_link
from app.store.db import Database
from app.store.models import AdminUser, AuditEvent

ROOT = Path(__file__).resolve().parents[1]


def run_cli(database_url: str, *args: str, stdin: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TUNEWISE_DATABASE_URL": database_url}
    return subprocess.run([sys.executable, "-m", "app.cli", *args], check=False, input=stdin, capture_output=True,
                          text=True, env=env, cwd=ROOT, timeout=60)


def test_create_admin_reads_the_password_from_stdin(database_url: str) -> None:
    done = run_cli(database_url, "create-admin", "Ops@Example.org", stdin="a long enough passphrase\n")
    assert done.returncode == 0, done.stderr
    db = Database(database_url)
    with db.read() as session:
        admin = session.exec(select(AdminUser)).one()
        event = session.exec(select(AuditEvent)).one()
    db.dispose()
    assert admin.email == "ops@example.org" and admin.password_hash.startswith("$argon2id$") and admin.active
    assert event.action == "admin.created" and event.actor == "command line"


@pytest.mark.parametrize("password, message", [("short", "at least 12"), ("password1234", "too common")])
def test_create_admin_refuses_weak_passwords(database_url: str, password: str, message: str) -> None:
    done = run_cli(database_url, "create-admin", "ops@example.org", stdin=password + "\n")
    assert done.returncode == 2 and message in done.stderr


def test_create_admin_refuses_a_duplicate(database_url: str) -> None:
    assert run_cli(database_url, "create-admin", "ops@example.org", stdin="a long enough passphrase\n").returncode == 0
    again = run_cli(database_url, "create-admin", "ops@example.org", stdin="another long passphrase\n")
    assert again.returncode == 2 and "already exists" in again.stderr


def test_serve_prints_a_setup_link_only_while_no_admin_exists(database_url: str,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    print_setup_link(database_url, "127.0.0.1", 8000)
    out = capsys.readouterr().out
    assert out.startswith("No admin yet: open http://127.0.0.1:8000/admin/setup/") and "within one hour" in out
    run_cli(database_url, "create-admin", "ops@example.org", stdin="a long enough passphrase\n")
    print_setup_link(database_url, "127.0.0.1", 8000)
    assert capsys.readouterr().out == ""
