"""The PostgreSQL pass of `make test`: the PostgreSQL set again, on a throwaway PostgreSQL server.

    python -m tests.postgres_pass --expect var/test-reports/sqlite.json [pytest arguments]

Starts PostgreSQL on a free port, runs `pytest -m "db and postgres"` against it (every database
test of tests/db and the command line, and the page and browser tests marked `postgres`), always
stops the server, then checks the pass really ran on PostgreSQL and ran as many of the set as the
SQLite pass did.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from types import FrameType

from tests.support.postgres import PostgresServer, find_postgres_bin


def _stop_on_signal(signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def _set_passed(report: Path) -> dict[str, int]:
    return dict(json.loads(report.read_text())["postgres_set_passed"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--expect", type=Path, required=True, help="the SQLite pass's report")
    parser.add_argument("--report", type=Path, default=Path("var/test-reports/postgresql.json"))
    args, pytest_args = parser.parse_known_args(argv)

    bin_dir = find_postgres_bin()
    if bin_dir is None:
        message = "PostgreSQL 15 is not installed (make test installs it when run as root)"
        if os.environ.get("CI") == "true":
            print(f"postgres_pass: FAIL: {message}", file=sys.stderr)
            return 1
        print(f"postgres_pass: skipped: {message}")
        return 0

    signal.signal(signal.SIGTERM, _stop_on_signal)
    args.report.unlink(missing_ok=True)
    with PostgresServer(bin_dir) as server:
        print(f"postgres_pass: PostgreSQL from {bin_dir} on port {server.port}", flush=True)
        environment = {
            **os.environ,
            "PRIMAS_TEST_DATABASE_URL": server.admin_url,
            "PRIMAS_TEST_REPORT": str(args.report),
        }
        command = [sys.executable, "-m", "pytest", "-m", "db and postgres", *pytest_args]
        status = subprocess.run(command, env=environment, check=False).returncode
    if status != 0:
        return status

    expected = _set_passed(args.expect).get("sqlite", 0)
    ran = _set_passed(args.report)
    if set(ran) != {"postgresql"} or ran["postgresql"] != expected or expected == 0:
        print(
            f"postgres_pass: FAIL: expected {expected} tests of the PostgreSQL set on "
            f"PostgreSQL (as on SQLite), but the pass reported {ran}",
            file=sys.stderr,
        )
        return 1
    print(
        f"postgres_pass: {expected} tests of the PostgreSQL set passed on PostgreSQL, as on SQLite"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
