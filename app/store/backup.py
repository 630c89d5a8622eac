"""`tunewise backup PATH`: a consistent SQLite copy via VACUUM INTO, synced to disk and checked."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from sqlalchemy.engine import make_url


class BackupError(RuntimeError):
    """The backup could not be made or did not pass its integrity check."""


def backup_sqlite(database_url: str, target: Path) -> Path:
    """Copy the live database to target (never a half-written file) and verify the copy."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database:
        raise BackupError("backup copies the SQLite database; for PostgreSQL use pg_dump -Fc")
    target = target.resolve()
    if target.exists():
        raise BackupError(f"{target} exists: choose a new file name")
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    source = sqlite3.connect(url.database, timeout=30)
    try:
        source.execute("VACUUM INTO ?", (str(partial),))  # a consistent snapshot, even under writes
    finally:
        source.close()
    _fsync(partial)
    check_copy(partial)
    os.replace(partial, target)
    _fsync(target.parent)
    return target


def check_copy(path: Path) -> None:
    """integrity_check must say ok and foreign_key_check must find nothing."""
    copy = sqlite3.connect(path)
    try:
        integrity = copy.execute("PRAGMA integrity_check").fetchone()[0]
        orphans = copy.execute("PRAGMA foreign_key_check").fetchall()
    finally:
        copy.close()
    if integrity != "ok" or orphans:
        raise BackupError(f"the copy failed its check: integrity={integrity!r}, foreign-key problems={len(orphans)}")


def _fsync(path: Path) -> None:
    """Flush a file (or a directory entry) to disk: VACUUM INTO does not fsync its output."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
