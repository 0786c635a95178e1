"""SQLite writers in one process take turns on a lock, and every way a write ends hands it on.

These make their own SQLite files (the lock is SQLite's only), so they run in the SQLite pass.
Each runs its database work in a thread of its own, as the app's requests do: the test's main
thread may be marked as running an event loop (Playwright's, once browser tests have run), and
on an event loop's thread the lock is deliberately not taken.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest
from sqlalchemy import Engine, text

from app.db import create_database_engine, writing_now

T = TypeVar("T")


def in_thread(work: Callable[[], T]) -> T:
    """Run `work` in a new thread, as a request's handler runs; return or raise what it did."""
    outcome: list[T] = []
    failure: list[BaseException] = []

    def run() -> None:
        try:
            outcome.append(work())
        except BaseException as error:
            failure.append(error)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout=60)
    assert not thread.is_alive(), "the work never finished"
    if failure:
        raise failure[0]
    return outcome[0]


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    engine = create_database_engine(f"sqlite:///{tmp_path / 'writers.db'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE counter (n INTEGER NOT NULL)"))
        connection.execute(text("INSERT INTO counter VALUES (0)"))
    assert not writing_now(engine)
    return engine


def test_a_write_holds_the_lock_until_its_connection_goes_back(engine: Engine) -> None:
    def work() -> list[bool]:
        seen = []
        with engine.connect() as connection:
            connection.execute(text("SELECT n FROM counter"))
            seen.append(writing_now(engine))  # reads take no lock
            connection.execute(text("UPDATE counter SET n = n + 1"))
            seen.append(writing_now(engine))
            connection.commit()
        return seen

    assert in_thread(work) == [False, True]
    assert not writing_now(engine)


def test_rollback_and_errors_hand_the_lock_on(engine: Engine) -> None:
    def roll_back() -> bool:
        with engine.connect() as connection:
            connection.execute(text("UPDATE counter SET n = 5"))
            held = writing_now(engine)
            connection.rollback()
        return held

    assert in_thread(roll_back)
    assert not writing_now(engine)

    def fail() -> None:
        with engine.connect() as connection:
            connection.execute(text("UPDATE counter SET n = 1"))
            connection.execute(text("UPDATE missing SET n = 1"))

    with pytest.raises(Exception, match="no such table"):
        in_thread(fail)
    assert not writing_now(engine)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT n FROM counter")).scalar_one() == 0


def test_concurrent_writers_all_succeed_and_none_is_lost(engine: Engine) -> None:
    failures: list[BaseException] = []

    def writer() -> None:
        try:
            for _ in range(25):
                with engine.connect() as connection:
                    connection.execute(text("SELECT n FROM counter"))
                    connection.execute(text("UPDATE counter SET n = n + 1"))
                    connection.commit()
        except BaseException as error:  # reported below, not lost in the thread
            failures.append(error)

    threads = [threading.Thread(target=writer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    with engine.connect() as connection:
        assert connection.execute(text("SELECT n FROM counter")).scalar_one() == 200
    assert not writing_now(engine)


def test_a_second_write_on_the_same_connection_does_not_wait_for_itself(tmp_path: Path) -> None:
    # A long busy timeout: were the lock taken twice, the second write would wait all of it.
    engine = create_database_engine(
        f"sqlite:///{tmp_path / 'again.db'}", sqlite_busy_timeout_ms=120_000
    )
    done = threading.Event()

    def write_twice() -> None:
        with engine.connect() as connection:
            connection.execute(text("CREATE TABLE t (n INTEGER)"))
            connection.commit()  # the connection keeps the lock until it goes back to the pool
            connection.execute(text("INSERT INTO t VALUES (1)"))
            connection.commit()
        done.set()

    thread = threading.Thread(target=write_twice, daemon=True)
    thread.start()
    assert done.wait(timeout=30), "the second write waited for the lock its connection held"
    assert not writing_now(engine)


def test_an_invalidated_connection_hands_the_lock_on(engine: Engine) -> None:
    def work() -> bool:
        with engine.connect() as connection:
            connection.execute(text("UPDATE counter SET n = 1"))
            held = writing_now(engine)
            connection.invalidate()
        return held

    assert in_thread(work)
    assert not writing_now(engine)


def test_a_write_on_the_event_loop_does_not_queue(engine: Engine) -> None:
    # The loop may be what has to close the session holding the lock, so it never waits for it.
    async def write() -> bool:
        with engine.connect() as connection:
            connection.execute(text("UPDATE counter SET n = 2"))
            held = writing_now(engine)
            connection.commit()
        return held

    assert in_thread(lambda: asyncio.run(write())) is False
    with engine.connect() as connection:
        assert connection.execute(text("SELECT n FROM counter")).scalar_one() == 2
