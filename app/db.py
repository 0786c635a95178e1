"""Database engine and sessions: embedded SQLite by default, PostgreSQL by URL."""

from __future__ import annotations

import asyncio
import os
import shutil
import stat
import threading
import weakref
from collections.abc import Generator
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlmodel import Session, create_engine

READ_ONLY_STATEMENTS = ("SELECT", "PRAGMA", "EXPLAIN")
# Below this much free space beside the SQLite file, the service says it is not ready.
MIN_FREE_BYTES = 16 * 1024 * 1024
_FILES: weakref.WeakKeyDictionary[Engine, SqliteFile] = weakref.WeakKeyDictionary()


class DatabaseUnavailable(Exception):
    """The database cannot take writes (its file was removed or replaced, or made read-only):
    the change is refused rather than acknowledged and lost. Pages and the API answer 503."""


class SqliteFile:
    """The SQLite file an engine opened, so that a write into a file since removed or replaced
    (which SQLite, holding the old one open, would accept and lose) is refused instead."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.identity: tuple[int, int] | None = None  # (device, inode) when first opened

    def opened(self) -> None:
        """Note the file's identity at the first connection."""
        if self.identity is None:
            found = os.stat(self.path)
            self.identity = (found.st_dev, found.st_ino)

    def problem(self) -> str | None:
        """Why writes to the file would be lost or refused now, or None."""
        try:
            found = os.stat(self.path)
        except FileNotFoundError:
            return "the database file has been removed"
        if self.identity is not None and (found.st_dev, found.st_ino) != self.identity:
            return "the database file has been replaced"
        read_only = not (stat.S_IMODE(found.st_mode) & 0o222) or not os.access(self.path, os.W_OK)
        if read_only or not os.access(self.path.parent, os.W_OK):
            return "the database file is read-only"
        if shutil.disk_usage(self.path.parent).free < MIN_FREE_BYTES:
            return "the disk holding the database is full"
        return None

    def check_writable(self) -> None:
        """Raise DatabaseUnavailable if the file was removed or replaced since it was opened."""
        try:
            found = os.stat(self.path)
        except FileNotFoundError:
            raise DatabaseUnavailable("the database file has been removed") from None
        if self.identity is not None and (found.st_dev, found.st_ino) != self.identity:
            raise DatabaseUnavailable("the database file has been replaced")


def write_problem(engine: Engine, connection: Connection) -> str | None:
    """Why the database would not take a write now, or None: for SQLite, its file removed,
    replaced, read-only or out of space; for PostgreSQL, a read-only server or transaction."""
    database_file = sqlite_file(engine)
    if database_file is not None:
        return database_file.problem()
    if engine.dialect.name == "postgresql":
        read_only = connection.execute(text("SHOW transaction_read_only")).scalar()
        return "the database is read-only" if read_only == "on" else None
    return None


def sqlite_file(engine: Engine) -> SqliteFile | None:
    """The file a SQLite engine writes to; None for PostgreSQL or an in-memory database."""
    return _FILES.get(engine)


HOLDS_WRITE_LOCK = "primas_holds_write_lock"
_WRITE_LOCKS: weakref.WeakKeyDictionary[Engine, threading.Lock] = weakref.WeakKeyDictionary()


def writing_now(engine: Engine) -> bool:
    """Whether a write transaction of this process holds the SQLite engine's writer lock."""
    lock = _WRITE_LOCKS.get(engine)
    return lock is not None and lock.locked()


def _on_event_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def create_database_engine(database_url: str, *, sqlite_busy_timeout_ms: int = 5000) -> Engine:
    """An engine for the URL; SQLite connections get WAL, foreign keys and a busy timeout."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)

    pool: dict[str, int] = {}
    database_file = None
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        database_file = SqliteFile(Path(url.database).resolve())
        # Keep a connection for every request that may run at once (the thread pool's 40), so
        # none is opened and configured per request under load; a local file's are cheap.
        pool = {"pool_size": 40, "max_overflow": 10}
    busy_timeout_seconds = sqlite_busy_timeout_ms / 1000
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": busy_timeout_seconds},
        **pool,
    )
    writers = _WRITE_LOCKS[engine] = threading.Lock()
    if database_file is not None:
        _FILES[engine] = database_file

    @event.listens_for(engine, "connect")
    def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
        # Autocommit at the driver: reads run outside any transaction, and _begin_before_write
        # opens one just before the first write (see below and docs/decisions.md).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(sqlite_busy_timeout_ms)}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
        if database_file is not None:
            database_file.opened()

    @event.listens_for(engine, "before_cursor_execute")
    def _begin_before_write(connection: Any, cursor: Any, statement: str, *_args: Any) -> None:
        # A transaction that read first and writes later cannot wait for the write lock in WAL
        # mode (SQLite answers "database is locked" at once). So every write transaction starts
        # with BEGIN IMMEDIATE, taking the write lock up front and waiting for it (busy
        # timeout) if another writer holds it; the reads before it saw committed data only.
        dbapi_connection = connection.connection.dbapi_connection
        if dbapi_connection.in_transaction:
            return
        if statement.lstrip()[:7].upper().startswith(READ_ONLY_STATEMENTS):
            return
        if database_file is not None:
            database_file.check_writable()  # a stat: never a write into a lost file
        # Writers in this process queue on a lock first: SQLite's own busy wait polls with
        # growing sleeps, so under a burst of saves some waited seconds while others went
        # ahead; the lock hands over the moment it is free. Other processes still meet the
        # busy timeout, and the lock is only waited for as long as that timeout. Never on the
        # event loop's thread: the loop may be what has to close the session holding the lock.
        info = connection.connection.info  # this DBAPI connection's, shared with its pool entry
        if (
            not info.get(HOLDS_WRITE_LOCK)  # still held since an earlier commit on it
            and not _on_event_loop()
            and writers.acquire(timeout=busy_timeout_seconds)
        ):
            info[HOLDS_WRITE_LOCK] = True
        try:
            cursor.execute("BEGIN IMMEDIATE")
        except BaseException:
            _release(info)
            raise

    @event.listens_for(engine, "checkin")
    def _end_of_write(_dbapi_connection: Any, record: Any) -> None:
        # The session hands its connection back after commit or rollback (and on close).
        _release(record.info)

    def _release(info: dict[Any, Any]) -> None:
        if info.pop(HOLDS_WRITE_LOCK, False):
            writers.release()

    return engine


def session_scope(engine: Engine) -> Generator[Session, None, None]:
    """One session per request; services commit, anything uncommitted is rolled back.

    Objects keep their values after a commit (expire_on_commit=False), so a page can still be
    rendered from them once the service has committed and even after the session has closed.
    """
    with Session(engine, expire_on_commit=False) as session:
        yield session


def one_at_a_time(session: Session, name: str) -> None:
    """Until the session's transaction ends, no other transaction gets past this point for
    `name`, so what it reads next cannot be read by another before this one commits (the next
    number in a series, say). On SQLite the write lock is taken now (writers take turns); on
    PostgreSQL a transaction-scoped advisory lock on `name`."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:name))"), {"name": name})
    else:  # a statement that writes nothing but starts the write transaction (BEGIN IMMEDIATE)
        session.execute(text("SAVEPOINT one_at_a_time"))
        session.execute(text("RELEASE SAVEPOINT one_at_a_time"))
