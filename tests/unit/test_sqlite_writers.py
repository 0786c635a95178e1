"""SQLite writers in one process take turns on a lock, and every way a write ends hands it on.

These make their own SQLite files (the lock is SQLite's only), so they run in the SQLite pass.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from app.db import create_database_engine, writing_now


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    engine = create_database_engine(f"sqlite:///{tmp_path / 'writers.db'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE counter (n INTEGER NOT NULL)"))
        connection.execute(text("INSERT INTO counter VALUES (0)"))
    assert not writing_now(engine)
    return engine


def test_a_write_holds_the_lock_until_commit(engine: Engine) -> None:
    with engine.connect() as connection:
        connection.execute(text("SELECT n FROM counter"))
        assert not writing_now(engine)  # reads take no lock
        connection.execute(text("UPDATE counter SET n = n + 1"))
        assert writing_now(engine)
        connection.commit()
    assert not writing_now(engine)


def test_rollback_and_errors_hand_the_lock_on(engine: Engine) -> None:
    with engine.connect() as connection:
        connection.execute(text("UPDATE counter SET n = 5"))
        connection.rollback()
    assert not writing_now(engine)
    with pytest.raises(Exception, match="no such table"):
        with engine.connect() as connection:
            connection.execute(text("UPDATE counter SET n = 1"))
            connection.execute(text("UPDATE missing SET n = 1"))
    assert not writing_now(engine)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT n FROM counter")).scalar_one() == 0


def test_concurrent_writers_all_succeed_and_none_is_lost(engine: Engine) -> None:
    failures: list[BaseException] = []

    def writer() -> None:
        try:
            for _ in range(25):
                with engine.connect() as connection:
                    n = connection.execute(text("SELECT n FROM counter")).scalar_one()
                    connection.execute(text("UPDATE counter SET n = n + 1"))
                    assert n >= 0
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
