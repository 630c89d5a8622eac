"""Database engine with the SQLite settings of architecture.md §4, and read/write units of work."""

from __future__ import annotations

import fcntl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import event
from sqlalchemy.engine import Dialect, Engine, make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.sql import Select
from sqlmodel import Session, create_engine

# A locked, full or unreachable database: the web layer answers 503 for it, never 500.
DatabaseUnavailable = OperationalError
SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=FULL",  # answers are user input that cannot be re-derived
    "PRAGMA busy_timeout=5000",
    "PRAGMA foreign_keys=ON",
    # Page cache per connection (SQLite's default is 2 MB). The pool holds up to 50 connections, so the default
    # let one worker's cache grow to ~100 MB; the OS page cache serves re-reads anyway (bench/README.md).
    "PRAGMA cache_size=-512",
)


def make_engine(url: str, *, max_page_count: int = 0, durable: bool = True) -> Engine:
    """An engine for url; SQLite gets its pragmas and explicit BEGIN / BEGIN IMMEDIATE. durable=False is for
    counters that may lose their last writes in a power cut (rate limits): commits do not wait for the disk."""
    if not url.startswith("sqlite"):
        if not durable:
            return create_engine(url, pool_size=2, max_overflow=8, pool_pre_ping=True,
                                 connect_args={"options": "-c synchronous_commit=off"})
        return create_engine(url, pool_size=10, max_overflow=10, pool_pre_ping=True)
    path = make_url(url).database
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    # Pool larger than AnyIO's 40 threadpool tokens, so a waiting request never starves (fastapi#3205).
    pool: dict[str, Any] = ({"pool_size": 20, "max_overflow": 30} if durable
                            else {"pool_size": 2, "max_overflow": 8, "pool_use_lifo": True})
    engine = create_engine(url, **pool, connect_args={"check_same_thread": False})
    _install_sqlite_hooks(engine, max_page_count, durable=durable)
    return engine


def _install_sqlite_hooks(engine: Engine, max_page_count: int, *, durable: bool = True) -> None:
    """Pragmas on connect; our own BEGIN so reads stay deferred and writes take the lock at once."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in SQLITE_PRAGMAS:
            cursor.execute(pragma)
        if not durable:  # WAL without an fsync per commit (the WAL is synced at checkpoints); our own writers queue
            cursor.execute("PRAGMA synchronous=NORMAL")  # on the writer lock, so only another process can make a
            cursor.execute("PRAGMA busy_timeout=200")  # counter wait, and then it gives up soon (callers go on)
        if max_page_count:  # fault injection: a "full disk" after this many pages
            cursor.execute(f"PRAGMA max_page_count={int(max_page_count)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        writing = connection.get_execution_options().get("sqlite_write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")


class Prepared:
    """A Core SELECT compiled once for one dialect and run straight on a pooled DB-API cursor.

    On the hot reads (step pages, the report's cache check) SQLAlchemy's per-call work costs more than SQLite running
    the query: an ORM Session read took ~0.8 ms, the same Core statement ~0.3 ms, this ~0.05 ms (bench/README.md).
    Rows come back through each column's own result processor, so values are what SQLAlchemy would return. Only
    plain string and integer parameters: nothing goes through bind processors."""

    def __init__(self, statement: Select[Any], dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        self.sql = compiled.string
        self.names = compiled.positiontup  # None for named paramstyles (psycopg)
        self.processors = [c.type.dialect_impl(dialect).result_processor(dialect, None)
                           for c in statement.selected_columns]

    def args(self, params: dict[str, Any]) -> Any:
        """The parameters in the driver's paramstyle."""
        return tuple(params[name] for name in self.names) if self.names is not None else params

    def decode(self, row: tuple[Any, ...], start: int = 0) -> tuple[Any, ...]:
        """One raw driver row as typed values (from column `start` on)."""
        return tuple(p(v) if p else v for p, v in zip(self.processors[start:], row[start:]))


class Database:
    """The engine plus the write discipline: one writer at a time on SQLite, row locks on PostgreSQL."""

    def __init__(self, url: str, *, max_page_count: int = 0) -> None:
        self.url = url
        self.engine = make_engine(url, max_page_count=max_page_count)
        self.is_sqlite = url.startswith("sqlite")
        self._write_engine = self.engine.execution_options(sqlite_write=True) if self.is_sqlite else self.engine
        self._thread_lock = threading.Lock()
        self._lock_path = self._lock_file(url)
        self._lock_handle: BinaryIO | None = None
        self._prepared: dict[Select[Any], Prepared] = {}
        self._counters: Engine | None = None  # made on first use: only the rate limiter writes through it
        self._compiled: dict[Any, tuple[str, Any, dict[str, Any]]] = {}

    @staticmethod
    def _lock_file(url: str) -> Path | None:
        """A file beside the SQLite database that serialises writers across worker processes."""
        if not url.startswith("sqlite"):
            return None
        path = make_url(url).database
        return Path(f"{path}.writelock") if path and path != ":memory:" else None

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reads: deferred BEGIN, never blocks writers (WAL)."""
        with Session(self.engine, expire_on_commit=False) as session:
            yield session

    def fetch(self, statement: Select[Any], params: dict[str, Any], *, repeated: int = 0) -> list[tuple[Any, ...]]:
        """Every row of one prebuilt SELECT (module-level, with bindparams), without a Session or Core connection.
        The first `repeated` columns are the same in every row (a join's parent row): decoded once.

        On SQLite the connection is in autocommit mode (see _install_sqlite_hooks), so the single statement reads
        one consistent snapshot without an explicit BEGIN and ROLLBACK."""
        prepared = self._prepared.get(statement)
        if prepared is None:
            prepared = self._prepared[statement] = Prepared(statement, self.engine.dialect)
        connection = self.engine.raw_connection()
        try:
            cursor = connection.cursor()
            try:
                cursor.execute(prepared.sql, prepared.args(params))
                rows = cursor.fetchall()
            finally:
                cursor.close()
        finally:
            connection.close()  # back to the pool (which rolls back: a no-op outside a transaction)
        if not rows:
            return []
        first = prepared.decode(rows[0])
        return [first, *(first[:repeated] + prepared.decode(row, repeated) for row in rows[1:])]


    def bump(self, statement: Any, params: dict[str, Any]) -> tuple[Any, ...] | None:
        """Run one prebuilt write statement (an upsert with RETURNING, a DELETE) as its own transaction on the
        counters engine, under the writer lock; its first row, if any. For counters only (rate limits): on SQLite
        the commit does not fsync (synchronous=NORMAL), on PostgreSQL it does not wait for the WAL flush, so a
        count costs one statement and no disk wait. Values come back raw (plain integers)."""
        compiled = self._compiled.get(statement)
        if compiled is None:
            if self._counters is None:
                self._counters = make_engine(self.url, durable=False)
            done = statement.compile(dialect=self._counters.dialect)
            compiled = self._compiled[statement] = (done.string, done.positiontup, dict(done.params))
        sql, names, defaults = compiled
        values = {**defaults, **params}
        assert self._counters is not None
        dbapi = self._counters.dialect.loaded_dbapi
        with self._writer_lock():
            connection = self._counters.raw_connection()
            try:
                cursor = connection.cursor()
                try:  # SQLite: autocommit, so the one statement is its own transaction
                    cursor.execute(sql, tuple(values[n] for n in names) if names is not None else values)
                    row = cursor.fetchone() if cursor.description else None
                finally:
                    cursor.close()
                connection.commit()
            except dbapi.Error as error:  # as SQLAlchemy raises it: a locked or full database is DatabaseUnavailable
                raise DBAPIError.instance(sql, values, error, dbapi.Error) from error
            finally:
                connection.close()
        return tuple(row) if row is not None else None

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session for one write unit of work, committed at the end or rolled back on error."""
        with self._writer_lock(), Session(self._write_engine, expire_on_commit=False) as session:
            with session.begin():
                yield session

    @contextmanager
    def _writer_lock(self) -> Iterator[None]:
        """Queue writers fairly in Python instead of in SQLite's busy handler (reliability.md §2.2)."""
        if not self.is_sqlite:
            yield
            return
        with self._thread_lock:
            if self._lock_path is None:
                yield
                return
            if self._lock_handle is None:  # opened once, kept: a write took two system calls more without it
                self._lock_handle = open(self._lock_path, "a+b")  # noqa: SIM115  (closed by dispose())
            fcntl.flock(self._lock_handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(self._lock_handle, fcntl.LOCK_UN)

    def ping(self) -> None:
        """Run a trivial query; raises when the database cannot answer."""
        with self.engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()
        if self._counters is not None:
            self._counters.dispose()
        with self._thread_lock:
            if self._lock_handle is not None:
                self._lock_handle.close()
                self._lock_handle = None
