"""The service as deployed, in a process of its own, for the benchmarks that measure it over
real HTTP."""

from __future__ import annotations

import http.client
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

from tests.support.postgres import free_port

SECRET = "benchmark-secret-key-that-is-long-enough-0123456789"


def wait_until_up(port: int, seconds: float = 30) -> None:
    """Return once the server on `port` answers /healthz; RuntimeError after `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"the server on port {port} did not start")


@contextmanager
def production_server(database_url: str, extra: dict[str, str] | None = None) -> Iterator[int]:
    """One uvicorn worker serving the app as deployed (`PRIMAS_ENV=production`) on
    `database_url`, with sessions lasting hours and `extra` settings; yields its port."""
    port = free_port()
    env = {**os.environ, "PRIMAS_DATABASE_URL": database_url, "PRIMAS_SECRET_KEY": SECRET,
           "PRIMAS_SIGNING_KEY": SECRET,
           "PRIMAS_SMTP_HOST": "mail.invalid", "PRIMAS_BASE_URL": "https://primas.invalid",
           "PRIMAS_ENV": "production", "PRIMAS_SESSION_IDLE_TIMEOUT_SECONDS": "7200",
           "PRIMAS_SESSION_MAX_AGE_SECONDS": "14400", **(extra or {})}  # fmt: skip
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "app.main:app_from_environment",
         "--port", str(port), "--log-level", "warning"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_until_up(port)
        yield port
    finally:
        process.terminate()
        process.wait()


def each_database(databases: str, name: str) -> Iterator[tuple[str, str]]:
    """For each of the comma-separated `databases` ("sqlite", "postgresql"), its name and the
    address of a fresh database called `name`: a SQLite file in a temporary folder, or one on a
    throwaway PostgreSQL 15 as the tests start it. Each is gone once the next is given."""
    import tempfile
    from pathlib import Path

    from tests.support.postgres import PostgresServer, find_postgres_bin

    for database in databases.split(","):
        if database == "sqlite":
            with tempfile.TemporaryDirectory() as directory:
                yield database, f"sqlite:///{Path(directory) / f'{name}.db'}"
        else:
            bin_dir = find_postgres_bin()
            assert bin_dir is not None, "PostgreSQL 15 is not installed"
            with PostgresServer(bin_dir) as server:
                yield database, server.create_database(name)
